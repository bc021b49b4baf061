/* store_int.h — internal to src/store: what reader.c needs from store.c. Never included outside
 * src/store. */
#ifndef KEFU_STORE_STORE_INT_H
#define KEFU_STORE_STORE_INT_H

#include <sqlite3.h>

#include "base/err.h"

struct store;

/* The database file path; borrowed, valid until store_close(). */
const char *store__path(const struct store *s);

/* Opens a connection with flags | SQLITE_OPEN_NOMUTEX and the store's busy timeout. Returns 0 and
 * *out (caller closes with sqlite3_close) or -KEFU_ESTORE. */
int store__db_open(const char *path, int flags, sqlite3 **out, struct kefu_err *err);

#endif
