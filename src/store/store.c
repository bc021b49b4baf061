/* store.c — opening and closing the database, the writer thread with its group commit, the
 * completion queue that hands results back to callers (store_poll, or a condvar for
 * store_append_sync), backups and counters. It owns the writer connection and every queued event
 * until its callback ran; SQL for events and projections lives in projection.c, readers in
 * reader.c. It never calls a completion callback before the event's transaction committed (or
 * failed), never calls one on the writer thread, and never logs payloads. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/kb_store.h"
#include "store/migrate.h"
#include "store/projection.h"
#include "store/store_int.h"
#include "store/store_test.h"

enum {
	DEFAULT_GROUP_MAX_EVENTS = 1000,
	/* 0: the writer commits whatever is queued as soon as it is free; under load the queue grows
	 * during each commit, so groups grow by themselves without adding latency at low load. */
	DEFAULT_GROUP_MAX_WAIT_US = 0,
	DEFAULT_QUEUE_MAX = 200000,
	BUSY_TIMEOUT_MS = 5000, /* writer and readers wait this long for a lock before SQLITE_BUSY */
};

/* One queued append; after the writer ran it, also its completion. One allocation holding the
 * copies of the borrowed strings after the struct. */
struct pending {
	struct pending *next; /* queue or completion list link */
	store_done_cb cb; /* may be NULL */
	void *arg;
	bool sync; /* store_append_sync: result delivered via done + sync_cv, not store_poll */
	bool done; /* sync only: result is ready (guarded by store.mu) */
	int64_t queued_ns; /* CLOCK_MONOTONIC when queued: the group timer starts at the oldest */
	struct store__ev ev; /* ev.data owned until the writer ran it, then NULL */
	int status; /* 0 or -KEFU_E… */
	int64_t event_id; /* > 0 when status is 0 */
	struct kefu_err err; /* detail when status < 0 */
	char strings[]; /* type, session, actor, NUL-terminated */
};

struct store {
	char *path; /* owned: database file */
	struct store_options opts; /* resolved: no zeros */
	sqlite3 *db; /* writer connection; only the writer thread touches it after open */
	struct store_proj *proj; /* writer statements */
	pthread_t writer;
	bool writer_started; /* pthread_create succeeded */
	pthread_mutex_t mu; /* guards everything below */
	pthread_cond_t work_cv; /* writer waits: first item, full group, or closing */
	pthread_cond_t sync_cv; /* sync appenders and concurrent drains wait for results */
	struct pending *q_head; /* queued, oldest first */
	struct pending *q_tail;
	int q_len; /* items in the queue (not yet taken by the writer) */
	uint64_t pending; /* queued + in the writer's current group */
	struct pending *done_head; /* completions for store_poll, oldest first */
	struct pending *done_tail;
	bool closing; /* store_drain began: appends refused */
	bool join_claimed; /* one drain joins the writer; others wait for drained */
	bool drained; /* the writer thread has exited */
	void (*notify)(void *arg); /* called from the writer thread when completions are ready */
	void *notify_arg;
	uint64_t events_committed;
	uint64_t commits;
	/* WAL checkpoints run on their own thread and connection, so a commit never waits for the
	 * fsyncs of a checkpoint (throughput and tail latency). */
	sqlite3 *ck_db; /* checkpointer connection */
	pthread_t ckpt; /* checkpointer thread */
	bool ckpt_started; /* pthread_create succeeded */
	pthread_mutex_t ck_mu; /* guards ck_wanted, ck_stop */
	pthread_cond_t ck_cv; /* the checkpointer waits for work or stop */
	bool ck_wanted; /* the WAL passed CKPT_PAGES since the last checkpoint */
	bool ck_stop; /* store_drain: finish */
};

#define CKPT_PAGES 4096 /* ask for a background checkpoint past this many WAL frames (16 MiB) */
#define CKPT_FORCE_PAGES                                                                                     \
	12288 /* the writer finishes a checkpoint itself past this (48 MiB): the background pass has copied  \
		 most frames by then, and only a writer-side pass lets the WAL restart under sustained load  \
	       */

/* ---- helpers ------------------------------------------------------------------------------- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Creates every missing directory above path (like mkdir -p of its dirname). */
static int mkdir_parents(const char *path, struct kefu_err *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1;; p++) {
			bool end = *p == '\0';
			if (*p == '/' || end) {
				*p = '\0';
				if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
					r = KEFU_ERR(err, KEFU_EIO, "path", "mkdir: %s", strerror(errno));
					break;
				}
				if (end)
					break;
				*p = '/';
			}
		}
	}
	free(dir);
	return r;
}

int store__db_open(const char *path, int flags, sqlite3 **out, struct kefu_err *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "open: %s",
				 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return r;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	int kr = store__kb_register(db, err); /* KB-2: kb_fts needs the tokenizer on every connection */
	if (kr < 0) {
		sqlite3_close(db);
		return kr;
	}
	*out = db;
	return 0;
}

/* Runs a PRAGMA and checks its one-row answer (want may be NULL). */
static int pragma(sqlite3 *db, const char *sql, const char *want, struct kefu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: %s", sql, sqlite3_errmsg(db));
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: %s", sql, sqlite3_errmsg(db));
	else if (want &&
		 (rc != SQLITE_ROW || !sqlite3_column_text(st, 0) ||
		  strcmp((const char *)sqlite3_column_text(st, 0), want) != 0))
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: not %s", sql, want);
	sqlite3_finalize(st);
	return r;
}

/* ---- checkpoints --------------------------------------------------------------------------- */

static void stop_checkpointer(struct store *s);

/* Called by SQLite on the writer thread after each commit with the WAL size in frames. */
static int wal_hook_cb(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *s = arg;
	if (frames >= CKPT_FORCE_PAGES) { /* the checkpointer cannot keep up: checkpoint here */
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	} else if (frames >= CKPT_PAGES) {
		pthread_mutex_lock(&s->ck_mu);
		s->ck_wanted = true;
		pthread_cond_signal(&s->ck_cv);
		pthread_mutex_unlock(&s->ck_mu);
	}
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->ck_mu);
	for (;;) {
		while (!s->ck_wanted && !s->ck_stop)
			pthread_cond_wait(&s->ck_cv, &s->ck_mu);
		if (s->ck_stop)
			break;
		s->ck_wanted = false;
		pthread_mutex_unlock(&s->ck_mu);
		int rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("store", "checkpoint failed rc=%d", rc);
		pthread_mutex_lock(&s->ck_mu);
	}
	pthread_mutex_unlock(&s->ck_mu);
	return NULL;
}

/* ---- writer thread ------------------------------------------------------------------------- */

/* Runs one group in one transaction: every event in its own savepoint so a failing event fails
 * only itself. Fills status/event_id/err of every item and frees the payloads. Returns the number
 * of events committed (0 when the transaction was lost), *committed whether COMMIT succeeded. */
static int run_group(struct store *s, struct pending **g, int n, bool *committed)
{
	struct kefu_err gerr; /* why the whole group failed */
	kefu_err_clear(&gerr);
	int ok = 0;
	bool broken = false; /* the transaction cannot be committed any more */
	*committed = false;
	int r = store__proj_tx(s->proj, STORE_TX_BEGIN, &gerr);
	if (r < 0)
		broken = true;
	for (int i = 0; i < n; i++) {
		struct pending *it = g[i];
		kefu_err_clear(&it->err);
		it->event_id = 0;
		if (broken) {
			it->status = -KEFU_ESTORE; /* detail copied from gerr below */
			continue;
		}
		int64_t id = 0;
		r = store__proj_tx(s->proj, STORE_TX_SAVEPOINT, &it->err);
		if (r < 0) {
			it->status = r;
			if (sqlite3_get_autocommit(s->db)) { /* SQLite rolled the transaction back itself */
				broken = true;
				gerr = it->err;
			}
			continue;
		}
		r = store__proj_event(s->proj, &it->ev, &id, &it->err);
		if (r == 0)
			r = store__proj_tx(s->proj, STORE_TX_RELEASE, &it->err);
		if (r == 0) {
			it->status = 0;
			it->event_id = id;
			ok++;
			continue;
		}
		it->status = r;
		log_warn("store", "event rejected type=%s code=%s field=%s", it->ev.type, kefu_strerror(r),
			 it->err.field);
		struct kefu_err rerr;
		if (store__proj_tx(s->proj, STORE_TX_ROLLBACK_TO, &rerr) < 0 ||
		    store__proj_tx(s->proj, STORE_TX_RELEASE, &rerr) < 0 || sqlite3_get_autocommit(s->db)) {
			broken = true;
			gerr = rerr;
		}
	}
	if (!broken) {
		if (store__proj_tx(s->proj, STORE_TX_COMMIT, &gerr) < 0)
			broken = true;
		else
			*committed = true;
	}
	if (broken) {
		if (gerr.code == 0)
			KEFU_ERR(&gerr, KEFU_ESTORE, "sqlite", "transaction rolled back");
		for (int i = 0; i < n; i++) {
			struct pending *it = g[i];
			if (it->status == 0 || it->err.code == 0) {
				it->status = -gerr.code;
				it->err = gerr;
			}
			it->event_id = 0;
		}
		struct kefu_err rerr;
		if (!sqlite3_get_autocommit(s->db) && store__proj_tx(s->proj, STORE_TX_ROLLBACK, &rerr) < 0)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL,
				     NULL); /* not injectable: always leave clean */
		log_error("store", "group failed events=%d code=%s", n, kefu_strerror(gerr.code));
		ok = 0;
	}
	for (int i = 0; i < n; i++) {
		json_decref(g[i]->ev.data);
		g[i]->ev.data = NULL;
	}
	return ok;
}

/* Hands the results of a group to their waiters. Called with s->mu held; may drop it to notify. */
static void deliver(struct store *s, struct pending **g, int n, int ok, bool committed)
{
	bool any_sync = false, any_cb = false;
	for (int i = 0; i < n; i++) {
		struct pending *it = g[i];
		if (it->sync) {
			it->done = true;
			any_sync = true;
		} else if (it->cb) {
			it->next = NULL;
			if (s->done_tail)
				s->done_tail->next = it;
			else
				s->done_head = it;
			s->done_tail = it;
			any_cb = true;
		} else {
			free(it);
		}
	}
	s->pending -= (uint64_t)n;
	s->events_committed += (uint64_t)ok;
	s->commits += committed ? 1 : 0;
	if (any_sync)
		pthread_cond_broadcast(&s->sync_cv);
	void (*notify)(void *) = s->notify;
	void *notify_arg = s->notify_arg;
	if (any_cb && notify) {
		pthread_mutex_unlock(&s->mu);
		notify(notify_arg);
		pthread_mutex_lock(&s->mu);
	}
}

static void *writer_main(void *arg)
{
	struct store *s = arg;
	int max = s->opts.group_max_events;
	struct pending **g = xcalloc((size_t)max, sizeof *g);
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->q_head && !s->closing)
			pthread_cond_wait(&s->work_cv, &s->mu);
		if (!s->q_head)
			break; /* closing and nothing left */
		/* fill the group until it is full or the oldest item waited group_max_wait_us */
		while (s->q_len < max && !s->closing) {
			int64_t deadline = s->q_head->queued_ns + (int64_t)s->opts.group_max_wait_us * 1000;
			if (mono_ns() >= deadline)
				break;
			struct timespec ts = {.tv_sec = deadline / 1000000000,
					      .tv_nsec = deadline % 1000000000};
			if (pthread_cond_timedwait(&s->work_cv, &s->mu, &ts) == ETIMEDOUT)
				break;
		}
		int n = 0;
		while (s->q_head && n < max) {
			g[n++] = s->q_head;
			s->q_head = s->q_head->next;
			s->q_len--;
		}
		if (!s->q_head)
			s->q_tail = NULL;
		pthread_mutex_unlock(&s->mu);
		bool committed;
		int ok = run_group(s, g, n, &committed);
		pthread_mutex_lock(&s->mu);
		deliver(s, g, n, ok, committed);
	}
	pthread_mutex_unlock(&s->mu);
	free(g);
	return NULL;
}

/* ---- open / close -------------------------------------------------------------------------- */

int store_open(const char *path, const struct store_options *opts, struct store **out, struct kefu_err *err)
{
	int r;
	if (!path || !*path)
		return KEFU_ERR(err, KEFU_EINVAL, "path", "empty database path");
	if ((r = mkdir_parents(path, err)) < 0)
		return r;
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->opts.group_max_events =
	    opts && opts->group_max_events > 0 ? opts->group_max_events : DEFAULT_GROUP_MAX_EVENTS;
	s->opts.group_max_wait_us =
	    opts && opts->group_max_wait_us > 0 ? opts->group_max_wait_us : DEFAULT_GROUP_MAX_WAIT_US;
	s->opts.queue_max = opts && opts->queue_max > 0 ? opts->queue_max : DEFAULT_QUEUE_MAX;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->work_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&s->sync_cv, NULL);
	pthread_mutex_init(&s->ck_mu, NULL);
	pthread_cond_init(&s->ck_cv, NULL);

	if ((r = store__db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s->db, err)) < 0)
		goto fail;
	/* Debian's build defaults WAL to synchronous=FULL (an fsync per commit): set NORMAL explicitly */
	if ((r = pragma(s->db, "PRAGMA journal_mode=WAL", "wal", err)) < 0 ||
	    (r = pragma(s->db, "PRAGMA synchronous=NORMAL", NULL, err)) < 0 ||
	    (r = pragma(s->db, "PRAGMA synchronous", "1", err)) < 0)
		goto fail;
	/* Group commits touch many random pages (messages by session): keep them cached (64 MiB)
	 * and read the rest through mmap instead of a pread per page miss. */
	if ((r = pragma(s->db, "PRAGMA cache_size=-65536", NULL, err)) < 0 ||
	    (r = pragma(s->db, "PRAGMA mmap_size=268435456", NULL, err)) < 0)
		goto fail;
	if ((r = store__migrate(s->db, err)) < 0)
		goto fail;
	if ((r = store__proj_new(s->db, &s->proj, err)) < 0)
		goto fail;
	if ((r = store__db_open(path, SQLITE_OPEN_READWRITE, &s->ck_db, err)) < 0)
		goto fail;
	sqlite3_wal_hook(s->db, wal_hook_cb, s); /* replaces SQLite's in-commit autocheckpoint */
	if (pthread_create(&s->ckpt, NULL, checkpointer_main, s) != 0) {
		r = KEFU_ERR(err, KEFU_EINTERNAL, "thread", "cannot start the checkpoint thread");
		goto fail;
	}
	s->ckpt_started = true;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		r = KEFU_ERR(err, KEFU_EINTERNAL, "thread", "cannot start the writer thread");
		goto fail;
	}
	s->writer_started = true;
	*out = s;
	return 0;
fail:
	s->drained = true;
	store_close(s);
	return r;
}

static void stop_checkpointer(struct store *s)
{
	if (!s->ckpt_started)
		return;
	pthread_mutex_lock(&s->ck_mu);
	s->ck_stop = true;
	pthread_cond_signal(&s->ck_cv);
	pthread_mutex_unlock(&s->ck_mu);
	pthread_join(s->ckpt, NULL);
	s->ckpt_started = false;
}

void store_drain(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	pthread_cond_signal(&s->work_cv);
	if (s->join_claimed || !s->writer_started) {
		while (!s->drained)
			pthread_cond_wait(&s->sync_cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
		return;
	}
	s->join_claimed = true;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->writer, NULL);
	stop_checkpointer(s);
	pthread_mutex_lock(&s->mu);
	s->drained = true;
	pthread_cond_broadcast(&s->sync_cv);
	pthread_mutex_unlock(&s->mu);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_drain(s);
	/* completions nobody polled: committed (or failed) already; their callbacks are dropped */
	for (struct pending *it = s->done_head, *next; it; it = next) {
		next = it->next;
		free(it);
	}
	stop_checkpointer(s); /* when the writer never started */
	store__proj_free(s->proj);
	if (s->ck_db)
		sqlite3_close(s->ck_db);
	if (s->db && sqlite3_close(s->db) != SQLITE_OK) /* the last connection: final checkpoint */
		log_error("store", "close: statements still open");
	pthread_cond_destroy(&s->work_cv);
	pthread_cond_destroy(&s->sync_cv);
	pthread_cond_destroy(&s->ck_cv);
	pthread_mutex_destroy(&s->ck_mu);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}

const char *store__path(const struct store *s)
{
	return s->path;
}

/* ---- appends ------------------------------------------------------------------------------- */

static size_t opt_len(const char *p)
{
	return p ? strlen(p) + 1 : 0;
}

static char *copy_into(char **dst, const char *src)
{
	if (!src)
		return NULL;
	size_t n = strlen(src) + 1;
	char *out = *dst;
	memcpy(out, src, n);
	*dst += n;
	return out;
}

/* Copies ev into a new pending item, taking ev->data. */
static struct pending *pending_new(const struct store_event *ev)
{
	struct pending *it =
	    xmalloc(sizeof *it + opt_len(ev->type) + opt_len(ev->session) + opt_len(ev->actor));
	memset(it, 0, sizeof *it);
	char *p = it->strings;
	it->ev.type = copy_into(&p, ev->type);
	it->ev.session = copy_into(&p, ev->session);
	it->ev.actor = copy_into(&p, ev->actor);
	it->ev.at_ms = ev->at_ms ? ev->at_ms : clock_now_ms();
	it->ev.data = ev->data;
	return it;
}

static int enqueue(struct store *s, struct pending *it)
{
	pthread_mutex_lock(&s->mu);
	if (s->closing) {
		pthread_mutex_unlock(&s->mu);
		return -KEFU_ECLOSED;
	}
	if (s->pending >= (uint64_t)s->opts.queue_max) {
		pthread_mutex_unlock(&s->mu);
		return -KEFU_ELIMIT;
	}
	it->queued_ns = mono_ns();
	if (s->q_tail)
		s->q_tail->next = it;
	else
		s->q_head = it;
	s->q_tail = it;
	s->q_len++;
	s->pending++;
	/* the writer waits either for a first item or for a full group */
	if (s->q_len == 1 || s->q_len >= s->opts.group_max_events)
		pthread_cond_signal(&s->work_cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static int check_event(const struct store_event *ev)
{
	if (!ev || !ev->type || !json_is_object(ev->data))
		return -KEFU_EINVAL;
	return 0;
}

int store_append(struct store *s, const struct store_event *ev, store_done_cb cb, void *arg)
{
	int r = check_event(ev);
	if (r < 0) {
		if (ev)
			json_decref(ev->data);
		return r;
	}
	struct pending *it = pending_new(ev);
	it->cb = cb;
	it->arg = arg;
	if ((r = enqueue(s, it)) < 0) {
		json_decref(it->ev.data);
		free(it);
	}
	return r;
}

int store_append_sync(struct store *s, const struct store_event *ev, int64_t *event_id, struct kefu_err *err)
{
	int r = check_event(ev);
	if (r < 0) {
		if (ev)
			json_decref(ev->data);
		return KEFU_ERR(err, KEFU_EINVAL, ev && ev->type ? "data" : "type",
				"event needs a type and an object");
	}
	struct pending *it = pending_new(ev);
	it->sync = true;
	if ((r = enqueue(s, it)) < 0) {
		json_decref(it->ev.data);
		free(it);
		return KEFU_ERR(err, -r, "store",
				r == -KEFU_ECLOSED ? "store is closing" : "append queue is full");
	}
	pthread_mutex_lock(&s->mu);
	while (!it->done)
		pthread_cond_wait(&s->sync_cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	r = it->status;
	if (r < 0) {
		if (err)
			*err = it->err;
	} else if (event_id) {
		*event_id = it->event_id;
	}
	free(it);
	return r;
}

void store_set_notify(struct store *s, void (*notify)(void *arg), void *arg)
{
	pthread_mutex_lock(&s->mu);
	s->notify = notify;
	s->notify_arg = arg;
	pthread_mutex_unlock(&s->mu);
}

int store_poll(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	struct pending *list = s->done_head;
	s->done_head = s->done_tail = NULL;
	pthread_mutex_unlock(&s->mu);
	int n = 0;
	for (struct pending *it = list, *next; it; it = next) {
		next = it->next;
		it->cb(it->arg, it->status, it->event_id, &it->err);
		free(it);
		n++;
	}
	return n;
}

/* ---- backup, stats, test hooks ------------------------------------------------------------- */

int store_backup(struct store *s, const char *dest_path, struct kefu_err *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	int r;
	if ((r = mkdir_parents(dest_path, err)) < 0)
		return r;
	if ((r = store__db_open(s->path, SQLITE_OPEN_READONLY, &src, err)) < 0)
		return r;
	if ((r = store__db_open(dest_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst, err)) < 0)
		goto out;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	int rc = sqlite3_backup_step(b, -1); /* all pages in one read transaction: a consistent copy */
	int rc2 = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || rc2 != SQLITE_OK) {
		r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "backup: %s",
			     sqlite3_errstr(rc != SQLITE_DONE ? rc : rc2));
		goto out;
	}
	/* the copy is one self-contained file, not a WAL database needing -wal/-shm companions */
	r = pragma(dst, "PRAGMA journal_mode=DELETE", "delete", err);
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	return r;
}

void store_stats_get(struct store *s, struct store_stats *out)
{
	pthread_mutex_lock(&s->mu);
	out->events_committed = s->events_committed;
	out->commits = s->commits;
	out->queue_depth = s->pending;
	pthread_mutex_unlock(&s->mu);
}

void store__fail_after(struct store *s, int n)
{
	store__proj_fail_after(s->proj, n, 1);
}

void store__fail_run(struct store *s, int n, int count)
{
	store__proj_fail_after(s->proj, n, count);
}

bool store__fault_armed(struct store *s)
{
	return store__proj_fault_armed(s->proj) != 0;
}
