/* OCI / Docker seccomp profile -> sysfence policy.
 *
 * What a profile means (as Docker and runc apply it, with libseccomp):
 *  - `archMap` lists host arches with the sub-arches a filter for that host
 *    covers; Docker picks the entry of the host it runs on. A flat
 *    `architectures` list is one filter, whose host is its first arch.
 *  - `includes`/`excludes` decide per host whether an entry is used at all:
 *    `arches` names the host ("amd64", "arm64", ...), `caps` the
 *    capabilities granted to the container, `minKernel` the running kernel.
 *    A used entry applies to every arch of the filter.
 *  - each used entry adds one libseccomp rule per name: the names are kernel
 *    names, translated per arch (a name an arch lacks is skipped there);
 *    its args are ANDed; the rules of one syscall are alternatives.
 *
 * So each supported host becomes one policy with that host's arches. Its
 * rules are sets of (arch, number) per (action, condition), written with
 * sysfence names whose meaning on every arch of the policy lies inside the
 * set. When no set of names says exactly that (a kernel name that means
 * different syscalls on two arches of one policy), the host gets one policy
 * per arch instead.
 *
 * The kernel reads only the low 32 bits of an `int` argument and sysfence
 * decides on those; libseccomp compares all 64 bits. The two agree whenever
 * the upper half is zero, and a value that does not fit 32 bits is refused
 * for such an argument (libseccomp's answer would then depend on bits the
 * kernel ignores). Reading the profile is oci_profile.c; this file writes
 * the policy. */
#define _GNU_SOURCE
#include "tools/oci_import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/bpf.h"
#include "output/oci.h"
#include "tools/oci_profile.h"
#include "tables/tables.h"

struct importer {
	struct oci_profile p;
	FILE *out;               /* the policy text */
	char *notes;             /* what p.notes_f gathered */
	size_t notes_len;
};

/* ---- one policy ---- */

/* One (arch, number) a rule applies to, with the entry it came from. */
struct item {
	int arch, nr;
	const struct oci_entry *e;
	const struct json *name;
	int dropped;
};

static int same_cond(const struct oci_entry *x, const struct oci_entry *y)
{
	if (x->nargs != y->nargs)
		return 0;
	for (int i = 0; i < x->nargs; i++) {
		const struct oci_arg *p = &x->args[i], *q = &y->args[i];
		if (p->index != q->index || p->op != q->op || p->value != q->value ||
		    (p->op == LC_MASKED_EQ && p->value_two != q->value_two))
			return 0;
	}
	return 1;
}

struct policy_out {
	struct importer *im;
	unsigned mask;
	struct item *items;
	size_t n, cap;
	FILE *body;               /* rules */
	FILE *comments;           /* what was left out, and why */
	const struct item *uncovered;   /* what no names could say, when so */
};

static void add_item(struct policy_out *po, int arch, int nr, const struct oci_entry *e,
		     const struct json *name)
{
	for (size_t i = 0; i < po->n; i++) {
		const struct item *it = &po->items[i];
		if (it->arch == arch && it->nr == nr && it->e->action == e->action && same_cond(it->e, e))
			return;   /* the same rule again */
	}
	po->items = arena_grow(po->im->p.a, po->items, po->n, &po->cap, sizeof(*po->items));
	po->items[po->n++] = (struct item){ arch, nr, e, name, 0 };
}

static const char *action_text(uint32_t action, char *buf, size_t len)
{
	return bpf_action_str(action, buf, len);   /* the policy language's spelling */
}

/* Drops what a policy must not say twice: a conditional rule next to an
 * unconditional one with the same action, and rules with the default
 * action. Two unconditional rules with different actions are an error. */
static int simplify(struct policy_out *po, uint32_t def)
{
	struct importer *im = po->im;
	char b1[32], b2[32];
	for (size_t i = 0; i < po->n; i++) {
		struct item *it = &po->items[i];
		if (it->e->action == def) {
			if (!it->dropped && (i == 0 || po->items[i - 1].e != it->e))
				fprintf(po->comments, "# entry %zu (%s%s): the default action, left out\n",
					it->e->seq, it->name->text, it->e->names.n > 1 ? ", ..." : "");
			it->dropped = 1;
			continue;
		}
		for (size_t k = 0; k < po->n; k++) {
			const struct item *o = &po->items[k];
			if (k == i || o->arch != it->arch || o->nr != it->nr || o->e->nargs)
				continue;
			if (o->e->action == it->e->action && it->e->nargs) {
				if (!it->dropped)
					fprintf(po->comments, "# %s %s (entry %zu, with arguments): dropped, "
						"entry %zu gives it unconditionally\n",
						action_text(it->e->action, b1, sizeof(b1)), it->name->text,
						it->e->seq, o->e->seq);
				it->dropped = 1;
			} else if (o->e->action != it->e->action && !it->e->nargs && k < i) {
				diag_error(im->p.d, it->name->loc, "'%s' is given two actions: %s here and %s in entry %zu",
					   it->name->text, action_text(it->e->action, b1, sizeof(b1)),
					   action_text(o->e->action, b2, sizeof(b2)), o->e->seq);
				diag_note(im->p.d, o->name->loc, "the other entry");
				return -1;
			}
		}
	}
	return 0;
}

/* Is (ARCH, NR) of rule group REP among the live items? */
static int in_group(const struct policy_out *po, const struct oci_entry *rep, int arch, int nr)
{
	for (size_t i = 0; i < po->n; i++) {
		const struct item *it = &po->items[i];
		if (!it->dropped && it->arch == arch && it->nr == nr && it->e->action == rep->action &&
		    same_cond(it->e, rep))
			return 1;
	}
	return 0;
}

/* How the policy names register INDEX of S, or NULL (diagnosed) when no
 * name means that register on every arch of MASK. */
static const char *arg_name(struct policy_out *po, const struct syscall_desc *s,
			    const struct oci_arg *arg, unsigned mask, unsigned *width)
{
	int i = arg->index;
	int named = s->has_signature && i < s->nparams;
	*width = 64;
	for (int a = 0; a < ARCH_COUNT; a++) {
		if (!(mask & (1u << a)) || s->nr[a] < 0)
			continue;
		int here = named && (s->params[i].arches & (1u << a));
		if (named && !here)
			named = 0;
		unsigned w = here ? s->params[i].bits : 64;
		if (arch_table[a].word_bits == 32) {
			if (w > 32)
				w = 32;
			for (int k = 0; k < i && k < s->nparams; k++)
				if (s->has_signature && s->params[k].split64) {
					diag_error(po->im->p.d, arg->loc,
						   "on %s, argument %d of '%s' is not a register of its own "
						   "(a 64-bit value before it takes two); sysfence cannot compare it",
						   arch_table[a].name, i, s->name);
					return NULL;
				}
		}
		if (w < *width)
			*width = w;
	}
	if (s->has_signature && i >= s->nparams) {
		diag_error(po->im->p.d, arg->loc, "'%s' takes %d arguments; argument %d cannot be compared",
			   s->name, s->nparams, i);
		return NULL;
	}
	if (named)
		return s->params[i].name;
	char *raw = arena_printf(po->im->p.a, "arg%d", i);
	if (syscall_arg_index(s, raw) != i) {
		diag_error(po->im->p.d, arg->loc, "sysfence has no name for argument %d of '%s' on every arch",
			   i, s->name);
		return NULL;
	}
	return raw;
}

static void write_value(FILE *f, uint64_t v)
{
	if (v < 4096)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fprintf(f, "0x%llx", (unsigned long long)v);
}

/* The condition of REP for syscall S, written to F. */
static int write_cond(struct policy_out *po, FILE *f, const struct syscall_desc *s,
		      const struct oci_entry *rep)
{
	static const char *const rel[] = { [LC_EQ] = "==", [LC_NE] = "!=", [LC_LT] = "<",
					   [LC_LE] = "<=", [LC_GT] = ">", [LC_GE] = ">=" };
	for (int i = 0; i < rep->nargs; i++) {
		const struct oci_arg *arg = &rep->args[i];
		unsigned width;
		const char *name = arg_name(po, s, arg, po->mask, &width);
		if (!name)
			return -1;
		uint64_t W = width_mask(width);
		if ((arg->value & ~W) || (arg->op == LC_MASKED_EQ && (arg->value_two & ~W))) {
			diag_error(po->im->p.d, arg->value_loc,
				   "'%s' of '%s' is %u bits wide on an arch of this profile and the kernel reads "
				   "only those bits; a comparison with 0x%llx cannot be expressed",
				   name, s->name, width,
				   (unsigned long long)(arg->op == LC_MASKED_EQ && !(arg->value & ~W)
								? arg->value_two : arg->value));
			return -1;
		}
		fputs(i ? " && " : " if ", f);
		if (arg->op == LC_MASKED_EQ) {
			fprintf(f, "(%s & ", name);
			write_value(f, arg->value);
			fputs(") == ", f);
			write_value(f, arg->value_two);
		} else {
			fprintf(f, "%s %s ", name, rel[arg->op]);
			write_value(f, arg->value);
		}
	}
	return 0;
}

/* Chooses names for the rule group of REP whose meaning on every arch lies
 * inside the group; returns 1 when they cover it, 0 when no names can,
 * -1 after an error. Writes "ACTION a, b, c;" or one conditional rule per
 * name. */
static int write_group(struct policy_out *po, const struct oci_entry *rep, FILE *f)
{
	const struct syscall_desc **chosen = arena_alloc(po->im->p.a, syscall_count() * sizeof(*chosen));
	size_t nchosen = 0;
	for (size_t i = 0; i < syscall_count(); i++) {
		const struct syscall_desc *s = syscall_at(i);
		int inside = 1, any = 0, new = 0;
		for (int a = 0; a < ARCH_COUNT && inside; a++) {
			if (!(po->mask & (1u << a)) || s->nr[a] < 0)
				continue;
			any = 1;
			inside = in_group(po, rep, a, s->nr[a]);
			int seen = 0;
			for (size_t k = 0; k < nchosen && !seen; k++)
				seen = chosen[k]->nr[a] == s->nr[a];
			new |= !seen;
		}
		if (inside && any && new)
			chosen[nchosen++] = s;
	}
	/* every (arch, number) of the group must be named */
	for (size_t i = 0; i < po->n; i++) {
		const struct item *it = &po->items[i];
		if (it->dropped || it->e->action != rep->action || !same_cond(it->e, rep))
			continue;
		int covered = 0;
		for (size_t k = 0; k < nchosen && !covered; k++)
			covered = chosen[k]->nr[it->arch] == it->nr;
		if (!covered) {
			po->uncovered = it;
			return 0;
		}
	}
	char act[32];
	action_text(rep->action, act, sizeof(act));
	if (rep->nargs == 0) {
		int col = fprintf(f, "    %s", act);
		for (size_t k = 0; k < nchosen; k++) {
			if (col + (int)strlen(chosen[k]->name) + 2 > 78) {
				fputs(k ? ",\n       " : "\n       ", f);
				col = 7;
			} else if (k) {
				fputc(',', f);
				col++;
			}
			col += fprintf(f, " %s", chosen[k]->name);
		}
		fputs(";\n", f);
		return 1;
	}
	for (size_t k = 0; k < nchosen; k++) {
		fprintf(f, "    %s %s", act, chosen[k]->name);
		if (write_cond(po, f, chosen[k], rep))
			return -1;
		fputs(";\n", f);
	}
	return 1;
}

/* Writes every rule group of the policy, unconditional ones first per
 * action. Returns 1, 0 (not expressible with these arches) or -1. */
static int write_rules(struct policy_out *po)
{
	int rc = 1;
	for (int pass = 0; pass < 2 && rc == 1; pass++) {
		for (size_t i = 0; i < po->n && rc == 1; i++) {
			const struct item *it = &po->items[i];
			if (it->dropped || (it->e->nargs != 0) != pass)
				continue;
			int first = 1;
			for (size_t k = 0; k < i && first; k++)
				first = po->items[k].dropped || po->items[k].e->action != it->e->action ||
					!same_cond(po->items[k].e, it->e);
			if (first)
				rc = write_group(po, it->e, po->body);
		}
	}
	return rc;
}

static void arch_line(FILE *f, unsigned mask)
{
	int n = 0;
	for (int a = 0; a < ARCH_COUNT; a++)
		if (mask & (1u << a))
			fprintf(f, "%s%s", n++ ? ", " : "    arch ", arch_table[a].name);
	if (n)
		fputs(";\n", f);
}

/* Gathers the items of the entries HOST uses for the arches of MASK. */
static int gather(struct policy_out *po, int host, unsigned mask)
{
	struct importer *im = po->im;
	for (size_t i = 0; i < im->p.entries.n; i++) {
		const struct oci_entry *e = im->p.entries.v[i];
		const char *why = NULL;
		int used = oci_entry_used(&im->p, e, host, &why);
		if (used < 0)
			return -1;
		if (!used) {
			const char *first = e->names.n ? ((const struct json *)e->names.v[0])->text : "";
			fprintf(po->comments, "# entry %zu (%s%s): left out, %s\n", e->seq, first,
				e->names.n > 1 ? ", ..." : "", why);
			continue;
		}
		for (size_t k = 0; k < e->names.n; k++) {
			const struct json *name = e->names.v[k];
			for (int a = 0; a < ARCH_COUNT; a++) {
				int nr = mask & (1u << a) ? oci_kernel_nr(name->text, a) : -1;
				if (nr >= 0)
					add_item(po, a, nr, e, name);
			}
		}
	}
	return 0;
}

static int write_policy(struct importer *im, const char *name, int host, unsigned mask);

/* One policy per arch, when the host's arches cannot share one. */
static int split_policy(struct importer *im, const char *name, int host, unsigned mask,
			const struct item *why)
{
	diag_warning(im->p.d, why->name->loc,
		     "'%s' is syscall %d on %s, and no sysfence name means just the syscalls this profile "
		     "names on every arch of '%s'; writing one policy per arch",
		     why->name->text, why->nr, arch_table[why->arch].name, name);
	for (int a = 0; a < ARCH_COUNT; a++)
		if ((mask & (1u << a)) &&
		    write_policy(im, arena_printf(im->p.a, "%s_%s", name, arch_table[a].name), host, 1u << a))
			return -1;
	return 0;
}

static int write_policy(struct importer *im, const char *name, int host, unsigned mask)
{
	struct policy_out po = { im, mask, NULL, 0, 0, NULL, NULL, NULL };
	char *body = NULL, *comments = NULL;
	size_t body_len = 0, comments_len = 0;
	po.body = open_memstream(&body, &body_len);
	po.comments = open_memstream(&comments, &comments_len);
	int rc = po.body && po.comments ? 0 : -1;
	if (rc == 0)
		rc = gather(&po, host, mask);
	if (rc == 0)
		rc = simplify(&po, im->p.default_action);
	if (rc == 0)
		rc = write_rules(&po);
	if (po.body)
		fclose(po.body);
	if (po.comments)
		fclose(po.comments);
	if (rc == 1) {
		char def[32];
		fprintf(im->out, "\npolicy %s {\n    default %s;\n", name,
			action_text(im->p.default_action, def, sizeof(def)));
		arch_line(im->out, mask);
		if (comments_len) {
			/* indent the comments into the policy */
			for (char *line = comments; *line;) {
				char *nl = strchr(line, '\n');
				fprintf(im->out, "    %.*s\n", (int)(nl ? nl - line : (long)strlen(line)), line);
				line = nl ? nl + 1 : line + strlen(line);
			}
		}
		fputs(body, im->out);
		fputs("}\n", im->out);
		rc = 0;
	} else if (rc == 0) {
		rc = split_policy(im, name, host, mask, po.uncovered);
	}
	free(body);
	free(comments);
	return rc;
}

/* ---- the whole profile ---- */

/* Warns once about each name no supported arch knows, which the policy
 * cannot mention. A name only this libseccomp does not know (newer than
 * its tables: mseal, listmount, ...) stays: runc with a newer libseccomp
 * filters it, and so does sysfence (backend.c's stand-ins). */
static void unknown_names(struct importer *im)
{
	int header = 0;
	size_t col = 0;
	for (size_t i = 0; i < im->p.entries.n; i++) {
		const struct oci_entry *e = im->p.entries.v[i];
		int used = 0;
		for (int g = 0; g < im->p.ngroups && !used; g++) {
			const char *why;
			used = oci_entry_used(&im->p, e, im->p.groups[g].host, &why) == 1;
		}
		for (size_t k = 0; used && k < e->names.n; k++) {
			const struct json *name = e->names.v[k];
			int known = 0;
			for (int a = 0; a < ARCH_COUNT && !known; a++)
				known = oci_kernel_nr(name->text, a) >= 0;
			if (known)
				continue;
			diag_warning(im->p.d, name->loc, "no arch sysfence knows has a syscall '%s'; it is left out",
				     name->text);
			if (!header)
				col = fprintf(im->p.notes_f, "# Syscalls left out (no supported arch has them):");
			else if (col + strlen(name->text) + 2 > 78)
				col = fprintf(im->p.notes_f, ",\n#  ");
			else
				col += fprintf(im->p.notes_f, ",");
			col += fprintf(im->p.notes_f, " %s", name->text);
			header = 1;
		}
	}
	if (header)
		fputc('\n', im->p.notes_f);
}

static const char *policy_name(struct importer *im, const struct source *src)
{
	const char *base = im->p.o->name;
	if (!base) {
		base = strrchr(src->path, '/') ? strrchr(src->path, '/') + 1 : src->path;
		char *dot = strrchr(base, '.');
		base = dot ? arena_strndup(im->p.a, base, (size_t)(dot - base)) : base;
	}
	char *out = arena_printf(im->p.a, "%s%s", isalpha((unsigned char)base[0]) || base[0] == '_' ? "" : "p_",
				 base);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
	return out;
}

static void write_header(struct importer *im, const struct source *src)
{
	fprintf(im->out, "# Imported from %s by sysfence import-oci.\n", src->path);
	fputs("# Capabilities granted: ", im->out);
	for (size_t i = 0; i < im->p.o->ncaps; i++)
		fprintf(im->out, "%s%s", i ? ", " : "", im->p.o->caps[i]);
	fprintf(im->out, "%s\n", im->p.o->ncaps ? "." : "none (entries that need one are left out; --cap CAP grants one).");
	if (im->p.o->kernel_major < 0)
		fputs("# minKernel: assumed satisfied (the filter runs on a kernel at least as new as\n"
		      "# every minKernel; --kernel X.Y decides it for one kernel).\n", im->out);
	else
		fprintf(im->out, "# minKernel: decided for kernel %d.%d.\n", im->p.o->kernel_major,
			im->p.o->kernel_minor);
	fputs("# Entries are numbered from 1 in the order of the profile's \"syscalls\".\n", im->out);
	fflush(im->p.notes_f);
	fputs(im->notes, im->out);
}

int oci_import(struct arena *a, struct diag *d, const struct source *src,
	       const struct oci_import_options *o, char **text, size_t *len)
{
	struct importer im = { .p = { .a = a, .d = d, .o = o } };
	*text = NULL;
	*len = 0;
	im.p.root = json_parse(a, d, src);
	if (!im.p.root)
		return -1;
	im.p.notes_f = open_memstream(&im.notes, &im.notes_len);
	im.out = open_memstream(text, len);
	if (!im.p.notes_f || !im.out)
		abort();
	int rc = oci_profile_read(&im.p);
	if (rc == 0 && im.p.ngroups == 0) {
		diag_error(d, json_key_loc(im.p.root, "architectures"),
			   "none of the profile's architectures is one sysfence compiles for "
			   "(SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64)");
		rc = -1;
	}
	if (rc == 0) {
		unknown_names(&im);
		write_header(&im, src);
		const char *name = policy_name(&im, src);
		for (int g = 0; g < im.p.ngroups && rc == 0; g++) {
			const struct oci_group *gr = &im.p.groups[g];
			if (o->arch_mask && !(gr->mask & o->arch_mask))
				continue;
			const char *pname = im.p.ngroups > 1 ? arena_printf(a, "%s_%s", name, arch_table[gr->host].name)
							  : name;
			if (gr->host >= 0 && im.p.ngroups > 1)
				fprintf(im.out, "\n# For %s hosts (Docker's archMap entry %s).", oci_host_names(gr->host)[0],
					oci_arch_token(gr->host));
			rc = write_policy(&im, pname, gr->host, o->arch_mask ? gr->mask & o->arch_mask : gr->mask);
		}
	}
	fclose(im.p.notes_f);
	free(im.notes);
	fclose(im.out);
	if (rc || diag_failed(d)) {
		free(*text);
		*text = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}
