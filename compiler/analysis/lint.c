/* Lints: what `sysfence check` warns about beyond errors.
 *
 *  - dangerous-grant: a rule lets a syscall from the table below run
 *    (allow or log) for arguments that include its dangerous use. "Can
 *    include" is decided on the rule's exact value sets (struct argset),
 *    not on how the condition is written, and the arguments shown are
 *    checked with the reference evaluator before they are printed.
 *  - default-allow: a policy whose default lets the call run.
 *  - width-depends: a rule that does not let the call run compares an
 *    argument whose width the kernel picks by another argument (fcntl's
 *    arg by cmd; tables.h, syscall_param_width_by). The filter compares
 *    it at its declared width, so where the kernel reads fewer bits a call
 *    with other upper bits escapes the rule.
 *  - unused-ruleset, unused-import: dead parts of the checked file.
 *  - empty-file: a checked file with no policy and no ruleset.
 *  - unused-quiet (quiet.c): annotations that silence nothing.
 * trace and notify are not grants: they hand each call to a tracer or a
 * supervisor, which is how a dangerous call is meant to be vetted. */
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lint.h"
#include "analysis/quiet.h"
#include "tables/tables.h"

/* What makes a syscall dangerous. */
enum danger_kind {
	ANY_USE,        /* every call */
	FLAG_BITS,      /* the argument has one of the flag bits set */
	VALUE_IN,       /* the argument is one of the values */
	VALUE_NOT_IN,   /* the argument is none of the (safe) values */
};

struct danger {
	const char *syscall;
	enum danger_kind kind;
	int arg;                     /* index in the signature; not for ANY_USE */
	const char *values[9];       /* constant names or numbers, NULL-terminated */
	const char *why;
	const char *example;         /* a dangerous value to show first, if allowed */
};

#define NAMESPACES_CLONE "CLONE_NEWUSER", "CLONE_NEWNS", "CLONE_NEWPID", "CLONE_NEWNET", \
	"CLONE_NEWIPC", "CLONE_NEWUTS", "CLONE_NEWCGROUP"
#define ANY(name, why) { name, ANY_USE, 0, { 0 }, why, NULL }
#define NAMESPACE_WHY "a new namespace (a user namespace above all) opens kernel code that is otherwise out of reach"

static const struct danger dangers[] = {
	ANY("ptrace", "reads and writes the memory and registers of other processes"),
	ANY("process_vm_writev", "writes into the memory of another process"),
	ANY("process_vm_readv", "reads the memory of another process"),
	ANY("bpf", "loads programs into the kernel and is a frequent way into kernel exploits"),
	ANY("perf_event_open", "exposes kernel profiling and has a long record of kernel bugs"),
	ANY("kexec_load", "replaces the running kernel"),
	ANY("kexec_file_load", "replaces the running kernel"),
	ANY("init_module", "loads code into the kernel"),
	ANY("finit_module", "loads code into the kernel"),
	ANY("delete_module", "unloads kernel modules"),
	ANY("mount", "changes the mount table, which can hide or replace any file"),
	ANY("umount2", "removes mounts, which can uncover what they hid"),
	ANY("move_mount", "moves mounts in the file system tree"),
	ANY("open_tree", "copies mount trees, to be attached elsewhere"),
	ANY("mount_setattr", "changes mount flags such as read-only or noexec"),
	ANY("fsopen", "creates file system contexts for new mounts"),
	ANY("fsmount", "creates mounts"),
	ANY("pivot_root", "replaces the root of the file system"),
	ANY("setns", "enters the namespaces of another process"),
	ANY("keyctl", "reaches the kernel keyrings, which are not namespaced"),
	ANY("add_key", "adds keys to the kernel keyrings, which are not namespaced"),
	ANY("request_key", "reaches the kernel keyrings, which are not namespaced"),
	ANY("userfaultfd", "lets a process stall the kernel's accesses to its memory, a staple of kernel exploits"),
	ANY("iopl", "gives direct access to all I/O ports"),
	ANY("ioperm", "gives direct access to I/O ports"),
	ANY("swapon", "changes the system's swap"),
	ANY("swapoff", "changes the system's swap"),
	ANY("reboot", "reboots, halts or replaces the kernel"),
	ANY("acct", "switches process accounting for the whole system"),
	ANY("settimeofday", "sets the system clock"),
	ANY("clock_settime", "sets the system clock"),
	ANY("adjtimex", "adjusts the system clock"),
	ANY("clock_adjtime", "adjusts the system clock"),
	ANY("open_by_handle_at", "opens files by handle past every path check (the 'shocker' container escape)"),
	ANY("name_to_handle_at", "makes file handles for open_by_handle_at"),
	ANY("lookup_dcookie", "returns the path of a kernel directory entry"),
	ANY("quotactl", "manages disk quotas"),
	ANY("nfsservctl", "controls the kernel NFS server"),
	ANY("uselib", "loads a library through an obsolete kernel path"),
	ANY("ustat", "is obsolete and reaches file system internals"),
	ANY("sysfs", "is obsolete and reaches file system internals"),
	ANY("_sysctl", "changes kernel parameters"),
	ANY("vm86", "runs virtual 8086 mode, a source of kernel bugs"),
	ANY("vm86old", "runs virtual 8086 mode, a source of kernel bugs"),
	/* clone3's flags are in memory seccomp cannot read; errno(ENOSYS)
	 * makes glibc fall back to clone, whose flags it can. */
	ANY("clone3", "takes its flags from memory seccomp cannot read, so namespaces cannot be excluded (errno(ENOSYS) makes glibc use clone)"),
	/* clone has no CLONE_NEWTIME: 0x80 is part of its exit signal. */
	{ "clone", FLAG_BITS, 0, { NAMESPACES_CLONE }, NAMESPACE_WHY, NULL },
	{ "unshare", FLAG_BITS, 0, { NAMESPACES_CLONE, "CLONE_NEWTIME" }, NAMESPACE_WHY, NULL },
	{ "ioctl", VALUE_IN, 1, { "TIOCSTI", "TIOCLINUX" },
	  "TIOCSTI and TIOCLINUX push characters into a terminal's input, for the shell that owns the terminal to run",
	  NULL },
	/* What Docker's default profile allows: Linux, 32-bit Linux, each with
	 * UNAME26, and the query. The others turn off ASLR
	 * (ADDR_NO_RANDOMIZE) or make data executable (READ_IMPLIES_EXEC). */
	{ "personality", VALUE_NOT_IN, 0, { "PER_LINUX", "PER_LINUX32", "UNAME26", "0x20008", "0xffffffff" },
	  "personalities other than PER_LINUX, PER_LINUX32 and UNAME26 can turn off address randomisation or make data executable",
	  "ADDR_NO_RANDOMIZE" },
};

const char *lint_dangerous_syscall(size_t i)
{
	return i < sizeof(dangers) / sizeof(dangers[0]) ? dangers[i].syscall : NULL;
}

struct lint {
	struct unit *u;
	const struct policy_build *pb;
	int arch;
};

static int lets_run(uint32_t action)
{
	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

/* VALUE (a constant name or a number) on ARCH; 0 when it does not exist there. */
static int danger_value(const char *value, int arch, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(value, &end, 0);
	if (!*end) {
		*out = v;
		return 1;
	}
	const struct constant_desc *c = constant_find(value);
	if (!c || !(c->present & (1u << arch)))
		return 0;
	*out = (uint64_t)c->value[arch];
	return 1;
}

/* The register and width of argument I of D on ARCH, as expand.c places
 * arguments: on a 32-bit arch no argument is wider than 32 bits and 64-bit
 * values before it take two registers. */
static void arg_place(const struct syscall_desc *d, int arch, int i, int *reg, unsigned *width)
{
	*reg = i;
	*width = d->params[i].bits;
	if (arch_table[arch].word_bits == 32) {
		if (*width > 32)
			*width = 32;
		for (int k = 0; k < i; k++)
			*reg += d->params[k].split64;
	}
}

/* The set of values of the argument that make the call dangerous. */
static struct argset danger_set(struct arena *a, const struct danger *dg, int arch,
				int reg, unsigned width, size_t k)
{
	struct atom at = { .arg = reg, .width = width, .mask = width_mask(width) };
	uint64_t v, set[9];
	size_t n = 0;
	switch (dg->kind) {
	case ANY_USE:
		break;
	case FLAG_BITS:   /* only flag K: the witness then names one flag */
		if (!danger_value(dg->values[k], arch, &v))
			return (struct argset){ NULL, 0 };
		at.masked = 1;
		at.mask = v & width_mask(width);
		at.op = OP_NE;
		at.value = 0;
		return argset_of_atom(a, &at);
	case VALUE_IN:
	case VALUE_NOT_IN:
		for (size_t i = 0; dg->values[i]; i++)
			if (danger_value(dg->values[i], arch, &v))
				set[n++] = v & width_mask(width);
		at.op = dg->kind == VALUE_IN ? OP_IN : OP_NOT_IN;
		at.set = set;
		at.nset = n;
		return argset_of_atom(a, &at);
	}
	struct conj none = { NULL, 0 };
	return argset_of_conj(a, &none, reg);
}

/* Arguments for which conjunction C holds, with argument REG in BAD;
 * returns 0 when there are none. */
static int witness(struct arena *a, const struct conj *c, int reg, struct argset bad,
		   uint64_t args[6])
{
	struct conj none = { NULL, 0 };
	struct argset all = argset_of_conj(a, &none, 0);
	for (int arg = 0; arg < 6; arg++) {
		struct argset s = argset_of_conj(a, c, arg);
		if (!argset_witness(s, arg == reg ? bad : all, &args[arg]))
			return 0;
	}
	return 1;
}

static void report(struct lint *l, const struct rule *r, const struct danger *dg, size_t k,
		   int reg, uint64_t value)
{
	struct quiet *scope[QUIET_SCOPE_MAX];
	quiet_scope(scope, l->pb->policy, r->stmt, r->chain);
	char act[32];
	bpf_action_str(r->action, act, sizeof(act));
	const char *sys = dg->syscall;
	char written[24];   /* the rule as written: by name or by number */
	if (r->sys->name)
		snprintf(written, sizeof(written), "%s", r->sys->name);
	else
		snprintf(written, sizeof(written), "%llu", (unsigned long long)r->sys->number);
	struct diag *d = l->u->diag;
	struct loc at = r->sys->loc;
	const char *arg = reg >= 0 ? rule_arg_name(r, l->arch, reg) : "";
	switch (dg->kind) {
	case ANY_USE:
		diag_warning_id(d, scope, at, "dangerous-grant", "'%s %s' lets %s run, which %s",
				act, written, sys, dg->why);
		break;
	case FLAG_BITS:
		diag_warning_id(d, scope, at, "dangerous-grant",
				"'%s %s' lets %s run with %s in %s (%s=0x%llx): %s", act, written, sys,
				dg->values[k], arg, arg, (unsigned long long)value, dg->why);
		break;
	case VALUE_IN:
		diag_warning_id(d, scope, at, "dangerous-grant",
				"'%s %s' lets %s run with %s=%s (0x%llx): %s", act, written, sys, arg,
				dg->values[k], (unsigned long long)value, dg->why);
		break;
	case VALUE_NOT_IN:
		diag_warning_id(d, scope, at, "dangerous-grant",
				"'%s %s' lets %s run with %s=0x%llx: %s", act, written, sys, arg,
				(unsigned long long)value, dg->why);
		break;
	}
	policy_note_chain(d, r->chain);
}

/* Which of DG's values is VALUE (for VALUE_IN), to name it. */
static size_t value_index(const struct danger *dg, int arch, uint64_t value, unsigned width)
{
	uint64_t v;
	for (size_t i = 0; dg->values[i]; i++)
		if (danger_value(dg->values[i], arch, &v) && (v & width_mask(width)) == value)
			return i;
	return 0;
}

/* Does rule R (for DG's syscall) let the dangerous use run? Reports it. */
static void check_rule(struct lint *l, const struct rule *r, const struct danger *dg,
		       const struct syscall_desc *desc)
{
	struct arena *a = l->u->arena;
	int reg = -1;
	unsigned width = 64;
	if (dg->kind != ANY_USE)
		arg_place(desc, l->arch, dg->arg, &reg, &width);
	size_t kinds = dg->kind == FLAG_BITS ? 0 : 1;
	if (dg->kind == FLAG_BITS)
		while (dg->values[kinds])
			kinds++;
	for (size_t k = 0; k < kinds; k++) {
		struct argset bad = danger_set(a, dg, l->arch, reg < 0 ? 0 : reg, width, k);
		uint64_t ex;
		struct term one;
		struct argset example = { NULL, 0 };
		if (dg->example && danger_value(dg->example, l->arch, &ex)) {
			one = (struct term){ width_mask(width), ex & width_mask(width) };
			example = argset_intersect(a, bad, (struct argset){ &one, 1 });
		}
		for (size_t i = 0; i < 2 * r->dnf.n; i++) {
			/* first every conjunction with the example, then with any value */
			uint64_t args[6] = { 0 };
			if (!witness(a, &r->dnf.c[i % r->dnf.n], reg, i < r->dnf.n ? example : bad, args))
				continue;
			/* The policy, not just this rule, must let these arguments
			 * through: ask the reference evaluator. */
			uint32_t got = policy_eval(l->pb, arch_table[l->arch].audit_arch,
						   (uint32_t)r->nr, args);
			if (got != r->action) {
				diag_error(l->u->diag, r->sys->loc,
					   "internal error: dangerous-grant witness does not match");
				return;
			}
			uint64_t value = reg >= 0 ? args[reg] & width_mask(width) : 0;
			report(l, r, dg, dg->kind == VALUE_IN ? value_index(dg, l->arch, value, width) : k,
			       reg, value);
			return;
		}
	}
}

/* Rules in source order, so the warnings follow the file. */
static void dangerous_grants(struct lint *l)
{
	const struct ptrvec *rules = &l->pb->per_arch[l->arch].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (r->dropped || !lets_run(r->action))
			continue;
		for (size_t d = 0; d < sizeof(dangers) / sizeof(dangers[0]); d++) {
			const struct syscall_desc *desc = syscall_find(dangers[d].syscall);
			if (desc && r->nr == desc->nr[l->arch])
				check_rule(l, r, &dangers[d], desc);
		}
	}
}

/* The parameter of D that sits in register REG on ARCH, or -1. */
static int param_at_reg(const struct syscall_desc *d, int arch, int reg)
{
	for (int i = 0; d && d->has_signature && i < d->nparams; i++)
		if (syscall_param_reg(d, arch, i) == reg)
			return i;
	return -1;
}

/* Warns about each comparison in C of an argument whose width depends on
 * another argument. */
static void width_depends_cond(struct lint *l, const struct rule *r, const struct ncond *c)
{
	if (!c)
		return;
	if (c->kind != N_ATOM) {
		width_depends_cond(l, r, c->lhs);
		width_depends_cond(l, r, c->rhs);
		return;
	}
	const struct syscall_desc *d = r->sys->desc;
	int i = param_at_reg(d, l->arch, c->atom.arg);
	const char *by = i < 0 ? NULL : syscall_param_width_by(d, i);
	/* On x86 a register is 32 bits: no value of the other argument makes
	 * the kernel read fewer bits than the filter compares. */
	if (!by || c->atom.width <= 32)
		return;
	struct quiet *scope[QUIET_SCOPE_MAX];
	quiet_scope(scope, l->pb->policy, r->stmt, r->chain);
	char act[32];
	bpf_action_str(r->action, act, sizeof(act));
	const char *by_name = by;
	for (int k = 0; k < d->nparams; k++)
		if (strcmp(d->params[k].name, by) == 0 && d->params[k].alias)
			by_name = d->params[k].alias;
	diag_warning_id(l->u->diag, scope, c->atom.loc, "width-depends",
			"'%s %s' compares '%s', which the kernel reads on fewer bits for some values of '%s': "
			"compared on all %u bits, the rule misses calls that differ only in bits the kernel ignores",
			act, r->sys->name ? r->sys->name : "this syscall", c->atom.name, by_name,
			c->atom.width);
	policy_note_chain(l->u->diag, r->chain);
}

/* Rules that refuse (or kill, trap, hand over) a call on an argument whose
 * width depends on another argument: their meaning depends on that other
 * argument, and for some of its values a call can slip past them. */
static void width_depends(struct lint *l)
{
	const struct ptrvec *rules = &l->pb->per_arch[l->arch].rules;
	for (size_t i = 0; i < rules->n; i++) {
		const struct rule *r = rules->v[i];
		if (!r->dropped && !lets_run(r->action) && r->sys->desc)
			width_depends_cond(l, r, r->cond);
	}
}

static const struct stmt *default_stmt(const struct ruleset *policy)
{
	for (size_t i = 0; i < policy->stmts.n; i++) {
		const struct stmt *st = policy->stmts.v[i];
		if (st->kind == STMT_DEFAULT)
			return st;
	}
	return NULL;
}

static void default_allow(struct lint *l)
{
	const struct ruleset *p = l->pb->policy;
	const struct stmt *st = default_stmt(p);
	if (!p->is_policy || !st || !lets_run(l->pb->default_action))
		return;
	struct quiet *scope[QUIET_SCOPE_MAX];
	quiet_scope(scope, p, st, NULL);
	diag_warning_id(l->u->diag, scope, st->loc, "default-allow",
			"policy '%s' lets every syscall it does not name run ('default %s'): new and rarely used syscalls get through; prefer a default that refuses",
			p->name, action_name(st->action.kind));
}

static int used_by_a_policy(struct unit *u, const struct ruleset *rs);

void lint_policy(struct unit *u, const struct policy_build *pb)
{
	struct lint l = { .u = u, .pb = pb };
	default_allow(&l);
	/* A ruleset a policy of the file uses is judged in that policy,
	 * where a @quiet on the `use` can apply; the others (a library's)
	 * are judged alone. */
	if (!pb->policy->is_policy && used_by_a_policy(u, pb->policy))
		return;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(pb->arch_mask & (1u << a)))
			continue;
		l.arch = a;
		dangerous_grants(&l);
		width_depends(&l);
	}
}

/* ---- the checked file ---- */

/* Marks RS and every ruleset it uses, transitively (the resolver bounds
 * how deep `use` nests). */
static void reach(struct ruleset *rs)
{
	if (rs->used_by_policy)
		return;
	rs->used_by_policy = 1;
	for (size_t i = 0; i < rs->stmts.n; i++) {
		const struct stmt *st = rs->stmts.v[i];
		for (size_t j = 0; st->kind == STMT_USE && j < st->nuses; j++)
			if (st->uses[j].target)
				reach(st->uses[j].target);
	}
}

/* Marks, once per unit, every ruleset the policies of the root file use:
 * asked about each ruleset of a generated file, a walk per question was
 * quadratic. Returns whether the root file has a policy at all. */
static int mark_used(struct unit *u)
{
	int policies = 0;
	for (size_t i = 0; i < u->root->rulesets.n; i++) {
		struct ruleset *rs = u->root->rulesets.v[i];
		if (rs->is_policy) {
			policies = 1;
			if (!u->uses_marked)
				reach(rs);
		}
	}
	u->uses_marked = 1;
	return policies;
}

static int used_by_a_policy(struct unit *u, const struct ruleset *rs)
{
	mark_used(u);
	return rs->used_by_policy;
}

/* A file with policies uses its rulesets through them; a file without
 * any is a library, whose rulesets are for others. */
static void unused_rulesets(struct unit *u)
{
	struct policy_file *f = u->root;
	if (!mark_used(u))
		return;
	for (size_t i = 0; i < f->rulesets.n; i++) {
		struct ruleset *rs = f->rulesets.v[i];
		if (rs->is_policy || rs->used_by_policy)
			continue;
		struct quiet *scope[] = { rs->quiet, NULL };
		diag_warning_id(u->diag, scope, rs->loc, "unused-ruleset",
				"ruleset '%s' is not used by any policy of this file", rs->name);
	}
}

static int import_used(const struct policy_file *f, const struct import *im)
{
	const char *name = im->alias ? im->alias : im->target->stem;
	for (size_t i = 0; i < f->rulesets.n; i++) {
		const struct ruleset *rs = f->rulesets.v[i];
		for (size_t j = 0; j < rs->stmts.n; j++) {
			const struct stmt *st = rs->stmts.v[j];
			for (size_t k = 0; st->kind == STMT_USE && k < st->nuses; k++)
				if (st->uses[k].qualifier && strcmp(st->uses[k].qualifier, name) == 0)
					return 1;
		}
	}
	return 0;
}

static void unused_imports(struct unit *u)
{
	struct policy_file *f = u->root;
	for (size_t i = 0; i < f->imports.n; i++) {
		struct import *im = f->imports.v[i];
		if (!im->target || import_used(f, im))
			continue;
		struct quiet *scope[] = { im->quiet, NULL };
		diag_warning_id(u->diag, scope, im->loc, "unused-import",
				"nothing of '%s' is used; remove the import", im->path);
	}
}

/* An empty file, or one of consts and imports alone, is most likely a
 * wrong path or a truncated pipe, not a policy. */
static void empty_file(struct unit *u)
{
	struct policy_file *f = u->root;
	if (f->rulesets.n)
		return;
	diag_warning_id(u->diag, NULL, (struct loc){ f->src, 1, 1 }, "empty-file",
			"'%s' defines no policy and no ruleset", f->path);
}

void lint_root_file(struct unit *u)
{
	empty_file(u);
	unused_rulesets(u);
	unused_imports(u);
	quiet_report_unused(u->diag, u->root);
}
