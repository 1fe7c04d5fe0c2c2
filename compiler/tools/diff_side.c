/* One side of `sysfence diff`: a policy source compiled by the usual
 * pipeline, or a raw .bpf read and checked as `sim` does. */
#include <stdlib.h>
#include <string.h>

#include "bpf/insn.h"
#include "tools/diff.h"
#include "tools/sim.h"

/* A .bpf does not say which arches it is for; it names them by comparing
 * seccomp_data.arch with their AUDIT_ARCH. x32 shares x86_64's, so it
 * comes along with it (its syscalls then show what the filter does to
 * x32 numbers). */
static unsigned bpf_arches(const struct sock_filter *p, size_t len)
{
	unsigned mask = 0;
	for (size_t i = 0; i < len; i++) {
		struct cbpf_insn in;
		if (cbpf_decode(p, len, i, &in) || in.kind != CBPF_JUMP || in.op != CBPF_JEQ ||
		    in.src != CBPF_K)
			continue;
		for (int a = 0; a < ARCH_COUNT; a++)
			if (arch_table[a].audit_arch == in.k)
				mask |= 1u << a;
	}
	return mask;
}

int diff_side_open(struct diff_side *s, const struct diff_request *req, const char *file)
{
	memset(s, 0, sizeof(*s));
	s->file = file;
	s->is_bpf = is_bpf_file(file);
	if (s->is_bpf) {
		s->insns = read_bpf(file, &s->len);
		if (!s->insns)
			return -1;
		s->arch_mask = bpf_arches(s->insns, s->len);
		return 0;
	}
	/* Each source is compiled for its own arches: --arch selects what
	 * is compared, it does not retarget a policy. */
	s->compiled = 1;
	if (compilation_run(&s->c, req->opts, file, req->policy, 0, stderr))
		return -1;
	s->arch_mask = s->c.pb.arch_mask;
	return 0;
}

void diff_side_close(struct diff_side *s)
{
	if (s->compiled)
		compilation_free(&s->c);
	free(s->insns);
	s->compiled = 0;
	s->insns = NULL;
}

uint32_t diff_side_eval(const struct diff_side *s, int arch, uint32_t nr, const uint64_t args[6],
			const struct rule **decided)
{
	uint32_t audit = arch_table[arch].audit_arch;
	if (!s->is_bpf)
		return policy_eval_rule(&s->c.pb, audit, nr, args, decided);
	*decided = NULL;
	struct seccomp_data d = { .nr = (int)nr, .arch = audit };
	memcpy(d.args, args, sizeof(d.args));
	uint32_t ret = SECCOMP_RET_KILL_PROCESS;
	/* read_bpf checked the program, so this cannot fail. */
	if (bpf_run(s->insns, s->len, &d, &ret, NULL))
		abort();
	return ret;
}
