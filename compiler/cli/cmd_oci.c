/* sysfence import-oci PROFILE [-o OUT] [--cap CAP]... [--kernel X.Y] [--name NAME] [--arch LIST]
 *                    [--format=json] */
#include "cli/cmd_oci.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arch.h"
#include "base/file.h"
#include "output/emit.h"
#include "tools/oci_import.h"

static const char usage[] =
	"usage: sysfence import-oci PROFILE.json [-o OUT] [--cap CAP]... [--kernel X.Y] [--name NAME]\n"
	"                           [--arch LIST] [--format=json]\n";

struct text {
	const char *p;
	size_t len;
};

static int write_text(FILE *out, void *ctx)
{
	const struct text *t = ctx;
	return fwrite(t->p, 1, t->len, out) == t->len ? 0 : -1;
}

static int parse_kernel(const char *s, struct oci_import_options *o)
{
	char tail;
	o->kernel_minor = 0;
	int n = sscanf(s, "%d.%d%c", &o->kernel_major, &o->kernel_minor, &tail);
	if (n < 1 || n > 2 || o->kernel_major < 0 || o->kernel_minor < 0) {
		fprintf(stderr, "sysfence: error: --kernel wants a version like 5.10, not '%s'\n", s);
		return -1;
	}
	return 0;
}

static int parse_arches(const char *list, unsigned *mask)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int a = arch_by_name(tok);
		if (a < 0) {
			fprintf(stderr, "sysfence: error: unknown arch '%s' (known: x86_64, x86, x32, aarch64)\n", tok);
			return -1;
		}
		*mask |= 1u << a;
	}
	return 0;
}

int cmd_import_oci(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, 0, 'o' }, { "cap", required_argument, 0, 'c' },
		{ "kernel", required_argument, 0, 'k' }, { "name", required_argument, 0, 'n' },
		{ "format", required_argument, 0, 'f' }, { "help", no_argument, 0, 'h' },
		{ "arch", required_argument, 0, 'a' },
		{ 0, 0, 0, 0 },
	};
	struct oci_import_options o = { .kernel_major = -1 };
	const char **caps = calloc((size_t)argc, sizeof(*caps));
	const char *out = "-";
	int json = 0, c;
	optind = 1;
	while (caps && (c = getopt_long(argc, argv, "o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': caps[o.ncaps++] = optarg; break;
		case 'k':
			if (parse_kernel(optarg, &o))
				goto bad;
			break;
		case 'n': o.name = optarg; break;
		case 'a':
			if (parse_arches(optarg, &o.arch_mask))
				goto bad;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0) {
				fprintf(stderr, "sysfence: error: import-oci writes a policy; --format takes only json "
						"(for the diagnostics)\n");
				goto bad;
			}
			json = 1;
			break;
		case 'h': fputs(usage, stdout); free(caps); return 0;
		default: goto bad;
		}
	}
	if (!caps || optind != argc - 1) {
		fputs(usage, stderr);
		goto bad;
	}
	o.caps = caps;
	struct diag d;
	diag_init(&d, stderr);
	d.json = json;
	struct arena *a = arena_new();
	int err = 0, rc = 1;
	const char *path = argv[optind];
	struct source *src = source_read(a, path, &err);
	char *text = NULL;
	size_t len = 0;
	if (!src)
		diag_error(&d, (struct loc){ 0 }, "cannot read '%s': %s", path, strerror(err));
	else if (oci_import(a, &d, src, &o, &text, &len) == 0) {
		struct text t = { text, len };
		rc = emit_atomic(&d, a, out, write_text, &t) ? 1 : 0;
	}
	free(text);
	if (!json && (d.errors || d.warnings))
		fprintf(stderr, "%d error%s, %d warning%s\n", d.errors, d.errors == 1 ? "" : "s",
			d.warnings, d.warnings == 1 ? "" : "s");
	arena_free(a);
	diag_fini(&d);
	free(caps);
	return rc;
bad:
	free(caps);
	return 2;
}
