/* `sysfence doc FILE...`: a Markdown table of every ruleset in the files
 * (docs/stdlib.md is made this way). */
#include <string.h>

#include "cli/cli.h"
#include "driver/compilation.h"
#include "tools/doc.h"

/* Titles name the file as it is imported: "stdlib/io" for
 * policies/stdlib/io.policy. */
static const char *doc_title(struct arena *a, const char *path)
{
	const char *p = strstr(path, "policies/");
	char *title = arena_strdup(a, p ? p + 9 : path);
	char *dot = strrchr(title, '.');
	if (dot && strcmp(dot, ".policy") == 0)
		*dot = '\0';
	return title;
}

/* Each file must resolve cleanly: a reference of a broken file would lie. */
static int doc_files(struct cli *cli, const struct cli_opts *o)
{
	const struct pipeline_opts po = { .unit = &o->unit, .stop = PIPELINE_RESOLVE };
	int rc = 0;
	for (int i = 0; i < o->nfiles && rc == 0; i++) {
		struct compilation c;
		if (pipeline_run(&c, &cli->diag, &po, o->files[i]) == 0)
			doc_file(stdout, c.unit.root, doc_title(c.arena, o->files[i]));
		else
			rc = 1;
		compilation_free(&c);
	}
	return rc;
}

int cmd_doc(struct cli *cli, int argc, char **argv)
{
	struct cli_opts o;
	int status;
	if (cli_options_parse(cli, argc, argv, &o, &status) == 0)
		status = o.nfiles ? doc_files(cli, &o) : cli_usage_error(cli, NULL);
	cli_options_free(&o);
	return status;
}
