/* Unit tests for src/store/migrate.c and migrations_embedded.c: the embedded SQL equals the .sql
 * files, migrations are applied once and recorded, reopening is idempotent, and a database from a
 * newer binary is refused. */
#include "store_fixture.h"

#include <dirent.h>
#include <sqlite3.h>

#include "store/migrate.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, fp);
	fclose(fp);
	s[got] = '\0';
	*len = got;
	return s;
}

static const char *source_dir(void)
{
	const char *d = getenv("KEFU_SOURCE_DIR");
	return d && *d ? d : KEFU_SOURCE_DIR;
}

static void embedded_sql_equals_sql_files(void **state)
{
	char path[1024];
	for (int i = 0; i < store__migrations_count; i++) {
		const struct store__migration *m = &store__migrations[i];
		snprintf(path, sizeof path, "%s/src/store/migrations/%s.sql", source_dir(), m->name);
		size_t len;
		char *text = read_file(path, &len);
		if (!text)
			print_error("cannot read %s\n", path);
		assert_non_null(text);
		assert_int_equal(len, strlen(m->sql));
		assert_string_equal(text, m->sql);
		free(text);
		if (i > 0)
			assert_true(m->version > store__migrations[i - 1].version);
		char prefix[8];
		snprintf(prefix, sizeof prefix, "%03d_", m->version);
		assert_memory_equal(m->name, prefix, 4);
	}
}

static void every_sql_file_is_embedded(void **state)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/src/store/migrations", source_dir());
	DIR *d = opendir(path);
	assert_non_null(d);
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".sql") != 0)
			continue;
		files++;
		bool found = false;
		for (int i = 0; i < store__migrations_count; i++)
			if (strlen(store__migrations[i].name) == n - 4 &&
			    strncmp(store__migrations[i].name, e->d_name, n - 4) == 0)
				found = true;
		if (!found)
			print_error("%s is not embedded in migrations_embedded.c\n", e->d_name);
		assert_true(found);
	}
	closedir(d);
	assert_int_equal(files, store__migrations_count);
}

static int count_rows(const char *db_path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void migrations_applied_once_and_idempotent_on_reopen(void **state)
{
	struct fx *f = fx_new(NULL);
	fx_append(f, "auth.login_failed", NULL, NULL, 0,
		  json_pack("{s:s,s:s}", "name", "x", "reason", "unknown_user"));
	fx_close_store(f);
	int newest = store__migrations[store__migrations_count - 1].version;
	assert_int_equal(count_rows(f->path, "SELECT max(version) FROM schema_version"), newest);
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM schema_version"), store__migrations_count);
	for (int i = 0; i < 2; i++) {
		fx_open_store(f, NULL);
		assert_int_equal(fx_events(f), 1);
		fx_close_store(f);
	}
	assert_int_equal(count_rows(f->path, "SELECT count(*) FROM schema_version"), store__migrations_count);
	assert_int_equal(
	    count_rows(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'events_no_update'"), 1);
	fx_free(f);
}

static void database_is_in_wal_mode(void **state)
{
	struct fx *f = fx_new(NULL);
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	fx_free(f);
}

static void newer_schema_is_refused(void **state)
{
	struct fx *f = fx_new(NULL);
	fx_close_store(f);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "INSERT INTO schema_version VALUES (999, '999_future', 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	struct kefu_err err;
	struct store *s = NULL;
	assert_int_equal(store_open(f->path, NULL, &s, &err), -KEFU_ESTORE);
	assert_null(s);
	fx_free(f);
}

static void events_table_is_append_only(void **state)
{
	struct fx *f = fx_new(NULL);
	fx_append(f, "auth.login_failed", NULL, NULL, 0,
		  json_pack("{s:s,s:s}", "name", "x", "reason", "unknown_user"));
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE events SET type = 'x'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(fx_events(f), 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(embedded_sql_equals_sql_files),
	    cmocka_unit_test(every_sql_file_is_embedded),
	    cmocka_unit_test(migrations_applied_once_and_idempotent_on_reopen),
	    cmocka_unit_test(database_is_in_wal_mode),
	    cmocka_unit_test(newer_schema_is_refused),
	    cmocka_unit_test(events_table_is_append_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
