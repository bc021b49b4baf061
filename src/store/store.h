/* store.h — the only code that speaks SQL (DESIGN §2). An embedded SQLite file in WAL mode with
 * synchronous=NORMAL; numbered migrations (src/store/migrations/NNN_name.sql) applied at open;
 * one writer thread that appends events and applies their projections, committing in groups;
 * readers on their own connections (one `struct store_reader` per thread).
 *
 * Events are the source of truth: every state change is one row in the append-only `events`
 * table, and the domain tables (users, sessions, messages, …) are projections of it, written in
 * the same transaction. The catalog of event types and their payloads is docs/events.md.
 *
 * A completion callback for an append runs only after the transaction holding that event has
 * committed, so an acknowledgement given from it survives kill -9.
 *
 * store never knows about HTTP, sockets or chat rules; callers validate before appending. */
#ifndef KEFU_STORE_STORE_H
#define KEFU_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_reader;

struct store_options {
	int group_max_events; /* commit after this many queued events (default 1000) */
	int group_max_wait_us; /* or when the oldest queued event waited this long (default 0: commit as soon
				  as the writer is free) */
	int queue_max; /* store_append refuses with -KEFU_ELIMIT beyond this many pending (default 200000) */
};

/* Opens (creating if needed, with parent directories) the database at path, applies pending
 * migrations, and starts the writer thread. opts may be NULL for defaults.
 * Returns 0 and *out (caller frees with store_close()) or a negative code with err filled. */
int store_open(const char *path, const struct store_options *opts, struct store **out, struct kefu_err *err);

/* Stops accepting appends, commits everything already queued (running its callbacks via the
 * next store_poll or, if none comes, dropping them after commit), stops the writer thread and
 * closes. Safe with NULL. */
void store_close(struct store *s);

/* The first half of store_close(): stops accepting appends (later ones return -KEFU_ECLOSED),
 * commits everything already queued and stops the writer thread, but keeps the store so the
 * caller can still run the last callbacks with store_poll() and use readers; then store_close().
 * Blocks until done; calling it again returns at once. */
void store_drain(struct store *s);

/* One event to append. */
struct store_event {
	const char *type; /* borrowed; one of docs/events.md, e.g. "message" */
	int64_t at_ms; /* event time, ms since epoch; 0 means now (clock_now_ms) */
	const char *session; /* borrowed, may be NULL: chat session the event belongs to */
	const char *actor; /* borrowed, may be NULL: user id or customer id who caused it */
	json_t *data; /* payload object; store_append*() takes ownership (steals the ref) */
};

/* Called on the thread that calls store_poll(), after commit (status 0, event_id > 0) or after
 * the event's projection failed (status < 0, err filled; the event is not stored). */
typedef void (*store_done_cb)(void *arg, int status, int64_t event_id, const struct kefu_err *err);

/* Queues ev for the writer thread. Thread-safe. Takes ownership of ev->data in all cases; copies
 * the borrowed strings. cb may be NULL. Returns 0, -KEFU_EINVAL when ev->type is NULL or ev->data
 * is not an object, -KEFU_ELIMIT when the queue is full, or -KEFU_ECLOSED after store_close (or
 * store_drain) began; on error cb is never called. A rejected event reaches cb with status
 * -KEFU_EINVAL (unknown type, malformed payload), -KEFU_ENOTFOUND (the user or session it updates
 * does not exist), -KEFU_ECONFLICT (a uniqueness rule, e.g. a repeated message seq) or
 * -KEFU_ESTORE; err is never NULL in cb. */
int store_append(struct store *s, const struct store_event *ev, store_done_cb cb, void *arg);

/* Appends and waits for the commit. For the command line and start-up; never call it on an
 * event-loop thread. Returns 0 and *event_id (may be NULL) or a negative code with err filled. */
int store_append_sync(struct store *s, const struct store_event *ev, int64_t *event_id, struct kefu_err *err);

/* notify(arg) is called from the writer thread whenever completions become ready; typically a
 * uv_async_send. Set before the first append. */
void store_set_notify(struct store *s, void (*notify)(void *arg), void *arg);

/* Runs the callbacks of committed appends on the calling thread. Returns how many ran. */
int store_poll(struct store *s);

/* Writes a consistent copy of the database to dest_path using the SQLite backup API. */
int store_backup(struct store *s, const char *dest_path, struct kefu_err *err);

/* Counters for /metrics. */
struct store_stats {
	uint64_t events_committed; /* events committed since open */
	uint64_t commits; /* transactions committed since open */
	uint64_t queue_depth; /* events queued, not yet committed */
};
void store_stats_get(struct store *s, struct store_stats *out);

/* ---- readers ------------------------------------------------------------------------------ */

/* Opens a read connection. One reader per thread; a reader is not thread-safe. Caller frees
 * with store_reader_close(). */
int store_reader_open(struct store *s, struct store_reader **out, struct kefu_err *err);
void store_reader_close(struct store_reader *r);

/* A user account (projection of user.* events). Strings are owned by the struct; free with
 * store_user_clear(). */
struct store_user {
	char *id; /* "u_…" */
	char *name; /* login name, unique */
	char *display; /* display name */
	char *role; /* docs/events.md roles: agent, lead, supervisor, manager, qa, dept, admin */
	char *level; /* junior|senior|lead|supervisor|manager or "" */
	char *team; /* team id or "" */
	char *post; /* presale|aftersale|complaint or "" */
	char *dept; /* department for role dept, else "" */
	char *pw_hash; /* argon2id string */
	json_t *skills; /* array of skill-group names (owned ref) */
	int max_chats; /* concurrent chat limit */
	bool disabled;
};
void store_user_clear(struct store_user *u);

/* Return 0 and fill *out, -KEFU_ENOTFOUND, or -KEFU_ESTORE. */
int store_user_by_name(struct store_reader *r, const char *name, struct store_user *out,
		       struct kefu_err *err);
int store_user_by_id(struct store_reader *r, const char *id, struct store_user *out, struct kefu_err *err);
/* All users as a JSON array of objects without pw_hash, ordered by name. *out is a new ref. */
int store_users_list(struct store_reader *r, json_t **out, struct kefu_err *err);

/* Looks up a login token by its hash (hex of the hash) that is not expired or revoked at now_ms.
 * Returns 0 with *user_id (caller frees) and *expires_ms, or -KEFU_ENOTFOUND. */
int store_token_lookup(struct store_reader *r, const char *token_hash, int64_t now_ms, char **user_id,
		       int64_t *expires_ms, struct kefu_err *err);

/* Messages of a session with seq > after_seq, oldest first, at most limit, as a JSON array of
 * {"seq":N,"from":"customer|agent|bot|system","agent":"u_…"|null,"text":"…","at":"RFC3339",
 *  "client_id":"…"|null}. *out is a new ref. */
int store_session_messages(struct store_reader *r, const char *session, int64_t after_seq, int limit,
			   json_t **out, struct kefu_err *err);

/* Sessions that are not closed, for rebuilding live chat state at start, as a JSON array of
 * {"id","channel","customer","customer_type","category","group","state":"queued|assigned",
 *  "agent"|null,"opened_at_ms","queued_at_ms","priority","last_seq",
 *  "first_customer_ms"|null,"first_agent_ms"|null}. */
int store_open_sessions(struct store_reader *r, json_t **out, struct kefu_err *err);

/* One session with its state (as in store_open_sessions, plus "closed_at_ms", "summary",
 * "rating":{"score","solved"}|null). -KEFU_ENOTFOUND if unknown. */
int store_session_get(struct store_reader *r, const char *session, json_t **out, struct kefu_err *err);

/* The customer profile (N-23): {"id","name","phone","type","region","tags":[…],
 * "sessions":[{"id","opened_at","category","agent","rating"}…] (latest 20),
 * "orders":[{"id","at","amount","status","item"}…] (latest 20),
 * "complaints":N}. Unmasked: the caller masks per role. -KEFU_ENOTFOUND if unknown. */
int store_customer_profile(struct store_reader *r, const char *customer, json_t **out, struct kefu_err *err);

/* Closed sessions of an agent or all (agent NULL) in [from_ms, to_ms), newest first, at most
 * limit: [{"id","customer","agent","category","opened_at","closed_at","rating"|null}]. */
int store_sessions_closed(struct store_reader *r, const char *agent, int64_t from_ms, int64_t to_ms,
			  int limit, json_t **out, struct kefu_err *err);

/* Events of a type (NULL = all) with id > after_id, oldest first, at most limit:
 * [{"id","type","at","session","actor","data":{…}}]. */
int store_events_list(struct store_reader *r, const char *type, int64_t after_id, int limit, json_t **out,
		      struct kefu_err *err);

/* Number of events in the log (for tests and /metrics). */
int store_events_count(struct store_reader *r, int64_t *out, struct kefu_err *err);

#endif
