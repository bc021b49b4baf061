/* migrate.h — internal to src/store: the numbered schema migrations and the code that applies them.
 * Migrations are embedded in the binary (migrations_embedded.c, copied from migrations/NNN_name.sql)
 * and applied in order at store_open, each in its own transaction, recorded in schema_version.
 * Nothing outside src/store includes this header. */
#ifndef KEFU_STORE_MIGRATE_H
#define KEFU_STORE_MIGRATE_H

#include <sqlite3.h>

#include "base/err.h"

struct store__migration {
	int version; /* NNN of the file name; strictly increasing in the array */
	const char *name; /* "NNN_name", the file name without .sql */
	const char *sql; /* the file's exact text */
};

extern const struct store__migration store__migrations[];
extern const int store__migrations_count;

/* Applies every embedded migration newer than the database's schema_version on db (a read-write
 * connection not inside a transaction). Returns 0, or -KEFU_ESTORE with err filled; a failed
 * migration is rolled back whole. Refuses a database whose version is newer than the binary's. */
int store__migrate(sqlite3 *db, struct kefu_err *err);

/* The highest version recorded in db's schema_version (0 for a new database) into *out.
 * Returns 0 or -KEFU_ESTORE. */
int store__schema_version(sqlite3 *db, int *out, struct kefu_err *err);

#endif
