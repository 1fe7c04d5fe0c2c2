/* libseccomp backend: the orchestration of one build.
 *
 * libseccomp 2.5.4 can build a program that does not mean what its rules
 * say, and return 0. So every program, libseccomp's or the layout pass's,
 * is checked at probe points and then by the exact validator
 * (probes_faithful: it decides, for every input, whether the program
 * means what the policy says), and a build goes:
 *  - the first try: every arch's rules in source order, one merged
 *    context, one export; unconditional rules are left to the layout pass
 *    as verdicts. Its program counts once it passes the probes;
 *  - else the careful way: each arch on its own, its chains handed over
 *    in other orders (scmp_context.c) and in the masked-equality form
 *    (masked.c) until the program agrees with the policy on every probe,
 *    then merged; if no order or form works, the policy is refused;
 *  - all of it in a child with a deadline (child.c), and when that passes,
 *    once more with the masked-equality form first (the hangs seen so far
 *    involve libseccomp's own ordered comparisons);
 *  - around it, sysfence's own code generator (codegen.c): first, for
 *    policies libseccomp is known to get wrong or cannot express
 *    (codegen_preferred, lower_incomplete), unless libseccomp's PFC text
 *    is wanted; as the fallback before libseccomp's refusal (kept back
 *    from the child) is printed; and, for a policy with conditions that
 *    libseccomp built, as the rival whose program is kept when it is
 *    faithful too and runs fewer instructions on the rules' arguments.
 * The state of one build travels in struct scmp_build (scmp_build.h). */
#include <stdlib.h>
#include <string.h>

#include "backend/codegen.h"
#include "backend/scmp_build.h"

#define BUILD_SECONDS 10   /* per attempt; SYSFENCE_LIBSECCOMP_TIMEOUT overrides */

/* Adds LOW's chains to a fresh context in each order in turn until the
 * program agrees with the policy on every probe. *FIRST_BAD and
 * *FIRST_GOT keep the first mismatch seen; *FAILED is set when libseccomp
 * refused outright (already diagnosed). */
static scmp_filter_ctx try_orders(struct scmp_build *b, const struct arch_lowering *low,
				  const struct probes *probes, const struct probe **first_bad,
				  uint32_t *first_got, int *failed)
{
	struct scmp_ctx_items items;
	scmp_ctx_items(b, low, &items);
	for (int k = 0; k < ORDER_COUNT; k++) {
		scmp_ctx_sort(&items, (enum scmp_ctx_order)k);
		scmp_filter_ctx ctx = scmp_ctx_fill(b, &items, failed);
		if (!ctx)
			return NULL;
		struct sock_filter *insns;
		size_t len;
		uint32_t got = 0;
		/* The first probe (or counterexample) it gets wrong (the first probe when it cannot
		 * be run or renumbered); none when it is too large to run: the
		 * careful way refuses it. */
		const struct probe *bad = probes->v;
		if (!scmp_ctx_export_program(b, ctx, &insns, &len))
			bad = insns ? probes_faithful(b, insns, len, probes, 1u << low->arch, &got) : NULL;
		if (!bad)
			return ctx;
		if (!*first_bad) {
			*first_bad = bad;
			*first_got = got;
		}
		seccomp_release(ctx);
	}
	return NULL;
}

/* LOW's context, in the first order and form that is faithful; its
 * probes are added to B's. NULL when none is (diagnosed). */
static scmp_filter_ctx arch_context(struct scmp_build *b, const struct arch_lowering *low)
{
	struct probes ps = { 0 };
	probes_make(b->u, low, &ps);
	const struct probe *first_bad = NULL;
	uint32_t first_got = 0;
	int failed = 0;
	const struct arch_lowering *alt = masked_form(b->u, low);
	const struct arch_lowering *form[2] = { b->masked_first && alt ? alt : low,
						b->masked_first || !alt ? NULL : alt };
	scmp_filter_ctx ctx = NULL;
	for (int f = 0; f < 2 && form[f] && !ctx && !failed; f++)
		ctx = try_orders(b, form[f], &ps, &first_bad, &first_got, &failed);
	if (ctx) {
		probes_append(b->u, &b->probes, &ps);
		return ctx;
	}
	if (!failed)
		probes_report(b, low->arch, first_bad, first_got);
	return NULL;
}

static void verdict_add(struct scmp_build *b, int arch, const struct rule *r)
{
	struct verdicts *vs = &b->verdicts;
	vs->v = arena_grow(b->u->arena, vs->v, vs->n, &vs->cap, sizeof(*vs->v));
	vs->v[vs->n++] = (struct bpf_verdict){ arch_table[arch].audit_arch, (uint32_t)r->nr,
						   r->action };
}

/* Replaces libseccomp's program by the layout pass's faster one with the
 * same meaning (with VERDICTS, B's verdicts), which must pass the same
 * probes: 0 when it did. The PFC text stays libseccomp's. */
static int relayout(struct scmp_build *b, int verdicts, struct filter *f)
{
	const struct backend_relayout *rl = b->rl;
	const struct verdicts *vs = verdicts ? &b->verdicts : NULL;
	struct sock_filter *insns;
	size_t len;
	uint32_t got;
	if (!rl ||
	    rl->run(rl->ctx, b->u->arena, f->insns, f->len, vs ? vs->v : NULL, vs ? vs->n : 0,
		    &insns, &len) ||
	    probes_faithful(b, insns, len, &b->probes, 0, &got))
		return -1;
	f->insns = insns;
	f->len = len;
	return 0;
}

/* The rules of LOW the first try hands libseccomp (with SPLIT, the
 * unconditional ones become verdicts instead), in the form to try first. */
static const struct arch_lowering *first_form(struct scmp_build *b, const struct arch_lowering *low,
					      int split)
{
	struct arch_lowering *rest = arena_alloc(b->u->arena, sizeof(*rest));
	*rest = *low;
	rest->rules = arena_alloc(b->u->arena, (low->n + 1) * sizeof(*rest->rules));
	rest->n = 0;
	for (size_t i = 0; i < low->n; i++)
		if (split && standins_unconditional(&low->rules[i]))
			verdict_add(b, low->arch, low->rules[i].rule);
		else
			rest->rules[rest->n++] = low->rules[i];
	const struct arch_lowering *form = b->masked_first ? masked_form(b->u, rest) : rest;
	return form ? form : rest;
}

/* Every arch's context from the first try, merged into *MERGED; probes
 * of every arch's rules into PS. Returns 0, 1 when libseccomp refused a
 * rule (diagnosed) or 2 when the merge failed (the careful way says why). */
static int first_contexts(struct scmp_build *b, int split, struct probes *ps,
			  scmp_filter_ctx *merged)
{
	int failed = 0;
	for (int a = 0; a < ARCH_COUNT && !failed; a++) {
		if (!(b->pb->arch_mask & (1u << a)))
			continue;
		const struct arch_lowering *form = first_form(b, &b->low[a], split);
		probes_make(b->u, &b->low[a], ps);
		struct scmp_ctx_items items;
		scmp_ctx_items(b, form, &items);
		scmp_filter_ctx ctx = scmp_ctx_fill(b, &items, &failed);
		if (ctx && !*merged)
			*merged = ctx;
		else if (ctx && seccomp_merge(*merged, ctx)) {
			seccomp_release(ctx);
			failed = 2;
		}
	}
	return failed;
}

/* The common case in one pass. Returns 1 with *MERGED and OUT's program
 * (not yet checked: see backend_build_here) set and the probes added to
 * B's, 0 to take the careful way (each arch on its own, other orders and
 * forms), -1 when libseccomp refused a rule (diagnosed). */
static int first_try(struct scmp_build *b, int split, scmp_filter_ctx *merged, struct filter *out)
{
	struct probes ps = { 0 };
	scmp_filter_ctx m = NULL;
	if (standins_choose(b, split))
		return -1;
	probes_add_standins(b, &ps);
	probes_append(b->u, &ps, &b->probes);
	int failed = first_contexts(b, split, &ps, &m);
	struct sock_filter *insns = NULL;
	size_t len;
	if (!failed && m && !scmp_ctx_export_program(b, m, &insns, &len) && insns) {
		for (size_t i = b->probes.n; i < ps.n; i++)
			probes_add(b->u, &b->probes, &ps.v[i]);
		*merged = m;
		out->insns = insns;
		out->len = len;
		return 1;
	}
	seccomp_release(m);
	return failed == 1 ? -1 : 0;
}

/* Exports the careful way's merged context into OUT and checks it.
 * Returns 0, or -1 (diagnosed). */
static int careful_export(struct scmp_build *b, scmp_filter_ctx merged, struct filter *out)
{
	const struct policy_build *pb = b->pb;
	struct diag *d = b->u->diag;
	size_t bytes = 0;
	out->insns = scmp_ctx_export(b->u, merged, 0, &bytes);
	out->len = bytes / sizeof(struct sock_filter);
	if (!out->insns) {
		diag_error(d, pb->policy->loc, "libseccomp could not export the filter");
		return -1;
	}
	if (bpf_renumber(out->insns, out->len, b->standins.v, b->standins.n)) {
		diag_error(d, pb->policy->loc,
			   "cannot move the rules of syscalls libseccomp does not know into place in policy '%s'",
			   pb->policy->name);
		return -1;
	}
	if (out->len > BPF_MAX_INSNS) {
		diag_error(d, pb->policy->loc,
			   "policy '%s' compiles to %zu BPF instructions; the kernel accepts at most %d",
			   pb->policy->name, out->len, BPF_MAX_INSNS);
		return -1;
	}
	uint32_t got;
	const struct probe *bad = probes_faithful(b, out->insns, out->len, &b->probes, 0, &got);
	if (bad) {
		probes_report(b, policy_arch_of(bad->audit_arch, bad->nr), bad, got);
		return -1;
	}
	return 0;
}

/* Each arch on its own, trying other orders and forms where libseccomp
 * got one wrong, then merged and exported. Returns 0 with OUT's program
 * and *MERGED set, or -1 (diagnosed). */
static int careful_way(struct scmp_build *b, scmp_filter_ctx *merged, struct filter *out)
{
	int failed = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(b->pb->arch_mask & (1u << a)))
			continue;
		scmp_filter_ctx ctx = arch_context(b, &b->low[a]);
		if (!ctx) {
			failed = 1;
			continue;
		}
		if (!*merged) {
			*merged = ctx;
			continue;
		}
		int rc = seccomp_merge(*merged, ctx);
		if (rc) {
			diag_error(b->u->diag, b->pb->policy->loc, "libseccomp cannot merge the %s filter: %s",
				   arch_table[a].name, strerror(-rc));
			seccomp_release(ctx);
			failed = 1;
		}
	}
	if (failed || !*merged)
		return -1;
	return careful_export(b, *merged, out);
}

/* The first try, and whether its program counts: once its relayout passes
 * the probes (it means the same on every class, so a faithful relayout
 * vouches for it, and one check is saved), or, without verdicts, once it
 * passes them itself. Returns as first_try, 0 also when it did not count. */
static int first_try_counts(struct scmp_build *b, int split, scmp_filter_ctx *merged,
			    struct filter *out)
{
	int first = first_try(b, split, merged, out);
	int laid = first == 1 ? relayout(b, 1, out) : -1;
	uint32_t got;
	if (first == 1 && laid &&
	    (b->verdicts.n || probes_faithful(b, out->insns, out->len, &b->probes, 0, &got))) {
		seccomp_release(*merged);
		*merged = NULL;
		memset(out, 0, sizeof(*out));
		first = 0;
	}
	return first;
}

int backend_build_here(struct scmp_build *b, struct filter *out)
{
	struct unit *u = b->u;
	scmp_filter_ctx merged = NULL;
	memset(&b->probes, 0, sizeof(b->probes));
	memset(&b->verdicts, 0, sizeof(b->verdicts));
	memset(out, 0, sizeof(*out));
	/* The layout pass must run (and PFC shows libseccomp's program) for
	 * unconditional rules to be left to it. */
	int split = b->rl && !u->opts->want_pfc;
	int first = first_try_counts(b, split, &merged, out);
	if (!first) {
		/* Every rule through libseccomp. */
		b->probes.n = 0;
		if (standins_choose(b, 0))
			return -1;
		probes_add_standins(b, &b->probes);
	}
	if (first < 0 || (!first && careful_way(b, &merged, out))) {
		seccomp_release(merged);
		return -1;
	}
	/* PFC only when asked for: an export costs as much as building. */
	out->pfc = u->opts->want_pfc ? scmp_ctx_export(u, merged, 1, &out->pfc_len) : "";
	seccomp_release(merged);
	if (!out->pfc) {
		diag_error(u->diag, b->pb->policy->loc, "libseccomp could not export the filter");
		return -1;
	}
	if (!first)
		relayout(b, 0, out);
	return 0;
}

/* sysfence's own program for B's policy (codegen.h), relaid out like
 * libseccomp's (the unconditional rules are in it, so no verdicts) and
 * checked the same way. D: where to say why it could not be built (NULL:
 * nowhere). Returns 0 with OUT set, or -1. */
static int codegen_path(struct scmp_build *b, struct diag *d, struct filter *out)
{
	struct filter f = { .pfc = "" };
	uint32_t got;
	if (codegen_build(b->u->arena, b->pb, d, &f.insns, &f.len))
		return -1;
	memset(&b->probes, 0, sizeof(b->probes));
	if (relayout(b, 0, &f) && probes_faithful(b, f.insns, f.len, &b->probes, 0, &got))
		return -1;
	*out = f;
	return 0;
}

/* Whether some rule of PB has a condition: the only place where the two
 * generators' programs differ once the layout pass has redone both
 * dispatches, so the only case worth building both. */
static int has_conditions(const struct policy_build *pb)
{
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		const struct ptrvec *rules = &pb->per_arch[a].rules;
		for (size_t i = 0; i < rules->n; i++) {
			const struct rule *r = rules->v[i];
			if (!r->dropped && r->cond)
				return 1;
		}
	}
	return 0;
}

/* Adds to *COST the instructions PROG executes for syscall NR of ARCH
 * with arguments ARGS. */
static void cost_at(const struct filter *f, int arch, int nr, const uint64_t args[6],
		    uint64_t *cost)
{
	struct seccomp_data d = { .nr = nr, .arch = arch_table[arch].audit_arch };
	memcpy(d.args, args, sizeof(d.args));
	uint32_t ret;
	size_t steps = 0;
	if (bpf_run(f->insns, f->len, &d, &ret, &steps) == 0)
		*cost += steps;
}

/* The instructions F executes over the conditional rules of PB, summed:
 * for each conjunction, the arguments at a value of each set (inside)
 * and one past it (most often outside), and all arguments 0. The layout
 * pass's layout_cost cannot judge this: it sits in a later layer, and
 * runs every syscall with its arguments 0, which takes one path through
 * the argument tests only. */
static uint64_t argument_cost(const struct policy_build *pb, const struct filter *f)
{
	uint64_t cost = 0;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		const struct ptrvec *rules = &pb->per_arch[a].rules;
		for (size_t i = 0; i < rules->n; i++) {
			const struct rule *r = rules->v[i];
			uint64_t zero[6] = { 0 };
			if (r->dropped || !r->cond)
				continue;
			cost_at(f, a, r->nr, zero, &cost);
			for (size_t k = 0; k < r->dnf.n; k++) {
				uint64_t in[6], past[6];
				for (int arg = 0; arg < 6; arg++) {
					struct argset s = r->sets[k][arg];
					in[arg] = s.n ? s.t[0].value : 0;
					past[arg] = in[arg] + 1;
				}
				cost_at(f, a, r->nr, in, &cost);
				cost_at(f, a, r->nr, past, &cost);
			}
		}
	}
	return cost;
}

/* OUT, built by libseccomp and laid out, replaced by sysfence's own
 * program when that is faithful too and executes fewer instructions on
 * the rules' arguments (argument_cost; fewer instructions on a tie). */
static void keep_faster(struct scmp_build *b, struct filter *out)
{
	struct filter own;
	if (codegen_path(b, NULL, &own))
		return;
	uint64_t theirs = argument_cost(b->pb, out), ours = argument_cost(b->pb, &own);
	if (ours < theirs || (ours == theirs && own.len < out->len)) {
		own.pfc = out->pfc;
		own.pfc_len = out->pfc_len;
		*out = own;
	}
}

/* libseccomp's two attempts (the masked-equality form first in the
 * second), what they printed kept in REP. Returns as child_attempt. */
static int libseccomp_attempts(struct scmp_build *b, struct filter *out, int seconds,
			       struct child_report *rep)
{
	int rc = -1;
	for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
		b->masked_first = attempt;
		rc = child_attempt(b, out, seconds, rep);
	}
	return rc;
}

int backend_build(struct unit *u, const struct policy_build *pb,
		  const struct arch_lowering low[ARCH_COUNT],
		  const struct backend_relayout *relayout, struct filter *out)
{
	const char *env = getenv("SYSFENCE_LIBSECCOMP_TIMEOUT");
	int seconds = env && atoi(env) > 0 ? atoi(env) : BUILD_SECONDS;
	struct scmp_build b = { .u = u, .pb = pb, .low = low, .rl = relayout };
	struct child_report rep = { 0 };
	memset(out, 0, sizeof(*out));
	/* Our own program where libseccomp is known to go wrong or cannot
	 * go at all, unless its PFC text is wanted; libseccomp where ours
	 * fails, and ours where libseccomp refuses. */
	int pfc = u->opts->want_pfc, incomplete = lower_incomplete(pb, low);
	int tried = !pfc && (incomplete || codegen_preferred(pb));
	if (tried && !codegen_path(&b, NULL, out))
		return 0;
	if (incomplete)
		return lower_report(u, pb, low);
	int rc = libseccomp_attempts(&b, out, seconds, &rep);
	if (rc == 0) {
		child_report_print(u, &rep);
		/* Both where both can: the faster program is kept. */
		if (!pfc && !tried && has_conditions(pb))
			keep_faster(&b, out);
		return 0;
	}
	if (!pfc && !tried && !codegen_path(&b, NULL, out))
		return 0;
	child_report_print(u, &rep);
	if (rc > 0)
		return -1;
	const struct scmp_version *v = seccomp_version();
	diag_error(u->diag, pb->policy->loc,
		   "libseccomp %u.%u.%u did not finish building the filter of policy '%s' "
		   "within %d s of CPU time (2 attempts), and sysfence's own code generator "
		   "could not build it either; the policy is refused "
		   "(SYSFENCE_LIBSECCOMP_TIMEOUT raises the limit)",
		   v->major, v->minor, v->micro, pb->policy->name, seconds);
	return -1;
}
