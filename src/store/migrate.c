/* migrate.c — applies the embedded migrations (migrate.h) in order, each in its own IMMEDIATE
 * transaction together with its schema_version row, so a crash leaves either all or none of one
 * migration. It never edits an applied migration and never runs a migration twice. */
#include "store/migrate.h"

#include <stddef.h>

#include "base/clock.h"
#include "base/log.h"

static const char create_version_sql[] = "CREATE TABLE IF NOT EXISTS schema_version ("
					 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
					 "applied_ms INTEGER NOT NULL)";

int store__schema_version(sqlite3 *db, int *out, struct kefu_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "schema_version: %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "schema_version: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return r;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int apply_one(sqlite3 *db, const struct store__migration *m, struct kefu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "migration %s: begin: %s", m->name,
				sqlite3_errmsg(db));
	int have = 0; /* re-read under the write lock: another process may have migrated meanwhile */
	r = store__schema_version(db, &have, err);
	if (r < 0)
		goto fail;
	if (have >= m->version) {
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		return 0;
	}
	if (sqlite3_exec(db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "migration %s: %s", m->name, sqlite3_errmsg(db));
		goto fail;
	}
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO schema_version(version, name, applied_ms) VALUES (?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "migration %s: %s", m->name, sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_bind_int(st, 1, m->version);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "migration %s: record: %s", m->name,
			     sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "migration %s: commit: %s", m->name,
			     sqlite3_errmsg(db));
		goto fail;
	}
	log_info("store", "migrated version=%d name=%s", m->version, m->name);
	return 0;
fail:
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int store__migrate(sqlite3 *db, struct kefu_err *err)
{
	if (sqlite3_exec(db, create_version_sql, NULL, NULL, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "schema_version: %s", sqlite3_errmsg(db));
	int have = 0;
	int r = store__schema_version(db, &have, err);
	if (r < 0)
		return r;
	int newest = store__migrations_count > 0 ? store__migrations[store__migrations_count - 1].version : 0;
	if (have > newest)
		return KEFU_ERR(err, KEFU_ESTORE, "schema_version",
				"database schema version %d is newer than this binary's %d", have, newest);
	for (int i = 0; i < store__migrations_count; i++) {
		if (store__migrations[i].version <= have)
			continue;
		r = apply_one(db, &store__migrations[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
