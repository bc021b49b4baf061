/* ticket_store.c — projections of the ticket.* and sla.* events onto tickets, ticket_steps and
 * sla_timers (003_tickets.sql), and the reads of tickets and live timers (see ticket_store.h).
 * Each projection is a short list of named statements whose parameters are payload keys, so the
 * catalog below is the whole mapping from docs/events.md to the tables. Never validates business
 * rules (src/ticket does that before appending) and never logs payloads. */
#include "store/ticket_store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "store/projection.h"
#include "store/store.h"
#include "store/store_int.h"

#define MAX_KEYS 24

/* A statement and the payload keys bound to ?1, ?2, …: "!k" required, "k" optional (NULL when
 * absent), "@at" the event time, "@actor" the event actor. */
struct pstmt {
	const char *sql;
	const char *keys[MAX_KEYS];
	bool must_change; /* an UPDATE that matches no row is -KEFU_ENOTFOUND */
};

enum {
	P_TICKET_INSERT,
	P_STEP_CREATED,
	P_TICKET_CLAIM,
	P_STEP_CLAIMED,
	P_TICKET_STEP,
	P_STEP_NOTE,
	P_TICKET_ESCALATE,
	P_STEP_ESCALATED,
	P_TICKET_RESOLVE,
	P_STEP_RESOLVED,
	P_SLA_INSERT,
	P_SLA_PAUSE,
	P_SLA_RESUME,
	P_SLA_WARN,
	P_SLA_BREACH,
	P_SLA_STOP,
	P_TICKET_ARCHIVE,
	P_STEP_ARCHIVED,
	P_MAIL_IN,
	P_MAIL_CUSTOMER,
	P_STEP_MAIL_IN,
	P_OUTBOX_INSERT,
	P_MAIL_OUT,
	P_STEP_MAIL_OUT,
	P_OUTBOX_SENT,
	P_OUTBOX_FAILED,
	P_COUNT
};

static const struct pstmt pstmts[P_COUNT] = {
    [P_TICKET_INSERT] =
	{"INSERT INTO tickets(id, kind, type, priority, department, order_id, customer, session, "
	 "channel, description, plan, region, state, step, created_by, created_ms, progress_hash, "
	 "fields_required, fields_filled, agent, complex, import_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	 "?7, ?8, ?9, ?10, ?11, ?12, 'open', ?13, ?14, ?15, ?16, ?17, ?18, ?19, coalesce(?20, 0), ?21)",
	 {"!id",
	  "!kind",
	  "!type",
	  "!priority",
	  "!department",
	  "order",
	  "customer",
	  "session",
	  "!channel",
	  "!description",
	  "plan",
	  "region",
	  "!step",
	  "@actor",
	  "@at",
	  "progress_hash",
	  "!fields_required",
	  "!fields_filled",
	  "agent",
	  "complex",
	  "import_hash"},
	 false},
    [P_STEP_CREATED] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			"VALUES (?1, ?2, 'created', ?3, NULL, 1)",
			{"!id", "@at", "@actor"},
			false},
    [P_TICKET_CLAIM] =
	{"UPDATE tickets SET state = 'claimed', claimed_by = ?2, claimed_ms = ?3 WHERE id = ?1",
	 {"!id", "!by", "@at"},
	 true},
    [P_STEP_CLAIMED] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			"VALUES (?1, ?2, 'claimed', ?3, NULL, 1)",
			{"!id", "@at", "@actor"},
			false},
    /* only flow steps (N-16, N-18) move tickets.step; notes, answers and pauses do not */
    [P_TICKET_STEP] =
	{"UPDATE tickets SET step = coalesce(?2, step), plan = coalesce(?3, plan) WHERE id = ?1",
	 {"!id", "flow_step", "plan"},
	 true},
    [P_STEP_NOTE] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, 0))",
		     {"!id", "@at", "!step", "@actor", "note", "public"},
		     false},
    [P_TICKET_ESCALATE] = {"UPDATE tickets SET escalated_to = ?2 WHERE id = ?1", {"!id", "!to"}, true},
    [P_STEP_ESCALATED] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			  "VALUES (?1, ?2, 'escalated', ?3, ?4, 1)",
			  {"!id", "@at", "@actor", "note"},
			  false},
    [P_TICKET_RESOLVE] = {"UPDATE tickets SET state = 'resolved', step = 'resolved', resolved_ms = ?2 "
			  "WHERE id = ?1",
			  {"!id", "@at"},
			  true},
    [P_STEP_RESOLVED] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			 "VALUES (?1, ?2, 'resolved', ?3, ?4, 1)",
			 {"!id", "@at", "@actor", "resolution"},
			 false},
    [P_SLA_INSERT] =
	{"INSERT INTO sla_timers(id, ticket, name, basis, start_ms, due_ms, warn_ms, warned, paused, "
	 "left_ms, warn_left_ms, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, 0, 0, 'running') "
	 "ON CONFLICT(id) DO UPDATE SET ticket = excluded.ticket, name = excluded.name, "
	 "basis = excluded.basis, start_ms = excluded.start_ms, due_ms = excluded.due_ms, "
	 "warn_ms = excluded.warn_ms, warned = 0, paused = 0, left_ms = 0, warn_left_ms = 0, "
	 "state = 'running', ended_ms = NULL WHERE sla_timers.state NOT IN ('running', 'paused')",
	 {"!id", "ticket", "!name", "!basis", "!start_ms", "!due_ms", "!warn_ms"},
	 true},
    [P_SLA_PAUSE] = {"UPDATE sla_timers SET paused = 1, state = 'paused', left_ms = ?2, warn_left_ms = ?3 "
		     "WHERE id = ?1 AND state = 'running'",
		     {"!id", "!left_ms", "!warn_left_ms"},
		     true},
    [P_SLA_RESUME] = {"UPDATE sla_timers SET paused = 0, state = 'running', due_ms = ?2, warn_ms = ?3, "
		      "left_ms = 0, warn_left_ms = 0 WHERE id = ?1 AND state = 'paused'",
		      {"!id", "!due_ms", "!warn_ms"},
		      true},
    [P_SLA_WARN] = {"UPDATE sla_timers SET warned = 1 WHERE id = ?1 AND state IN ('running', 'paused')",
		    {"!id"},
		    true},
    [P_SLA_BREACH] = {"UPDATE sla_timers SET state = 'breached', ended_ms = ?2 WHERE id = ?1 "
		      "AND state IN ('running', 'paused')",
		      {"!id", "@at"},
		      true},
    [P_SLA_STOP] = {"UPDATE sla_timers SET state = ?2, ended_ms = ?3 WHERE id = ?1 "
		    "AND state IN ('running', 'paused')",
		    {"!id", "!reason", "@at"},
		    true},
    /* N-20: the case is archived (once) */
    [P_TICKET_ARCHIVE] = {"UPDATE tickets SET archived_ms = ?2 WHERE id = ?1 AND archived_ms IS NULL",
			  {"!id", "@at"},
			  true},
    [P_STEP_ARCHIVED] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			 "VALUES (?1, ?2, 'archived', ?3, NULL, 1)",
			 {"!id", "@at", "@actor"},
			 false},
    /* N-06 email channel (006_ticket_email): an inbound mail of an existing ticket */
    [P_MAIL_IN] = {"INSERT INTO ticket_mail(message_id, ticket, direction, address, subject, at_ms) "
		   "SELECT ?1, ?2, 'in', ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?2)",
		   {"!message_id", "!id", "!from", "!subject", "@at"},
		   true},
    [P_MAIL_CUSTOMER] = {"INSERT INTO customer_emails(address, customer) VALUES (?1, ?2) "
			 "ON CONFLICT(address) DO NOTHING",
			 {"!from", "!customer"},
			 false},
    [P_STEP_MAIL_IN] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			"VALUES (?1, ?2, 'mail_in', ?3, ?4, 0)",
			{"!id", "@at", "!customer", "!body"},
			false},
    [P_OUTBOX_INSERT] =
	{"INSERT INTO mail_outbox(id, ticket, to_addr, subject, body, message_id, in_reply_to, status, "
	 "created_ms, attempts) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, 0 "
	 "WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?2)",
	 {"!id", "!ticket", "!to", "!subject", "!body", "!message_id", "in_reply_to", "@at"},
	 true},
    [P_MAIL_OUT] = {"INSERT INTO ticket_mail(message_id, ticket, direction, address, subject, at_ms) "
		    "VALUES (?1, ?2, 'out', ?3, ?4, ?5)",
		    {"!message_id", "!ticket", "!to", "!subject", "@at"},
		    false},
    [P_STEP_MAIL_OUT] = {"INSERT INTO ticket_steps(ticket, at_ms, step, actor, note, public) "
			 "VALUES (?1, ?2, 'mail_out', ?3, ?4, 1)",
			 {"!ticket", "@at", "@actor", "!body"},
			 false},
    [P_OUTBOX_SENT] = {"UPDATE mail_outbox SET status = 'sent', ended_ms = ?2, error = NULL WHERE id = ?1 "
		       "AND status IN ('queued', 'failed')",
		       {"!id", "@at"},
		       true},
    [P_OUTBOX_FAILED] = {"UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, ended_ms = ?2, "
			 "error = ?3 WHERE id = ?1 AND status IN ('queued', 'failed')",
			 {"!id", "@at", "error"},
			 true},
};

/* event type → the statements its projection runs, in order (-1 ends) */
static const struct {
	const char *type;
	int run[3];
} catalog[] = {
    {"ticket.created", {P_TICKET_INSERT, P_STEP_CREATED, -1}},
    {"ticket.claimed", {P_TICKET_CLAIM, P_STEP_CLAIMED, -1}},
    {"ticket.step", {P_TICKET_STEP, P_STEP_NOTE, -1}},
    {"ticket.escalated", {P_TICKET_ESCALATE, P_STEP_ESCALATED, -1}},
    {"ticket.resolved", {P_TICKET_RESOLVE, P_STEP_RESOLVED, -1}},
    {"sla.started", {P_SLA_INSERT, -1}},
    {"sla.paused", {P_SLA_PAUSE, -1}},
    {"sla.resumed", {P_SLA_RESUME, -1}},
    {"sla.warned", {P_SLA_WARN, -1}},
    {"sla.breached", {P_SLA_BREACH, -1}},
    {"sla.stopped", {P_SLA_STOP, -1}},
    {"ticket.archived", {P_TICKET_ARCHIVE, P_STEP_ARCHIVED, -1}},
    {"ticket.mailed", {P_MAIL_IN, P_MAIL_CUSTOMER, P_STEP_MAIL_IN}},
    {"mail.queued", {P_OUTBOX_INSERT, P_MAIL_OUT, P_STEP_MAIL_OUT}},
    {"mail.sent", {P_OUTBOX_SENT, -1}},
    {"mail.failed", {P_OUTBOX_FAILED, -1}},
};

struct store_ticket_proj {
	sqlite3 *db; /* borrowed writer connection */
	sqlite3_stmt *st[P_COUNT]; /* owned */
};

int store__ticket_proj_new(sqlite3 *db, struct store_ticket_proj **out, struct kefu_err *err)
{
	struct store_ticket_proj *p = xcalloc(1, sizeof *p);
	p->db = db;
	for (int i = 0; i < P_COUNT; i++) {
		if (sqlite3_prepare_v3(db, pstmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, &p->st[i], NULL) !=
		    SQLITE_OK) {
			int r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare ticket statement %d: %s", i,
					 sqlite3_errmsg(db));
			store__ticket_proj_free(p);
			return r;
		}
	}
	*out = p;
	return 0;
}

void store__ticket_proj_free(struct store_ticket_proj *p)
{
	if (!p)
		return;
	for (int i = 0; i < P_COUNT; i++)
		sqlite3_finalize(p->st[i]);
	free(p);
}

static int bind_keys(sqlite3_stmt *st, const struct pstmt *ps, const struct store__ev *ev,
		     struct kefu_err *err)
{
	for (int i = 0; i < MAX_KEYS && ps->keys[i]; i++) {
		const char *k = ps->keys[i];
		int col = i + 1;
		if (strcmp(k, "@at") == 0) {
			sqlite3_bind_int64(st, col, ev->at_ms);
			continue;
		}
		if (strcmp(k, "@actor") == 0) {
			if (ev->actor)
				sqlite3_bind_text(st, col, ev->actor, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, col);
			continue;
		}
		bool required = k[0] == '!';
		if (required)
			k++;
		json_t *v = json_object_get(ev->data, k);
		if (json_is_string(v))
			sqlite3_bind_text(st, col, json_string_value(v), (int)json_string_length(v),
					  SQLITE_STATIC);
		else if (json_is_integer(v))
			sqlite3_bind_int64(st, col, json_integer_value(v));
		else if (json_is_boolean(v))
			sqlite3_bind_int(st, col, json_is_true(v));
		else if ((!v || json_is_null(v)) && !required)
			sqlite3_bind_null(st, col);
		else
			return KEFU_ERR(err, KEFU_EINVAL, k,
					"%s: '%s' is missing or not a string, integer or boolean", ev->type,
					k);
	}
	return 0;
}

int store__ticket_project(struct store_ticket_proj *p, const struct store__ev *ev, struct kefu_err *err)
{
	const int *run = NULL;
	for (size_t i = 0; i < sizeof catalog / sizeof catalog[0]; i++)
		if (strcmp(catalog[i].type, ev->type) == 0)
			run = catalog[i].run;
	if (!run)
		return KEFU_ERR(err, KEFU_EINVAL, "type", "not a ticket or sla event");
	for (int i = 0; i < 3 && run[i] >= 0; i++) {
		const struct pstmt *ps = &pstmts[run[i]];
		sqlite3_stmt *st = p->st[run[i]];
		int r = bind_keys(st, ps, ev, err);
		int rc = r < 0 ? SQLITE_OK : sqlite3_step(st);
		int ext = sqlite3_extended_errcode(p->db);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (r < 0)
			return r;
		if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
			if ((ext & 0xff) == SQLITE_CONSTRAINT)
				return KEFU_ERR(err, KEFU_ECONFLICT, "id", "%s: %s", ev->type,
						sqlite3_errmsg(p->db));
			return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: %s", ev->type,
					sqlite3_errmsg(p->db));
		}
		if (ps->must_change && sqlite3_changes(p->db) == 0)
			return KEFU_ERR(err, KEFU_ENOTFOUND, "id",
					"%s: no such ticket or timer in a state it applies to", ev->type);
	}
	return 0;
}

/* ---- reads ----------------------------------------------------------------------------------- */

#define TICKET_COLS                                                                                          \
	"id, kind, type, priority, department, order_id, customer, session, channel, description, plan, "    \
	"region, state, step, claimed_by, created_by, created_ms, claimed_ms, resolved_ms, escalated_to, "   \
	"fields_required, fields_filled, archived_ms, complex"

enum {
	R_SLA_LIVE,
	R_GET,
	R_STEPS,
	R_TIMERS,
	R_LIST,
	R_PROGRESS,
	R_BOARD,
	R_MAIL_FIND,
	R_MAIL_CUSTOMER,
	R_MAIL_LAST_IN,
	R_OUTBOX,
	R_COUNT
};

static const char *const rsql[R_COUNT] = {
    [R_SLA_LIVE] = "SELECT id, ticket, name, basis, start_ms, due_ms, warn_ms, warned, paused, left_ms, "
		   "warn_left_ms FROM sla_timers WHERE state IN ('running', 'paused') ORDER BY due_ms, id",
    [R_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1",
    [R_STEPS] =
	"SELECT at_ms, step, actor, note, public FROM ticket_steps WHERE ticket = ?1 ORDER BY at_ms, rowid",
    [R_TIMERS] =
	"SELECT id, name, basis, start_ms, due_ms, warn_ms, warned, paused, left_ms, state, ended_ms "
	"FROM sla_timers WHERE ticket = ?1 ORDER BY start_ms, id",
    /* each ticket with its next live deadline (running before paused, earliest due first) */
    [R_LIST] = "SELECT x.*, n.name AS next_name, n.due_ms AS next_due_ms, n.state AS next_state, "
	       "n.warned AS next_warned, n.warn_ms AS next_warn_ms, n.left_ms AS next_left_ms FROM "
	       "(SELECT " TICKET_COLS " FROM tickets WHERE (?1 IS NULL OR department = ?1) "
	       "AND (?2 IS NULL OR state = ?2) AND (?3 <= 0 OR created_ms < ?3) "
	       "ORDER BY created_ms DESC, id DESC LIMIT ?4) x LEFT JOIN sla_timers n ON n.id = "
	       "(SELECT s.id FROM sla_timers s WHERE s.ticket = x.id AND s.state IN ('running', 'paused') "
	       "ORDER BY s.paused, s.due_ms, s.id LIMIT 1) ORDER BY x.created_ms DESC, x.id DESC",
    [R_PROGRESS] = "SELECT id FROM tickets WHERE progress_hash = ?1",
    [R_BOARD] =
	"SELECT s.id AS timer, s.ticket, s.name, s.state, s.warned, s.due_ms, s.ended_ms, t.department, "
	"t.priority, t.kind, t.state AS ticket_state FROM sla_timers s LEFT JOIN tickets t ON t.id = "
	"s.ticket "
	"WHERE s.state = 'breached' OR (s.state IN ('running', 'paused') AND s.warned = 1) "
	"ORDER BY s.due_ms DESC, s.id LIMIT ?1",
    [R_MAIL_FIND] = "SELECT m.ticket, m.direction, t.customer FROM ticket_mail m "
		    "LEFT JOIN tickets t ON t.id = m.ticket WHERE m.message_id = ?1",
    [R_MAIL_CUSTOMER] = "SELECT customer FROM customer_emails WHERE address = ?1",
    [R_MAIL_LAST_IN] = "SELECT message_id, address, subject FROM ticket_mail WHERE ticket = ?1 "
		       "AND direction = 'in' ORDER BY at_ms DESC, message_id LIMIT 1",
    [R_OUTBOX] = "SELECT id, ticket, to_addr, subject, body, message_id, in_reply_to, status, created_ms, "
		 "attempts, ended_ms, error FROM mail_outbox WHERE (?1 IS NULL OR status = ?1) "
		 "AND (?2 IS NULL OR id = ?2) ORDER BY created_ms, id LIMIT ?3",
};

struct ticket_store {
	sqlite3 *db; /* owned read-only connection */
	sqlite3_stmt *st[R_COUNT]; /* owned */
};

int ticket_store_open(struct store *s, struct ticket_store **out, struct kefu_err *err)
{
	struct ticket_store *t = xcalloc(1, sizeof *t);
	int r = store__db_open(store__path(s), SQLITE_OPEN_READONLY, &t->db, err);
	if (r < 0) {
		free(t);
		return r;
	}
	for (int i = 0; i < R_COUNT; i++) {
		if (sqlite3_prepare_v3(t->db, rsql[i], -1, SQLITE_PREPARE_PERSISTENT, &t->st[i], NULL) !=
		    SQLITE_OK) {
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "prepare ticket read %d: %s", i,
				     sqlite3_errmsg(t->db));
			ticket_store_close(t);
			return r;
		}
	}
	*out = t;
	return 0;
}

void ticket_store_close(struct ticket_store *t)
{
	if (!t)
		return;
	for (int i = 0; i < R_COUNT; i++)
		sqlite3_finalize(t->st[i]);
	sqlite3_close(t->db);
	free(t);
}

/* The current row as an object keyed by column name (integers, text, null). */
static json_t *row_object(sqlite3_stmt *st)
{
	json_t *o = json_object();
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const char *name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, i)));
			break;
		case SQLITE_NULL:
			json_object_set_new(o, name, json_null());
			break;
		default:
			json_object_set_new(o, name,
					    json_stringn((const char *)sqlite3_column_text(st, i),
							 (size_t)sqlite3_column_bytes(st, i)));
		}
	}
	return o;
}

/* Steps st (already bound) into an array of row objects; resets it. */
static int rows(struct ticket_store *t, sqlite3_stmt *st, json_t **out, struct kefu_err *err)
{
	json_t *arr = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row_object(st));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return KEFU_ERR(err, KEFU_ESTORE, "sqlite", "ticket read: %s", sqlite3_errmsg(t->db));
	}
	*out = arr;
	return 0;
}

int ticket_store_sla_live(struct ticket_store *t, json_t **out, struct kefu_err *err)
{
	return rows(t, t->st[R_SLA_LIVE], out, err);
}

int ticket_store_get(struct ticket_store *t, const char *id, json_t **out, struct kefu_err *err)
{
	json_t *one, *steps, *timers;
	sqlite3_bind_text(t->st[R_GET], 1, id, -1, SQLITE_STATIC);
	int r = rows(t, t->st[R_GET], &one, err);
	if (r < 0)
		return r;
	if (json_array_size(one) == 0) {
		json_decref(one);
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no such ticket");
	}
	json_t *tk = json_incref(json_array_get(one, 0));
	json_decref(one);
	sqlite3_bind_text(t->st[R_STEPS], 1, id, -1, SQLITE_STATIC);
	if ((r = rows(t, t->st[R_STEPS], &steps, err)) < 0) {
		json_decref(tk);
		return r;
	}
	json_object_set_new(tk, "steps", steps);
	sqlite3_bind_text(t->st[R_TIMERS], 1, id, -1, SQLITE_STATIC);
	if ((r = rows(t, t->st[R_TIMERS], &timers, err)) < 0) {
		json_decref(tk);
		return r;
	}
	json_object_set_new(tk, "timers", timers);
	*out = tk;
	return 0;
}

int ticket_store_list(struct ticket_store *t, const char *dept, const char *state, int64_t before_ms,
		      int limit, json_t **out, struct kefu_err *err)
{
	sqlite3_stmt *st = t->st[R_LIST];
	if (dept)
		sqlite3_bind_text(st, 1, dept, -1, SQLITE_STATIC);
	if (state)
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, before_ms);
	sqlite3_bind_int(st, 4, limit);
	return rows(t, st, out, err);
}

int ticket_store_by_progress(struct ticket_store *t, const char *hash, char **id, struct kefu_err *err)
{
	json_t *arr;
	sqlite3_bind_text(t->st[R_PROGRESS], 1, hash, -1, SQLITE_STATIC);
	int r = rows(t, t->st[R_PROGRESS], &arr, err);
	if (r < 0)
		return r;
	const char *s = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
	if (!s) {
		json_decref(arr);
		return KEFU_ERR(err, KEFU_ENOTFOUND, "token", "no case for this link");
	}
	*id = xstrdup(s);
	json_decref(arr);
	return 0;
}

int ticket_store_sla_board(struct ticket_store *t, int limit, json_t **out, struct kefu_err *err)
{
	sqlite3_bind_int(t->st[R_BOARD], 1, limit);
	return rows(t, t->st[R_BOARD], out, err);
}

/* The first row of st (bound) or NULL in *out; 0 or -KEFU_ESTORE. */
static int first_row(struct ticket_store *t, sqlite3_stmt *st, json_t **out, struct kefu_err *err)
{
	json_t *arr;
	int r = rows(t, st, &arr, err);
	if (r < 0)
		return r;
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return 0;
}

int ticket_store_mail_find(struct ticket_store *t, const char *message_id, json_t **out, struct kefu_err *err)
{
	sqlite3_bind_text(t->st[R_MAIL_FIND], 1, message_id, -1, SQLITE_STATIC);
	return first_row(t, t->st[R_MAIL_FIND], out, err);
}

int ticket_store_mail_customer(struct ticket_store *t, const char *address, char **customer,
			       struct kefu_err *err)
{
	json_t *row;
	sqlite3_bind_text(t->st[R_MAIL_CUSTOMER], 1, address, -1, SQLITE_STATIC);
	int r = first_row(t, t->st[R_MAIL_CUSTOMER], &row, err);
	if (r < 0)
		return r;
	const char *s = json_string_value(json_object_get(row, "customer"));
	*customer = s ? xstrdup(s) : NULL;
	json_decref(row);
	return 0;
}

int ticket_store_mail_last_in(struct ticket_store *t, const char *ticket, json_t **out, struct kefu_err *err)
{
	sqlite3_bind_text(t->st[R_MAIL_LAST_IN], 1, ticket, -1, SQLITE_STATIC);
	return first_row(t, t->st[R_MAIL_LAST_IN], out, err);
}

int ticket_store_outbox(struct ticket_store *t, const char *status, const char *id, int limit, json_t **out,
			struct kefu_err *err)
{
	sqlite3_stmt *st = t->st[R_OUTBOX];
	if (status)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (id)
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	return rows(t, st, out, err);
}
