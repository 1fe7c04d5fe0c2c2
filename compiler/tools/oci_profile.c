/* Reading an OCI / Docker seccomp profile: its JSON checked and turned
 * into entries, and the decisions Docker makes per host (includes and
 * excludes by arch, capability and kernel version). oci_import.c writes
 * the policy. */
#define _GNU_SOURCE
#include "tools/oci_profile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpf/bpf.h"
#include "output/oci.h"

/* ---- reading the profile ---- */

static int expect(struct oci_profile *p, const struct json *v, enum json_kind kind, const char *what)
{
	static const char *const kinds[] = { "null", "true or false", "a number", "a string",
					     "an array", "an object" };
	if (v && v->kind == kind)
		return 0;
	if (v)
		diag_error(p->d, v->loc, "%s must be %s, not %s", what, kinds[kind], kinds[v->kind]);
	return -1;
}

/* The arch of a SCMP_ARCH_ token; -1 for one sysfence does not compile
 * for (warned), -2 for something that is no arch token (diagnosed). */
static int arch_token(struct oci_profile *p, const struct json *v)
{
	if (expect(p, v, JSON_STRING, "an architecture"))
		return -2;
	int a = oci_arch_by_token(v->text);
	if (a >= 0)
		return a;
	if (strncmp(v->text, "SCMP_ARCH_", 10) != 0) {
		diag_error(p->d, v->loc, "'%s' is not a libseccomp architecture (SCMP_ARCH_...)", v->text);
		return -2;
	}
	diag_warning(p->d, v->loc, "sysfence does not compile for %s; it is left out", v->text);
	fprintf(p->notes_f, "# Left out: %s (sysfence does not compile for it).\n", v->text);
	return -1;
}

static int read_arches(struct oci_profile *p)
{
	const struct json *list = json_get(p->root, "architectures");
	const struct json *map = json_get(p->root, "archMap");
	if (list && list->kind == JSON_ARRAY && list->n && map && map->kind == JSON_ARRAY && map->n) {
		diag_error(p->d, json_key_loc(p->root, "archMap"),
			   "the profile has both 'architectures' and 'archMap'; Docker takes only one of them");
		return -1;
	}
	if (list && !expect(p, list, JSON_ARRAY, "'architectures'") && list->n) {
		struct oci_group *g = &p->groups[0];
		g->host = -1;
		for (size_t i = 0; i < list->n; i++) {
			int a = arch_token(p, list->items[i]);
			if (a == -2)
				return -1;
			if (a >= 0 && g->host < 0)
				g->host = a;
			if (a >= 0)
				g->mask |= 1u << a;
		}
		p->ngroups = g->mask ? 1 : 0;
		return 0;
	}
	if (list && list->kind != JSON_ARRAY)
		return -1;
	if (!map) {
		p->groups[0] = (struct oci_group){ -1, 0 };
		p->ngroups = 1;
		return 0;
	}
	if (expect(p, map, JSON_ARRAY, "'archMap'"))
		return -1;
	for (size_t i = 0; i < map->n; i++) {
		const struct json *e = map->items[i];
		if (expect(p, e, JSON_OBJECT, "an archMap entry"))
			return -1;
		const struct json *main = json_get(e, "architecture");
		if (!main) {
			diag_error(p->d, e->loc, "archMap entry without 'architecture'");
			return -1;
		}
		int a = arch_token(p, main);
		if (a == -2)
			return -1;
		const struct json *subs = json_get(e, "subArchitectures");
		if (subs && expect(p, subs, JSON_ARRAY, "'subArchitectures'"))
			return -1;
		if (a < 0)
			continue;
		struct oci_group *g = &p->groups[p->ngroups++];
		g->host = a;
		g->mask = 1u << a;
		for (size_t k = 0; subs && k < subs->n; k++) {
			int s = arch_token(p, subs->items[k]);
			if (s == -2)
				return -1;
			if (s >= 0)
				g->mask |= 1u << s;
		}
	}
	return 0;
}

/* SECCOMP_RET_* of an SCMP_ACT_ name with its errnoRet. */
static int read_action(struct oci_profile *p, const struct json *act, const struct json *ret_v,
		       uint32_t *out)
{
	uint32_t ret;
	int takes_data;
	if (expect(p, act, JSON_STRING, "an action"))
		return -1;
	if (oci_action_parse(act->text, &ret, &takes_data) == 0) {
		/* runc's default for both: EPERM */
		uint64_t data = takes_data ? 1 : 0;
		if (ret_v && !takes_data) {
			diag_error(p->d, ret_v->loc, "errnoRet goes only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
			return -1;
		}
		if (ret_v && json_u64(ret_v, &data)) {
			diag_error(p->d, ret_v->loc, "errnoRet must be a non-negative integer");
			return -1;
		}
		uint64_t limit = ret == SECCOMP_RET_ERRNO ? 4094 : 65535;
		if (data > limit) {
			diag_error(p->d, ret_v->loc, "errnoRet %llu is out of range (0..%llu)",
				   (unsigned long long)data, (unsigned long long)limit);
			return -1;
		}
		*out = ret | (uint32_t)data;
		return 0;
	}
	diag_error(p->d, act->loc, "unknown action '%s' (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
		   "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE, "
		   "SCMP_ACT_LOG, SCMP_ACT_NOTIFY)", act->text);
	return -1;
}

static int read_arg(struct oci_profile *p, const struct json *v, struct oci_arg *out)
{
	if (expect(p, v, JSON_OBJECT, "an argument comparison"))
		return -1;
	const struct json *index = json_get(v, "index"), *value = json_get(v, "value");
	const struct json *two = json_get(v, "valueTwo"), *op = json_get(v, "op");
	uint64_t idx;
	out->loc = v->loc;
	if (!index || !value || !op) {
		diag_error(p->d, v->loc, "an argument comparison needs 'index', 'value' and 'op'");
		return -1;
	}
	if (json_u64(index, &idx) || idx > 5) {
		diag_error(p->d, index->loc, "'index' must be an argument number from 0 to 5");
		return -1;
	}
	out->index = (int)idx;
	out->value_loc = value->loc;
	if (json_u64(value, &out->value) || (two && json_u64(two, &out->value_two))) {
		const struct json *bad = json_u64(value, &out->value) ? value : two;
		diag_error(p->d, bad->loc, "'%s' must be an integer from 0 to 2^64-1",
			   bad == value ? "value" : "valueTwo");
		return -1;
	}
	if (expect(p, op, JSON_STRING, "'op'"))
		return -1;
	if (oci_op_parse(op->text, &out->op) == 0)
		return 0;
	diag_error(p->d, op->loc, "unknown comparison '%s' (SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ)",
		   op->text);
	return -1;
}

static int read_entry(struct oci_profile *p, const struct json *v, size_t seq)
{
	if (expect(p, v, JSON_OBJECT, "a syscalls entry"))
		return -1;
	struct oci_entry *e = arena_alloc(p->a, sizeof(*e));
	e->obj = v;
	e->seq = seq;
	const struct json *names = json_get(v, "names"), *name = json_get(v, "name");
	if (names && name) {
		diag_error(p->d, json_key_loc(v, "name"), "entry has both 'name' and 'names'");
		return -1;
	}
	if (name && !expect(p, name, JSON_STRING, "'name'"))
		ptrvec_push(p->a, &e->names, (void *)name);
	else if (name)
		return -1;
	if (names && expect(p, names, JSON_ARRAY, "'names'"))
		return -1;
	for (size_t i = 0; names && i < names->n; i++) {
		if (expect(p, names->items[i], JSON_STRING, "a syscall name"))
			return -1;
		ptrvec_push(p->a, &e->names, names->items[i]);
	}
	const struct json *act = json_get(v, "action");
	if (!act) {
		diag_error(p->d, v->loc, "syscalls entry without 'action'");
		return -1;
	}
	if (read_action(p, act, json_get(v, "errnoRet"), &e->action))
		return -1;
	const struct json *args = json_get(v, "args");
	if (args && args->kind != JSON_NULL) {
		if (expect(p, args, JSON_ARRAY, "'args'"))
			return -1;
		if (args->n > OCI_MAX_ARGS) {
			diag_error(p->d, args->items[OCI_MAX_ARGS]->loc, "more than %d comparisons in one entry",
				   OCI_MAX_ARGS);
			return -1;
		}
		for (size_t i = 0; i < args->n; i++)
			if (read_arg(p, args->items[i], &e->args[e->nargs++]))
				return -1;
	}
	ptrvec_push(p->a, &p->entries, e);
	return 0;
}

/* ---- which entries a host uses ---- */

static int kernel_at_least(struct oci_profile *p, const struct json *v, int *ok)
{
	int major, minor = 0;
	if (expect(p, v, JSON_STRING, "'minKernel'"))
		return -1;
	if (sscanf(v->text, "%d.%d", &major, &minor) < 1 || major < 0 || minor < 0) {
		diag_error(p->d, v->loc, "'minKernel' must look like \"4.8\"");
		return -1;
	}
	*ok = p->o->kernel_major < 0 || p->o->kernel_major > major ||
	      (p->o->kernel_major == major && p->o->kernel_minor >= minor);
	return 0;
}

static int cap_granted(struct oci_profile *p, const char *cap)
{
	for (size_t i = 0; i < p->o->ncaps; i++)
		if (strcasecmp(p->o->caps[i], cap) == 0 ||
		    (strncasecmp(cap, "CAP_", 4) == 0 && strcasecmp(p->o->caps[i], cap + 4) == 0))
			return 1;
	return 0;
}

static int names_host(const struct json *list, int host, int *hit)
{
	*hit = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (list->items[i]->kind != JSON_STRING)
			return -1;
		for (const char *const *h = host >= 0 ? oci_host_names(host) : NULL; h && *h; h++)
			*hit |= strcmp(list->items[i]->text, *h) == 0;
	}
	return 0;
}

/* Does a filter for HOST use E? 1 yes, 0 no, -1 error. WHY says why not. */
int oci_entry_used(struct oci_profile *p, const struct oci_entry *e, int host, const char **why)
{
	static const char *const parts[] = { "includes", "excludes" };
	for (int part = 0; part < 2; part++) {
		int inc = part == 0;
		const struct json *f = json_get(e->obj, parts[part]);
		if (!f || f->kind == JSON_NULL)
			continue;
		if (expect(p, f, JSON_OBJECT, parts[part]))
			return -1;
		const struct json *arches = json_get(f, "arches"), *caps = json_get(f, "caps");
		const struct json *mk = json_get(f, "minKernel");
		if (arches && arches->kind != JSON_NULL && arches->n) {
			int hit;
			if (expect(p, arches, JSON_ARRAY, "'arches'") || names_host(arches, host, &hit)) {
				diag_error(p->d, arches->loc, "'arches' must be an array of strings");
				return -1;
			}
			if (host < 0) {
				diag_error(p->d, arches->loc,
					   "the profile names no architectures, so '%s.arches' cannot be decided",
					   parts[part]);
				return -1;
			}
			if (hit != inc) {
				*why = inc ? "only for other arches" : "excluded on this arch";
				return 0;
			}
		}
		if (caps && caps->kind != JSON_NULL) {
			if (expect(p, caps, JSON_ARRAY, "'caps'"))
				return -1;
			for (size_t i = 0; i < caps->n; i++) {
				if (expect(p, caps->items[i], JSON_STRING, "a capability"))
					return -1;
				int granted = cap_granted(p, caps->items[i]->text);
				if (inc && !granted) {
					*why = arena_printf(p->a, "needs %s", caps->items[i]->text);
					return 0;
				}
				if (!inc && granted) {
					*why = arena_printf(p->a, "not with %s", caps->items[i]->text);
					return 0;
				}
			}
		}
		if (mk && mk->kind != JSON_NULL) {
			int ok;
			if (kernel_at_least(p, mk, &ok))
				return -1;
			if (ok != inc) {
				*why = arena_printf(p->a, "%s kernel %s", inc ? "needs" : "not from", mk->text);
				return 0;
			}
		}
	}
	return 1;
}

int oci_profile_read(struct oci_profile *p)
{
	if (expect(p, p->root, JSON_OBJECT, "a seccomp profile"))
		return -1;
	const struct json *def = json_get(p->root, "defaultAction");
	if (!def) {
		diag_error(p->d, p->root->loc, "the profile has no 'defaultAction'");
		return -1;
	}
	if (read_action(p, def, json_get(p->root, "defaultErrnoRet"), &p->default_action) ||
	    read_arches(p))
		return -1;
	const struct json *sys = json_get(p->root, "syscalls");
	if (sys && sys->kind != JSON_NULL && expect(p, sys, JSON_ARRAY, "'syscalls'"))
		return -1;
	for (size_t i = 0; sys && i < sys->n; i++)
		if (read_entry(p, sys->items[i], i + 1))
			return -1;
	return 0;
}
