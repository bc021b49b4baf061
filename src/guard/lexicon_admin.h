/* lexicon_admin.h — admin edits of the lexicon files (issue 4: "editable by an admin through the
 * API, and reloaded without a restart"): list, read, and replace one file. A replacement is
 * validated by loading the whole set with the new file in a scratch copy; only a set that loads is
 * written (atomically) and handed back for the caller to swap in, so the rules in force stay in
 * force when an entry is bad. Blocking work (0.5–1 s): call from a worker thread. */
#ifndef KEFU_GUARD_LEXICON_ADMIN_H
#define KEFU_GUARD_LEXICON_ADMIN_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

struct guard;

#define LEXICON_MAX_BYTES (4u * 1024 * 1024) /* one lexicon file */

/* True for a plain lexicon file name: [a-z0-9_.-]+ ending in ".tsv", no leading dot. */
int lexicon_name_valid(const char *name);
/* [{"file","bytes","version"}] for the *.tsv files of dir, by name (new ref). */
int lexicon_list(const char *dir, json_t **out, struct kefu_err *err);
/* Reads dir/name; caller frees *content. -KEFU_ENOTFOUND when absent. */
int lexicon_read(const char *dir, const char *name, char **content, size_t *len, struct kefu_err *err);
/* Validates and writes dir/name := content (new files allowed). On success *out is the loaded
 * guard of the new set (caller owns one reference). On a bad entry nothing is written and
 * err->field is "name:line". */
int lexicon_replace(const char *dir, const char *name, const char *content, size_t len, struct guard **out,
		    struct kefu_err *err);

#endif
