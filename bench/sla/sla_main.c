/* sla_main.c — the SLA benchmark (issue 6): N tickets (default 1,000,000) each get one deadline
 * (a third P1 30 min wall time, a third 2 h business time, a third 1 business day, N-06/N-13) created
 * over one Monday's working hours; the simulated clock then ticks once per simulated second until
 * every deadline has warned and breached. The same tickets are run twice in one process:
 *   engine — src/ticket/sla.c (heap keyed by next instant), sla_run() at every tick;
 *   sql    — the baseline: a SQLite table (WAL, synchronous=NORMAL, like the store) swept at every
 *            tick with SELECT … WHERE next_ms <= now AND done = 0 through a partial index on
 *            next_ms, then UPDATE of each fired row, one transaction per tick with work.
 * Both must fire the same warnings and breaches (checked). A full-scan sweep (no index) is timed
 * on a few ticks and extrapolated. SQL is used here only as the baseline being measured. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/mem.h"
#include "ticket/sla.h"

struct sim {
	int64_t now;
	uint64_t fired[2]; /* warns, breaches */
	uint64_t check; /* order-independent checksum of (id, phase) */
};

static int64_t sim_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static double secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t id, int phase)
{
	uint64_t x = id * 2 + (uint64_t)phase + 0x9e3779b97f4a7c15ULL;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fired_cb(void *arg, enum sla_phase phase, const struct sla_state *st, int64_t now)
{
	struct sim *s = arg;
	s->fired[phase == SLA_PHASE_BREACH]++;
	s->check += mix(strtoull(st->id + 1, NULL, 10), phase == SLA_PHASE_BREACH);
}

static void die_sql(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench_sla: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die_sql(db, sql);
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int64_t tick = 1000; /* simulated ms between sweeps */
	if (n <= 0) {
		fprintf(stderr, "usage: bench_sla [TICKETS]\n");
		return 2;
	}
	char calpath[4096];
	struct calendar *cal;
	struct kefu_err err = {0};
	if (calendar_load_file(calendar_default_path(calpath, sizeof calpath), &cal, &err) < 0) {
		fprintf(stderr, "bench_sla: calendar %s: %s\n", calpath, err.msg);
		return 1;
	}
	int64_t day0;
	const char *monday = "2026-03-09T09:00:00+08:00";
	clock_parse_rfc3339(monday, strlen(monday), &day0);
	const int64_t workday = 9 * 3600000LL;
	const struct sla_spec specs[3] = {
	    {SLA_WALL, {CAL_MINUTES, 30}, 0}, /* N-13 P1 */
	    {SLA_BUSINESS, {CAL_MINUTES, 120}, 0}, /* N-06 first acceptance */
	    {SLA_BUSINESS, {CAL_BDAYS, 1}, 0}, /* N-06 first solution */
	};
	int64_t *start = xmalloc((size_t)n * sizeof *start);
	for (long i = 0; i < n; i++)
		start[i] = day0 + (int64_t)(xorshift() % (uint64_t)workday);

	/* ---- engine ---- */
	struct sim es = {.now = day0};
	struct kefu_clock clk = {sim_now, &es};
	struct sla_options o = {&clk, cal, fired_cb, &es, 0};
	struct sla_engine *e;
	if (sla_new(&o, &e, &err) < 0)
		return 1;
	struct sla_state *states = xmalloc((size_t)n * sizeof *states);
	double t0 = secs();
	int64_t last_due = 0;
	for (long i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof id, "t%ld", i);
		if (sla_start(e, id, start[i], &specs[i % 3], &states[i], &err) < 0) {
			fprintf(stderr, "bench_sla: start: %s\n", err.msg);
			return 1;
		}
		if (states[i].due_ms > last_due)
			last_due = states[i].due_ms;
	}
	double e_sched = secs() - t0;
	t0 = secs();
	long ticks = 0;
	for (es.now = day0; es.now <= last_due + tick; es.now += tick, ticks++)
		sla_run(e);
	double e_fire = secs() - t0;
	if (sla_count(e) != 0) {
		fprintf(stderr, "bench_sla: %zu timers left in the engine\n", sla_count(e));
		return 1;
	}
	sla_free(e);

	/* ---- SQL sweep baseline ---- */
	char path[] = "/tmp/bench_sla_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die_sql(db, "open");
	exec(db,
	     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
	     "CREATE TABLE sla(id INTEGER PRIMARY KEY, warned INTEGER NOT NULL, done INTEGER NOT NULL,"
	     " warn_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, next_ms INTEGER NOT NULL);");
	sqlite3_stmt *ins, *sel, *upw, *upb, *scan;
	if (sqlite3_prepare_v2(db, "INSERT INTO sla VALUES (?1, 0, 0, ?2, ?3, ?2)", -1, &ins, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT id, warned FROM sla WHERE next_ms <= ?1 AND done = 0", -1, &sel,
			       NULL) ||
	    sqlite3_prepare_v2(db, "UPDATE sla SET warned = 1, next_ms = due_ms WHERE id = ?1", -1, &upw,
			       NULL) ||
	    sqlite3_prepare_v2(db, "UPDATE sla SET done = 1 WHERE id = ?1", -1, &upb, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT id, warned FROM sla NOT INDEXED WHERE next_ms <= ?1 AND done = 0",
			       -1, &scan, NULL))
		die_sql(db, "prepare");
	t0 = secs();
	exec(db, "BEGIN");
	for (long i = 0; i < n; i++) {
		sqlite3_bind_int64(ins, 1, i);
		sqlite3_bind_int64(ins, 2, states[i].warn_ms);
		sqlite3_bind_int64(ins, 3, states[i].due_ms);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die_sql(db, "insert");
		sqlite3_reset(ins);
	}
	exec(db, "CREATE INDEX sla_next ON sla(next_ms) WHERE done = 0");
	exec(db, "COMMIT");
	double s_sched = secs() - t0;

	/* full-scan sweep cost, a few ticks on the fresh table (nothing due yet: pure scan cost) */
	double t_scan = secs();
	int scans = 5;
	for (int k = 0; k < scans; k++) {
		sqlite3_bind_int64(scan, 1, day0 - 1);
		while (sqlite3_step(scan) == SQLITE_ROW)
			;
		sqlite3_reset(scan);
	}
	double per_scan = (secs() - t_scan) / scans;

	struct sim ss = {0};
	int64_t *ids = xmalloc((size_t)n * sizeof *ids);
	int *warned = xmalloc((size_t)n * sizeof *warned);
	t0 = secs();
	for (int64_t now = day0; now <= last_due + tick; now += tick) {
		long k = 0;
		sqlite3_bind_int64(sel, 1, now);
		while (sqlite3_step(sel) == SQLITE_ROW) {
			ids[k] = sqlite3_column_int64(sel, 0);
			warned[k++] = sqlite3_column_int(sel, 1);
		}
		sqlite3_reset(sel);
		if (!k)
			continue;
		exec(db, "BEGIN");
		for (long j = 0; j < k; j++) {
			sqlite3_stmt *u = warned[j] ? upb : upw;
			sqlite3_bind_int64(u, 1, ids[j]);
			if (sqlite3_step(u) != SQLITE_DONE)
				die_sql(db, "update");
			sqlite3_reset(u);
			ss.fired[warned[j]]++;
			ss.check += mix((uint64_t)ids[j], warned[j]);
		}
		exec(db, "COMMIT");
		/* a warn whose due is also past breaches at the next tick here, in the same sla_run()
		 * in the engine: the same set fires, the checksum ignores order */
	}
	double s_fire = secs() - t0;
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	sqlite3_finalize(upw);
	sqlite3_finalize(upb);
	sqlite3_finalize(scan);
	sqlite3_close(db);
	unlink(path);
	char wal[sizeof path + 8];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);

	int same = es.fired[0] == ss.fired[0] && es.fired[1] == ss.fired[1] && es.check == ss.check;
	printf("sla bench: %ld tickets (1/3 wall 30m, 1/3 business 2h, 1/3 1bd) created Mon 09:00-18:00, "
	       "%ld ticks of %lld ms simulated\n",
	       n, ticks, (long long)tick);
	printf("%-28s %12s %12s %12s %14s\n", "engine", "schedule s", "fire s", "total s", "timers/s");
	printf("%-28s %12.3f %12.3f %12.3f %14.0f\n", "engine (heap)", e_sched, e_fire, e_sched + e_fire,
	       (double)n / (e_sched + e_fire));
	printf("%-28s %12.3f %12.3f %12.3f %14.0f\n", "sqlite sweep (indexed)", s_sched, s_fire,
	       s_sched + s_fire, (double)n / (s_sched + s_fire));
	printf("sqlite sweep without index: %.3f s per sweep over %ld rows -> %.0f s for %ld ticks "
	       "(extrapolated)\n",
	       per_scan, n, per_scan * (double)ticks, ticks);
	printf("fired: engine %llu warns + %llu breaches, sql %llu + %llu, same set: %s\n",
	       (unsigned long long)es.fired[0], (unsigned long long)es.fired[1],
	       (unsigned long long)ss.fired[0], (unsigned long long)ss.fired[1], same ? "yes" : "NO");
	printf("ratio (sql indexed / engine, total): %.1fx; fire phase only: %.1fx; "
	       "full-scan sweep / engine: %.0fx\n",
	       (s_sched + s_fire) / (e_sched + e_fire), s_fire / e_fire,
	       (s_sched + per_scan * (double)ticks) / (e_sched + e_fire));
	free(start);
	free(states);
	free(ids);
	free(warned);
	calendar_free(cal);
	return same ? 0 : 1;
}
