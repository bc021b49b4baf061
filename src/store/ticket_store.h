/* ticket_store.h — the SQL of tickets and SLA timers (issue 6): the writer thread's projections of
 * the ticket.* and sla.* events of docs/events.md onto tickets, ticket_steps and sla_timers
 * (migration 003_tickets), and a read connection for the ticket API, the progress page and the
 * SLA engine's rebuild at start. It never decides a deadline or a permission (src/ticket does)
 * and never masks data (callers mask per role). JSON it returns is a new reference the caller
 * owns. A `struct ticket_store` is one read-only connection for one thread. */
#ifndef KEFU_STORE_TICKET_STORE_H
#define KEFU_STORE_TICKET_STORE_H

#include <jansson.h>
#include <sqlite3.h>

#include "base/err.h"

struct store;
struct store__ev;
struct ticket_store;
struct store_ticket_proj; /* the writer thread's ticket statements (projection.c) */

/* ---- writer side (src/store only) ------------------------------------------------------------ */

/* Prepares the projection statements on the writer connection db; caller frees with
 * store__ticket_proj_free() before closing db. Returns 0 or -KEFU_ESTORE. */
int store__ticket_proj_new(sqlite3 *db, struct store_ticket_proj **out, struct kefu_err *err);
void store__ticket_proj_free(struct store_ticket_proj *p);
/* Applies a ticket.* or sla.* event inside the caller's savepoint. Returns 0, -KEFU_EINVAL
 * (malformed payload), -KEFU_ENOTFOUND (unknown ticket or timer), -KEFU_ECONFLICT (id reused) or
 * -KEFU_ESTORE. */
int store__ticket_project(struct store_ticket_proj *p, const struct store__ev *ev, struct kefu_err *err);

/* ---- reads ----------------------------------------------------------------------------------- */

/* Opens a read-only connection. Caller frees with ticket_store_close(). */
int ticket_store_open(struct store *s, struct ticket_store **out, struct kefu_err *err);
void ticket_store_close(struct ticket_store *t);

/* Timers still running or paused, for the SLA engine's rebuild: [{"id","ticket","name","basis",
 * "start_ms","due_ms","warn_ms","warned","paused","left_ms","warn_left_ms"}], oldest due first. */
int ticket_store_sla_live(struct ticket_store *t, json_t **out, struct kefu_err *err);
/* One ticket with every column (NULLs as null), plus "steps":[{"at_ms","step","actor","note",
 * "public"}] and "timers":[{"id","name","basis","due_ms","state","warned","paused",…}].
 * Returns 0, -KEFU_ENOTFOUND or -KEFU_ESTORE. */
int ticket_store_get(struct ticket_store *t, const char *id, json_t **out, struct kefu_err *err);
/* Tickets newest first, at most limit; dept and state filter when non-NULL; before_ms > 0 pages
 * (created_ms < before_ms). Every column. */
int ticket_store_list(struct ticket_store *t, const char *dept, const char *state, int64_t before_ms,
		      int limit, json_t **out, struct kefu_err *err);
/* The ticket id whose progress link hashes to hash (N-26). Returns 0 with *id (caller frees),
 * -KEFU_ENOTFOUND or -KEFU_ESTORE. */
int ticket_store_by_progress(struct ticket_store *t, const char *hash, char **id, struct kefu_err *err);
/* Supervisor board: timers that breached or warned and still run, newest due first, at most
 * limit: [{"timer","ticket","name","state","warned","due_ms","ended_ms","department","priority",
 * "kind","ticket_state"}]. */
int ticket_store_sla_board(struct ticket_store *t, int limit, json_t **out, struct kefu_err *err);

/* N-06 email channel (006_ticket_email). The mail with this Message-ID: {"ticket","direction",
 * "customer"} (the ticket's customer), or *out = NULL when none. */
int ticket_store_mail_find(struct ticket_store *t, const char *message_id, json_t **out,
			   struct kefu_err *err);
/* The customer id of a (lower-case) address, or *customer = NULL; caller frees. */
int ticket_store_mail_customer(struct ticket_store *t, const char *address, char **customer,
			       struct kefu_err *err);
/* The latest inbound mail of a ticket: {"message_id","address","subject"}, or *out = NULL. */
int ticket_store_mail_last_in(struct ticket_store *t, const char *ticket, json_t **out, struct kefu_err *err);
/* Outbox mails, oldest first, at most limit; status (queued|sent|failed) and id filter when
 * non-NULL: [{"id","ticket","to_addr","subject","body","message_id","in_reply_to","status",
 * "created_ms","attempts","ended_ms","error"}]. */
int ticket_store_outbox(struct ticket_store *t, const char *status, const char *id, int limit, json_t **out,
			struct kefu_err *err);

#endif
