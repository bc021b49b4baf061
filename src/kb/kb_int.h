/* kb_int.h — internal to src/kb: the loaded configuration shared by config.c and search.c.
 * Never included outside src/kb. */
#ifndef KEFU_KB_KB_INT_H
#define KEFU_KB_KB_INT_H

#include "kb/kb.h"

/* A list of normalised terms (owned strings). */
struct kb_terms {
	char **v;
	int n;
};

/* KB-2: when every keyword (one of its alternatives) occurs in a query, article comes first. */
struct kb_trigger {
	char *article; /* owned */
	struct kb_terms *kw; /* nkw keywords, each a list of alternatives */
	int nkw;
	int line; /* in triggers.tsv, for messages */
};

struct kb_config {
	struct store_kb_weights w; /* BM25 field weights */
	struct kb_terms *syn; /* nsyn synonym groups */
	int nsyn;
	struct kb_trigger *trig; /* ntrig triggers, in file order */
	int ntrig;
};

#endif
