/* projection.h — internal to src/store: the writer connection's prepared statements, the
 * transaction steps the writer thread drives (BEGIN, per-event SAVEPOINT, COMMIT, …), the event
 * INSERT and the projection of each docs/events.md type onto the domain tables. Used only by the
 * writer thread (store.c); never thread-safe, never starts or ends a transaction on its own. */
#ifndef KEFU_STORE_PROJECTION_H
#define KEFU_STORE_PROJECTION_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "base/err.h"

struct store_proj; /* owns the writer connection's statements, not the connection */

/* One event as the writer sees it; everything borrowed for the call. */
struct store__ev {
	const char *type;
	int64_t at_ms; /* already resolved: never 0 */
	const char *session; /* may be NULL */
	const char *actor; /* may be NULL */
	json_t *data; /* an object */
};

/* Transaction-control steps, each one prepared statement. */
enum store__tx {
	STORE_TX_BEGIN, /* BEGIN IMMEDIATE */
	STORE_TX_COMMIT, /* COMMIT */
	STORE_TX_ROLLBACK, /* ROLLBACK */
	STORE_TX_SAVEPOINT, /* SAVEPOINT ev */
	STORE_TX_RELEASE, /* RELEASE ev */
	STORE_TX_ROLLBACK_TO, /* ROLLBACK TO ev */
	STORE_TX_COUNT
};

/* Prepares every statement on db (migrated, read-write). Returns 0 and *out (caller frees with
 * store__proj_free() before closing db) or -KEFU_ESTORE. */
int store__proj_new(sqlite3 *db, struct store_proj **out, struct kefu_err *err);
void store__proj_free(struct store_proj *p);

/* Runs one transaction-control step. Returns 0 or a negative code with err filled. */
int store__proj_tx(struct store_proj *p, enum store__tx op, struct kefu_err *err);

/* Inserts ev into events and applies its projection, inside the caller's savepoint. Returns 0 and
 * *event_id, -KEFU_EINVAL (unknown type, malformed payload), -KEFU_ENOTFOUND (the user or session
 * the event updates does not exist), -KEFU_ECONFLICT (a UNIQUE or NOT NULL constraint, e.g. a
 * repeated (session, seq)) or -KEFU_ESTORE; on error the caller rolls back to its savepoint. */
int store__proj_event(struct store_proj *p, const struct store__ev *ev, int64_t *event_id,
		      struct kefu_err *err);

/* Fault injection for tests (see store_test.h): the nth statement step from now fails with an
 * I/O error, and so do the count-1 steps after it (count <= 0: every later step). n <= 0 turns
 * injection off. Thread-safe (atomics): may be called while the writer runs. */
void store__proj_fail_after(struct store_proj *p, int n, int count);
/* True while an armed fault has not fired yet. */
int store__proj_fault_armed(struct store_proj *p);

#endif
