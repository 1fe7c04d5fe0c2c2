/* Expansion of a policy for each target arch.
 *
 * Rulesets are followed through `use` depth first, in source order; each
 * rule statement with N syscalls becomes N rules. Constants and syscall
 * numbers are looked up for the arch at hand, which is why this happens per
 * arch and not once: O_DIRECTORY on aarch64 is not O_DIRECTORY on x86_64. */
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "analysis/policy.h"
#include "analysis/quiet.h"
#include "tables/tables.h"

struct expand {
	struct unit *u;
	const struct ruleset *policy;   /* the one being expanded */
	int arch;
	int failed;
	int const_depth;                /* consts being evaluated, one inside another */
	unsigned use_depth;             /* rulesets being expanded, one inside another */
};

/* How deep `use` may nest: every later stage follows the chain, and a
 * generated file of 60k rulesets each using the next must get a
 * diagnostic, not a stack overflow or hours of expansion. */
#define EXPAND_USE_DEPTH_MAX 256

/* How many consts a value may be defined through, one in terms of the
 * next: each costs a level of recursion, and a generated file of 60k
 * chained consts must get a diagnostic, not a stack overflow. */
#define CONST_DEPTH_MAX 1000

/* ---- constant expressions ---- */

/* A value of a constant expression: 64 bits and how to read them. The
 * language's integers run from -2^63 to 2^64 - 1 (a literal is unsigned,
 * `-1` is negative), and + - * << are exact on them: a result outside
 * that range is an error, as a literal that does not fit is, not a value
 * wrapped modulo 2^64. NEG says that BITS is a negative number in two's
 * complement (bit 63 is then set). */
struct val {
	uint64_t bits;
	int neg;
};

typedef __int128 wide;   /* holds every product and sum of two values */

static wide val_wide(struct val v)
{
	return v.neg ? (wide)(int64_t)v.bits : (wide)v.bits;
}

/* Stores W in *OUT; 0 when it is in range, else -1 (diagnosed at OP). */
static int val_from_wide(struct expand *x, const struct expr *e, int overflowed, wide w,
			 struct val *out)
{
	if (overflowed || w < -((wide)1 << 63) || w > (wide)UINT64_MAX) {
		diag_error(x->u->diag, e->op_loc,
			   "integer overflow in '%s': the result does not fit in 64 bits",
			   e->op == 'L' ? "<<" : (char[]){ (char)e->op, 0 });
		return -1;
	}
	*out = (struct val){ (uint64_t)w, w < 0 };
	return 0;
}

static int eval(struct expand *x, const struct expr *e, struct val *out);

static int eval_const(struct expand *x, struct const_decl *c, struct loc use, struct val *out)
{
	if (c->failed && c->state[x->arch] != 2)
		return -1;   /* a cycle, reported by the resolver */
	if (c->state[x->arch] == 2) {
		*out = (struct val){ c->cached[x->arch], c->cached_neg[x->arch] };
		return c->failed ? -1 : 0;
	}
	if (c->state[x->arch] == 1) {
		diag_error(x->u->diag, use, "const '%s' is defined in terms of itself", c->name);
		diag_note(x->u->diag, c->loc, "'%s' is defined here", c->name);
		return -1;
	}
	if (x->const_depth == CONST_DEPTH_MAX) {
		diag_error(x->u->diag, use,
			   "const '%s' is defined through more than %d other consts, one in terms of the next",
			   c->name, CONST_DEPTH_MAX);
		c->failed = 1;
		return -1;
	}
	c->state[x->arch] = 1;
	*out = (struct val){ 0, 0 };
	x->const_depth++;
	int rc = eval(x, c->override_value ? c->override_value : c->value, out);
	x->const_depth--;
	c->state[x->arch] = 2;
	c->cached[x->arch] = out->bits;
	c->cached_neg[x->arch] = out->neg;
	if (rc)
		c->failed = 1;
	return rc;
}

static int eval_name(struct expand *x, const struct expr *e, struct val *out)
{
	if (e->decl)
		return eval_const(x, e->decl, e->loc, out);
	if (!e->constant)
		return -1;   /* reported by the resolver */
	if (!(e->constant->present & (1u << x->arch))) {
		diag_error(x->u->diag, e->loc, "constant '%s' is not defined on %s",
			   e->name, arch_table[x->arch].name);
		return -1;
	}
	int64_t v = e->constant->value[x->arch];
	*out = (struct val){ (uint64_t)v, v < 0 };
	return 0;
}

static int eval_unary(struct expand *x, const struct expr *e, struct val *out)
{
	struct val a;
	if (eval(x, e->lhs, &a))
		return -1;
	if (e->op == '-')
		return val_from_wide(x, e, 0, -val_wide(a), out);
	/* ~ of a number below 2^63 is negative (~0 is -1); of one above,
	 * whose complement is below -2^63, it is read unsigned, as a mask */
	out->bits = ~a.bits;
	out->neg = !a.neg && (out->bits >> 63);
	return 0;
}

/* | & ^ never overflow: the bits are the result, and the sign is the one
 * the operator gives the operands' signs where bit 63 agrees with it. */
static void eval_bitwise(int op, struct val a, struct val b, struct val *out)
{
	int sign;
	switch (op) {
	case '|': out->bits = a.bits | b.bits; sign = a.neg || b.neg; break;
	case '&': out->bits = a.bits & b.bits; sign = a.neg && b.neg; break;
	default:  out->bits = a.bits ^ b.bits; sign = a.neg != b.neg; break;
	}
	out->neg = sign && (out->bits >> 63);
}

static int eval_binary(struct expand *x, const struct expr *e, struct val *out)
{
	struct val a, b;
	if (eval(x, e->lhs, &a) || eval(x, e->rhs, &b))
		return -1;
	wide r = 0;
	int overflowed;
	switch (e->op) {
	case '|':
	case '&':
	case '^':
		eval_bitwise(e->op, a, b, out);
		return 0;
	case '+':
		overflowed = __builtin_add_overflow(val_wide(a), val_wide(b), &r);
		return val_from_wide(x, e, overflowed, r, out);
	case '-':
		overflowed = __builtin_sub_overflow(val_wide(a), val_wide(b), &r);
		return val_from_wide(x, e, overflowed, r, out);
	case '*':
		overflowed = __builtin_mul_overflow(val_wide(a), val_wide(b), &r);
		return val_from_wide(x, e, overflowed, r, out);
	}
	if (b.neg || b.bits >= 64) {
		if (b.neg)
			diag_error(x->u->diag, e->rhs->loc, "shift by %lld is out of range (0 to 63)",
				   (long long)(int64_t)b.bits);
		else
			diag_error(x->u->diag, e->rhs->loc, "shift by %llu is out of range (0 to 63)",
				   (unsigned long long)b.bits);
		return -1;
	}
	if (e->op == 'R') {
		/* logical: the bits move, the result is read unsigned */
		*out = (struct val){ a.bits >> b.bits, 0 };
		return 0;
	}
	overflowed = __builtin_mul_overflow(val_wide(a), (wide)1 << b.bits, &r);
	return val_from_wide(x, e, overflowed, r, out);
}

static int eval(struct expand *x, const struct expr *e, struct val *out)
{
	switch (e->kind) {
	case EXPR_NUM:
		*out = (struct val){ e->num, 0 };
		return 0;
	case EXPR_NAME:
		return eval_name(x, e, out);
	case EXPR_UNARY:
		return eval_unary(x, e, out);
	case EXPR_BINARY:
		return eval_binary(x, e, out);
	}
	return -1;
}

static int eval_bits(struct expand *x, const struct expr *e, uint64_t *out)
{
	struct val v;
	if (eval(x, e, &v))
		return -1;
	*out = v.bits;
	return 0;
}

int policy_eval_expr(struct unit *u, int arch, const struct expr *e, uint64_t *out)
{
	struct expand x = { .u = u, .arch = arch };
	return eval_bits(&x, e, out);
}

/* ---- actions ---- */

static int eval_action(struct expand *x, const struct action *act, uint32_t *out)
{
	static const uint32_t plain[] = {
		[ACT_ALLOW] = SECCOMP_RET_ALLOW, [ACT_LOG] = SECCOMP_RET_LOG,
		[ACT_TRAP] = SECCOMP_RET_TRAP, [ACT_NOTIFY] = SECCOMP_RET_USER_NOTIF,
		[ACT_KILL_THREAD] = SECCOMP_RET_KILL_THREAD,
		[ACT_KILL_PROCESS] = SECCOMP_RET_KILL_PROCESS,
	};
	uint64_t v;
	switch (act->kind) {
	case ACT_ERRNO:
	case ACT_TRACE:
		if (eval_bits(x, act->arg, &v))
			return -1;
		/* libseccomp 2.5 refuses errno 4095 (its limit is MAX_ERRNO - 1) */
		uint64_t max = act->kind == ACT_ERRNO ? 4094 : 65535;
		if (v > max) {
			diag_error(x->u->diag, act->arg->loc, "%s value %lld is out of range (0 to %llu)",
				   action_name(act->kind), (long long)v, (unsigned long long)max);
			return -1;
		}
		*out = (act->kind == ACT_ERRNO ? SECCOMP_RET_ERRNO : SECCOMP_RET_TRACE) | (uint32_t)v;
		return 0;
	default:
		*out = plain[act->kind];
		return 0;
	}
}

/* ---- conditions ---- */

struct argpos {
	int index;        /* register index on this arch */
	unsigned width;
};

/* Where argument NAME of S lives on this arch. On a 32-bit arch a 64-bit
 * value such as loff_t takes two registers, shifting the ones after it. */
static int locate_arg(struct expand *x, const struct syscall_ref *s, const struct cond *c,
		      struct argpos *pos)
{
	int i = syscall_arg_index(s->desc, c->arg);
	if (i < 0)
		return -1;   /* reported by the resolver */
	const struct syscall_desc *d = s->desc;
	int raw = strncmp(c->arg, "arg", 3) == 0 && c->arg[3] && !c->arg[4];
	int has_sig = d && d->has_signature && i < d->nparams &&
		      (d->params[i].arches & (1u << x->arch));
	unsigned word = arch_table[x->arch].word_bits;
	if (!raw && d && d->has_signature && !has_sig) {
		diag_error(x->u->diag, c->arg_loc,
			   "'%s' passes '%s' differently on %s; a policy for that arch must not compare it",
			   s->name, c->arg, arch_table[x->arch].name);
		return -1;
	}
	pos->index = i;
	pos->width = has_sig ? d->params[i].bits : 64;
	if (word == 32) {
		/* a register holds 32 bits; narrower parameters stay narrower */
		if (pos->width > 32)
			pos->width = 32;
		if (has_sig) {
			if (d->params[i].split64) {
				diag_error(x->u->diag, c->arg_loc,
					   "argument '%s' of '%s' is 64 bits wide and split over two registers on %s; it cannot be compared there",
					   c->arg, s->name, arch_table[x->arch].name);
				return -1;
			}
			pos->index = syscall_param_reg(d, x->arch, i);
		}
		if (pos->index > 5) {
			diag_error(x->u->diag, c->arg_loc,
				   "argument '%s' of '%s' is not passed in a register on %s",
				   c->arg, s->name, arch_table[x->arch].name);
			return -1;
		}
	}
	return 0;
}

/* A value compared with an argument narrower than 64 bits (the bits the
 * kernel reads: 32 for an int, 12 for openat's mode) must be a number of
 * that width, either unsigned or a sign-extended negative one: anything
 * else could never match what the kernel sees, which is always a mistake. */
static int fit(struct expand *x, uint64_t v, unsigned width, struct loc at, const char *arg,
	       uint64_t *out)
{
	uint64_t high = ~width_mask(width);   /* the bits the kernel drops */
	if (width >= 64 || (v & high) == 0 ||
	    ((v & high) == high && (v >> (width - 1) & 1))) {
		*out = v & width_mask(width);
		return 0;
	}
	diag_error(x->u->diag, at, "value 0x%llx does not fit the %u-bit argument '%s'",
		   (unsigned long long)v, width, arg);
	return -1;
}

static struct ncond *eval_cond(struct expand *x, const struct syscall_ref *s, const struct cond *c)
{
	struct arena *a = x->u->arena;
	struct ncond *n = arena_alloc(a, sizeof(*n));
	switch (c->kind) {
	case COND_AND:
	case COND_OR:
		n->kind = c->kind == COND_AND ? N_AND : N_OR;
		n->lhs = eval_cond(x, s, c->lhs);
		n->rhs = eval_cond(x, s, c->rhs);
		return n->lhs && n->rhs ? n : NULL;
	case COND_NOT:
		n->kind = N_NOT;
		n->lhs = eval_cond(x, s, c->lhs);
		return n->lhs ? n : NULL;
	case COND_CMP:
		break;
	}
	struct argpos pos;
	if (locate_arg(x, s, c, &pos))
		return NULL;
	struct atom *at = &n->atom;
	n->kind = N_ATOM;
	at->arg = pos.index;
	at->width = pos.width;
	at->op = c->op;
	at->loc = c->loc;
	at->name = c->arg;
	at->mask = width_mask(pos.width);
	uint64_t v;
	if (c->mask) {
		at->masked = 1;
		if (eval_bits(x, c->mask, &v) || fit(x, v, pos.width, c->mask->loc, c->arg, &at->mask))
			return NULL;
	}
	if (c->value && (eval_bits(x, c->value, &v) || fit(x, v, pos.width, c->value->loc, c->arg, &at->value)))
		return NULL;
	if (c->set.n) {
		at->set = arena_alloc(a, c->set.n * sizeof(*at->set));
		at->nset = c->set.n;
		for (size_t i = 0; i < c->set.n; i++)
			if (eval_bits(x, c->set.v[i], &v) ||
			    fit(x, v, pos.width, c->set.v[i]->loc, c->arg, &at->set[i]))
				return NULL;
	}
	return n;
}

/* ---- rulesets ---- */

static int syscall_nr(const struct syscall_ref *s, int arch)
{
	if (!s->desc)
		return s->name ? -1 : (int)s->number;
	return s->desc->nr[arch];
}

static void expand_ruleset(struct expand *x, struct ruleset *rs, const struct use_chain *chain,
			   struct arch_policy *ap);

static void add_rules(struct expand *x, const struct stmt *st, const struct use_chain *chain,
		      struct arch_policy *ap)
{
	uint32_t action;
	if (eval_action(x, &st->action, &action)) {
		x->failed = 1;
		return;
	}
	for (size_t i = 0; i < st->nsyscalls; i++) {
		const struct syscall_ref *s = &st->syscalls[i];
		if (s->name && !s->desc) {
			x->failed = 1;
			continue;
		}
		int nr = syscall_nr(s, x->arch);
		if (nr < 0) {
			if (x->u->opts->verbose)
				diag_info(x->u->diag, s->loc, "'%s' does not exist on %s; the rule is skipped there",
					  s->name, arch_table[x->arch].name);
			continue;
		}
		struct rule *r = arena_alloc(x->u->arena, sizeof(*r));
		r->stmt = st;
		r->sys = s;
		r->chain = chain;
		r->nr = nr;
		r->action = action;
		if (st->cond) {
			r->cond = eval_cond(x, s, st->cond);
			if (!r->cond) {
				x->failed = 1;
				continue;
			}
		}
		ptrvec_push(x->u->arena, &ap->rules, r);
	}
}

/* `override` in RS replaces the rules for its syscall that RS's own `use`
 * statements brought in (those added since FIRST with a longer chain). */
static void apply_overrides(struct expand *x, const struct ruleset *rs,
			    const struct use_chain *chain, size_t first, struct arch_policy *ap)
{
	for (size_t i = first; i < ap->rules.n; i++) {
		struct rule *o = ap->rules.v[i];
		if (o->chain != chain || !o->stmt->override)
			continue;
		int replaced = 0;
		for (size_t j = first; j < ap->rules.n; j++) {
			struct rule *r = ap->rules.v[j];
			if (r->chain != chain && r->nr == o->nr && !r->dropped) {
				r->dropped = 1;
				replaced = 1;
			}
		}
		if (!replaced && rs->is_policy) {   /* in a ruleset it is already an error */
			struct quiet *scope[QUIET_SCOPE_MAX];
			quiet_scope(scope, x->policy, o->stmt, o->chain);
			diag_warning_id(x->u->diag, scope, o->sys->loc, "useless-override",
					"'override' has no effect: no rule for '%s' comes in through 'use'",
					o->sys->name ? o->sys->name : "this syscall");
		}
	}
}

static void expand_ruleset(struct expand *x, struct ruleset *rs, const struct use_chain *chain,
			   struct arch_policy *ap)
{
	size_t first = ap->rules.n;
	rs->expanding = 1;
	for (size_t i = 0; i < rs->stmts.n; i++) {
		const struct stmt *st = rs->stmts.v[i];
		if (st->kind == STMT_RULE) {
			add_rules(x, st, chain, ap);
		} else if (st->kind == STMT_USE) {
			for (size_t j = 0; j < st->nuses; j++) {
				const struct name_ref *ref = &st->uses[j];
				if (!ref->target) {
					x->failed = 1;
					continue;
				}
				if (ref->target->expanding) {
					x->failed = 1;   /* a cycle, reported by the resolver */
					continue;
				}
				if (x->use_depth >= EXPAND_USE_DEPTH_MAX) {
					diag_error(x->u->diag, ref->loc,
						   "'use' nests more than %d rulesets deep here",
						   EXPAND_USE_DEPTH_MAX);
					x->failed = 1;
					continue;
				}
				struct use_chain *link = arena_alloc(x->u->arena, sizeof(*link));
				link->ref = ref;
				link->outer = chain;
				x->use_depth++;
				expand_ruleset(x, ref->target, link, ap);
				x->use_depth--;
			}
		}
	}
	apply_overrides(x, rs, chain, first, ap);
	rs->expanding = 0;
}

/* ---- the policy ---- */

static unsigned policy_arches(const struct ruleset *p)
{
	unsigned mask = 0;
	for (size_t i = 0; i < p->stmts.n; i++) {
		const struct stmt *st = p->stmts.v[i];
		if (st->kind != STMT_ARCH)
			continue;
		for (size_t j = 0; j < st->narches; j++)
			if (st->arches[j].arch >= 0)
				mask |= 1u << st->arches[j].arch;
	}
	return mask;
}

/* A syscall named in the policy itself must exist on at least one target
 * arch. Names that come in through `use` are only skipped where they do
 * not exist: a shared ruleset lists what each arch calls (open on x86_64,
 * mmap2's neighbours on x86, ...), and a policy for one arch takes the part
 * that applies. */
static void check_names_exist(struct expand *x, const struct ruleset *rs, unsigned mask)
{
	for (size_t i = 0; i < rs->stmts.n; i++) {
		const struct stmt *st = rs->stmts.v[i];
		if (st->kind != STMT_RULE)
			continue;
		for (size_t j = 0; j < st->nsyscalls; j++) {
			const struct syscall_ref *s = &st->syscalls[j];
			if (!s->desc)
				continue;
			int found = 0;
			for (int a = 0; a < ARCH_COUNT; a++)
				if ((mask & (1u << a)) && s->desc->nr[a] >= 0)
					found = 1;
			if (found)
				continue;
			char list[128] = "";
			size_t n = 0;
			for (int a = 0; a < ARCH_COUNT; a++)
				if (mask & (1u << a))
					n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
							      n ? ", " : "", arch_table[a].name);
			diag_error(x->u->diag, s->loc, "syscall '%s' does not exist on any target arch (%s)",
				   s->name, list);
			x->failed = 1;
		}
	}
}

int policy_expand(struct unit *u, struct ruleset *policy, unsigned arch_mask,
		  struct policy_build *out)
{
	memset(out, 0, sizeof(*out));
	out->policy = policy;
	out->default_action = SECCOMP_RET_ERRNO | 1;   /* errno(EPERM) */
	out->default_loc = policy->loc;
	out->arch_mask = arch_mask ? arch_mask : policy_arches(policy);
	if (!out->arch_mask) {
		int native = arch_native();
		out->arch_mask = 1u << (native >= 0 ? native : ARCH_X86_64);
	}
	struct expand x = { .u = u, .policy = policy };
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(out->arch_mask & (1u << a)))
			continue;
		x.arch = a;
		out->per_arch[a].arch = a;
		for (size_t i = 0; i < policy->stmts.n; i++) {
			const struct stmt *st = policy->stmts.v[i];
			if (st->kind == STMT_DEFAULT) {
				uint32_t act;
				if (eval_action(&x, &st->action, &act) == 0)
					out->default_action = act;
				else
					x.failed = 1;
				out->default_loc = st->loc;
			}
		}
		expand_ruleset(&x, policy, NULL, &out->per_arch[a]);
	}
	check_names_exist(&x, policy, out->arch_mask);
	return x.failed ? -1 : 0;
}

const char *rule_arg_name(const struct rule *r, int arch, int reg)
{
	return syscall_reg_name(r->sys->desc, arch, reg);
}

int syscall_param_reg(const struct syscall_desc *d, int arch, int param)
{
	int reg = param;
	if (d && d->has_signature && arch_table[arch].word_bits == 32)
		for (int k = 0; k < param && k < d->nparams; k++)
			reg += d->params[k].split64;
	return reg;
}

/* A register's name when no signature names it. There are six registers,
 * so constant strings do and no caller needs to pass a buffer. */
static const char *reg_fallback(int reg)
{
	static const char *const names[6] = { "arg0", "arg1", "arg2", "arg3", "arg4", "arg5" };
	return reg >= 0 && reg < 6 ? names[reg] : "arg?";
}

const char *syscall_reg_name(const struct syscall_desc *d, int arch, int reg)
{
	if (d && d->has_signature) {
		/* On 32-bit arches split 64-bit values shift the registers. */
		int split = arch_table[arch].word_bits == 32;
		for (int i = 0, k = 0; i < d->nparams; k += 1 + (split ? d->params[i].split64 : 0), i++)
			if (k == reg)
				return d->params[i].alias ? d->params[i].alias : d->params[i].name;
	}
	return reg_fallback(reg);
}
