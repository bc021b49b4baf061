/* store_int.h — internal to src/store: what reader.c needs from store.c. Never included outside
 * src/store. */
#ifndef KEFU_STORE_STORE_INT_H
#define KEFU_STORE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/err.h"

struct store;

/* The database file path; borrowed, valid until store_close(). */
const char *store__path(const struct store *s);

/* Opens a connection with flags | SQLITE_OPEN_NOMUTEX and the store's busy timeout. Returns 0 and
 * *out (caller closes with sqlite3_close) or -KEFU_ESTORE. */
int store__db_open(const char *path, int flags, sqlite3 **out, struct kefu_err *err);

/* The read-write connection of an assessment store (result_store.c runs its SQL on it). */
struct assess_store;
sqlite3 *assess_store__db(struct assess_store *a);
/* The kpi_results row of an assess.result_recorded payload (result_store.c; projection.c). */
struct json_t;
int store__result_project(sqlite3 *db, const struct json_t *data, int64_t at_ms, struct kefu_err *err);

/* Appends result column i of st to out in the canonical form the import compares (a 0x1f before
 * every column but the first; NULL as "~", integers in decimal, reals as %.17g, text as stored).
 * Shared by assess_store.c and people_store.c. */
struct buf;
void store__canon_col(sqlite3_stmt *st, int i, struct buf *out);

#endif
