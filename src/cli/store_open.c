/* store_open.c — opening the store for a subcommand, with the error told once to the user. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

struct store *cli_open_store(const char *path)
{
	struct store *s = NULL;
	struct kefu_err err = {0};
	if (store_open(path, NULL, &s, &err) < 0) {
		fprintf(stderr, "kefu: cannot open store %s: %s\n", path, err.msg);
		return NULL;
	}
	return s;
}
