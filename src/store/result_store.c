/* result_store.c — the SQL of recorded assessment results (result_store.h): the event rows of
 * assess.result_recorded and their kpi_results projection, written on the assessment store's own
 * connection inside BEGIN IMMEDIATE so that two recorders of one period cannot both write. Also the
 * projection used when such an event arrives through the store writer (projection.c). */
#include "store/result_store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/assess_store.h"
#include "store/store_int.h"

static const char *const SQL_ANY = "SELECT 1 FROM kpi_results WHERE period = ?1 AND profile = ?2 LIMIT 1";
static const char *const SQL_EVENT = "INSERT INTO events(at_ms, type, session, actor, data) VALUES (?1, "
				     "'assess.result_recorded', NULL, ?2, ?3)";
static const char *const SQL_ROW = "INSERT OR IGNORE INTO kpi_results(period, profile, agent, result, data, "
				   "at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char *const SQL_GET = "SELECT data, at_ms FROM kpi_results WHERE period = ?1 AND profile = ?2 "
				   "ORDER BY agent, result";

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct kefu_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare results statement: %s",
				sqlite3_errmsg(db));
	return 0;
}

/* The kpi_results row of one payload (the event row is the caller's). */
static int put_row(sqlite3 *db, const json_t *data, const char *text, int64_t at_ms, struct kefu_err *err)
{
	const char *period = json_string_value(json_object_get(data, "period"));
	const char *profile = json_string_value(json_object_get(data, "profile"));
	const char *agent = json_string_value(json_object_get(data, "agent"));
	const char *result = json_string_value(json_object_get(data, "result"));
	if (!period || !profile || !agent || !result)
		return KEFU_ERR(err, KEFU_EINVAL, "data",
				"assess.result_recorded needs period, profile, agent and result");
	sqlite3_stmt *st = NULL;
	int rc = prep(db, SQL_ROW, &st, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, profile, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "insert result: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int store__result_project(sqlite3 *db, const json_t *data, int64_t at_ms, struct kefu_err *err)
{
	char *text = json_dumps(data, JSON_COMPACT);
	int rc =
	    text ? put_row(db, data, text, at_ms, err) : KEFU_ERR(err, KEFU_ENOMEM, "data", "out of memory");
	free(text);
	return rc;
}

static int any_recorded(sqlite3 *db, const char *period, const char *profile, bool *any, struct kefu_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(db, SQL_ANY, &st, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, profile, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW || s == SQLITE_DONE)
		*any = s == SQLITE_ROW;
	else
		rc = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read results: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

static int append_all(sqlite3 *db, const char *period, const char *profile, json_t *events, int64_t now_ms,
		      const char *actor, size_t *n, struct kefu_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(db, SQL_EVENT, &st, err);
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		if (rc < 0)
			break;
		json_object_set_new(ev, "period", json_string(period));
		json_object_set_new(ev, "profile", json_string(profile));
		char *text = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
		if (!text) {
			rc = KEFU_ERR(err, KEFU_ENOMEM, "data", "out of memory");
			break;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, now_ms);
		if (actor)
			sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "insert event: %s", sqlite3_errmsg(db));
		if (rc == 0)
			rc = put_row(db, ev, text, now_ms, err);
		free(text);
		if (rc == 0)
			(*n)++;
	}
	sqlite3_finalize(st);
	return rc;
}

int assess_results_record(struct assess_store *a, const char *period, const char *profile, json_t *events,
			  int64_t now_ms, const char *actor, bool *already, size_t *n, struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	*already = false;
	*n = 0;
	int rc = assess_store_begin(a, err);
	if (rc == 0)
		rc = any_recorded(db, period, profile, already, err);
	if (rc == 0 && !*already)
		rc = append_all(db, period, profile, events, now_ms, actor, n, err);
	if (rc == 0)
		rc = assess_store_commit(a, err);
	if (rc < 0) {
		assess_store_rollback(a);
		*n = 0;
	}
	return rc;
}

int assess_results_get(struct assess_store *a, const char *period, const char *profile, json_t **out,
		       struct kefu_err *err)
{
	sqlite3 *db = assess_store__db(a);
	sqlite3_stmt *st = NULL;
	int rc = prep(db, SQL_GET, &st, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, profile, -1, SQLITE_STATIC);
	json_t *arr = json_array();
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		if (!json_is_object(o)) {
			json_decref(o);
			continue;
		}
		json_object_set_new(o, "at_ms", json_integer(sqlite3_column_int64(st, 1)));
		json_array_append_new(arr, o);
	}
	if (s != SQLITE_DONE) {
		rc = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "read results: %s", sqlite3_errmsg(db));
		json_decref(arr);
	} else {
		*out = arr;
	}
	sqlite3_finalize(st);
	return rc;
}
