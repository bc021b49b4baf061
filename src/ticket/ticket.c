/* ticket.c — the ticket rules (see ticket.h): what a new ticket needs per kind, which deadlines
 * each kind, pool, department and channel starts (names from data/policy/tickets.json), the order
 * of the complaint, return and exchange flows, and what claiming, a step, an escalation and a
 * resolution do to the deadlines. State is read from the committed projections; changes leave
 * as events. Never SQL, never HTTP, never permissions. */
#include "ticket/ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/token.h"
#include "base/log.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/buf.h"
#include "store/ticket_store.h"
#include "ticket/mail.h"
#include "ticket/ticket_sla.h"

struct ticket_service {
	struct store *store; /* borrowed */
	struct ticket_store *reads; /* borrowed */
	const struct ticket_policy *policy; /* borrowed */
	const struct kefu_clock *clock; /* borrowed; NULL = process clock */
	struct ticket_sla *sla; /* owned */
	struct map busy; /* ticket id → its pending op: a change not committed yet (values owned) */
	struct map mail_busy; /* Message-ID → (void *)1 while its mail is being recorded */
	ticket_sla_fire_cb on_fire; /* the caller's hook after a warning or breach, may be NULL */
	void *on_fire_arg;
};

/* One ticket.* event on its way to the store; the ticket stays busy until it committed, so two
 * changes checked against the same committed state (two claims) cannot both pass. */
struct pending_op {
	struct ticket_service *t;
	store_done_cb cb; /* the caller's, may be NULL */
	void *arg;
	char id[TICKET_ID_MAX];
};

static void op_done_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct pending_op *op = arg;
	map_del(&op->t->busy, op->id);
	if (op->cb)
		op->cb(op->arg, status, event_id, err);
	free(op);
}

static const char *const kinds[] = {"general", "complaint", "return", "exchange", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", NULL}; /* N-13 */
static const char *const departments[] = {"logistics", "warehouse", "tech", "legal",
					  "product",   "service",   NULL};
static const char *const channels[] = {"chat", "api", "form", "email", NULL};
static const char *const escalations[] = {"senior", "tech", "supervisor", NULL}; /* N-19, N-20 */
/* N-16: soothe → facts (5W1H) → 2–3 options with a deadline → follow-up, after the key points */
static const char *const complaint_flow[] = {"record", "soothe", "facts", "options", "follow_up", NULL};
static const char *const return_flow[] = {"audit", "received", "refunded", NULL}; /* N-18 */
static const char *const exchange_flow[] = {"audit", "shipped", NULL}; /* N-18 */
static const char *const other_steps[] = {"note", "answer", "waiting", "resumed", "revisit", NULL};

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

static int64_t now_ms(const struct ticket_service *t)
{
	return t->clock ? t->clock->now_ms(t->clock->ctx) : clock_now_ms();
}

static const char *const *flow_of(const char *kind)
{
	if (strcmp(kind, "complaint") == 0)
		return complaint_flow;
	if (strcmp(kind, "return") == 0)
		return return_flow;
	if (strcmp(kind, "exchange") == 0)
		return exchange_flow;
	return NULL;
}

const char *const *ticket_flow(const char *kind)
{
	return kind ? flow_of(kind) : NULL;
}

bool ticket_step_known(const char *kind, const char *step)
{
	const char *const *flow = ticket_flow(kind);
	return (flow && index_of(flow, step) >= 0) || index_of(other_steps, step) >= 0;
}

void ticket_completeness(const char *kind, const char *const fields[6], int *required, int *filled)
{
	/* K-34: the six N-14 fields (type, priority, department, order, description, plan); a general
	 * question may have no order: there the order counts only when given */
	bool general = !kind || strcmp(kind, "general") == 0;
	bool has_order = fields[3] && *fields[3];
	*required = general && !has_order ? 5 : 6;
	*filled = 0;
	for (int i = 0; i < 6; i++)
		*filled += fields[i] && *fields[i];
}

/* ---- deadlines ------------------------------------------------------------------------------ */

static int start(struct ticket_service *t, const char *id, const char *name, int64_t *due,
		 struct kefu_err *err)
{
	const struct sla_spec *sp = ticket_policy_deadline(t->policy, name);
	if (!sp)
		return KEFU_ERR(err, KEFU_EINTERNAL, "policy", "no deadline '%s' in the policy", name);
	return ticket_sla_start(t->sla, id, name, now_ms(t), sp, due, err);
}

/* Stops a deadline if it is still in the engine. */
static void stop(struct ticket_service *t, const char *id, const char *name, const char *reason)
{
	ticket_sla_stop(t->sla, id, name, reason, NULL);
}

static void stop_all(struct ticket_service *t, const char *id, const char *reason)
{
	for (int i = 0; ticket_deadline_names[i]; i++)
		stop(t, id, ticket_deadline_names[i], reason);
}

/* N-13…N-18: a breach is recorded by ticket_sla; here it escalates the ticket to a supervisor
 * (except deadlines that are themselves escalations or revisits). */
static void fired_cb(void *arg, enum sla_phase phase, const char *ticket, const char *name,
		     const struct sla_state *st)
{
	struct ticket_service *t = arg;
	if (t->on_fire)
		t->on_fire(t->on_fire_arg, phase, ticket, name, st);
	if (phase == SLA_PHASE_WARN) {
		log_info("ticket", "sla_warn ticket=%s deadline=%s", ticket, name);
		return;
	}
	log_warn("ticket", "sla_breach ticket=%s deadline=%s", ticket, name);
	if (strncmp(name, "escalate_", 9) == 0 || strstr(name, "revisit"))
		return;
	char note[96];
	snprintf(note, sizeof note, "SLA breached: %s", name);
	struct store_event ev = {.type = "ticket.escalated",
				 .at_ms = now_ms(t),
				 .data = json_pack("{s:s,s:s,s:s,s:I}", "id", ticket, "to", "supervisor",
						   "note", note, "breached_due_ms", (json_int_t)st->due_ms)};
	store_append(t->store, &ev, NULL, NULL);
}

/* ---- service -------------------------------------------------------------------------------- */

int ticket_service_new(const struct ticket_service_options *o, struct ticket_service **out,
		       struct kefu_err *err)
{
	if (!o || !o->store || !o->reads || !o->policy || !o->calendar)
		return KEFU_ERR(err, KEFU_EINVAL, "options",
				"tickets need a store, reads, a policy and a calendar");
	struct ticket_service *t = xcalloc(1, sizeof *t);
	t->store = o->store;
	t->reads = o->reads;
	t->policy = o->policy;
	t->clock = o->clock;
	t->on_fire = o->on_fire;
	t->on_fire_arg = o->on_fire_arg;
	map_init(&t->busy);
	map_init(&t->mail_busy);
	struct ticket_sla_options so = {
	    o->store, o->calendar, o->clock, ticket_policy_warn_share(o->policy), fired_cb, t};
	int r = ticket_sla_new(&so, &t->sla, err);
	size_t n = 0;
	if (r == 0)
		r = ticket_sla_rebuild(t->sla, t->reads, &n, err);
	if (r < 0) {
		ticket_service_free(t);
		return r;
	}
	log_info("ticket", "sla_rebuilt timers=%zu", n);
	*out = t;
	return 0;
}

void ticket_service_free(struct ticket_service *t)
{
	if (!t)
		return;
	ticket_sla_free(t->sla);
	/* ops still pending here had their store callbacks dropped with the store */
	const char *k;
	void *v;
	for (size_t i = 0; map_next(&t->busy, &i, &k, &v);)
		free(v);
	map_free(&t->busy);
	map_free(&t->mail_busy);
	free(t);
}

struct ticket_sla *ticket_service_sla(struct ticket_service *t)
{
	return t->sla;
}

void ticket_token_hash(const char *token, char out[65])
{
	token_hash(token, strlen(token), out);
}

/* ---- operations ----------------------------------------------------------------------------- */

static int check_text(const char *field, const char *s, bool required, size_t max, struct kefu_err *err)
{
	if (!s || !*s)
		return required ? KEFU_ERR(err, KEFU_EINVAL, field, "%s is required", field) : 0;
	if (strlen(s) > max)
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s is longer than %zu bytes", field, max);
	return 0;
}

static int check_enum(const char *field, const char *s, const char *const *list, struct kefu_err *err)
{
	if (index_of(list, s) >= 0)
		return 0;
	char allowed[160] = "";
	for (int i = 0; list[i]; i++) {
		strncat(allowed, i ? "|" : "", sizeof allowed - strlen(allowed) - 1);
		strncat(allowed, list[i], sizeof allowed - strlen(allowed) - 1);
	}
	return KEFU_ERR(err, KEFU_EINVAL, field, "%s must be one of %s", field, allowed);
}

static int append_ticket(struct ticket_service *t, const char *type, const char *actor, json_t *data,
			 store_done_cb cb, void *arg, struct kefu_err *err)
{
	struct pending_op *op = xcalloc(1, sizeof *op);
	op->t = t;
	op->cb = cb;
	op->arg = arg;
	snprintf(op->id, sizeof op->id, "%s", json_string_value(json_object_get(data, "id")));
	struct store_event ev = {.type = type, .at_ms = now_ms(t), .actor = actor, .data = data};
	int r = store_append(t->store, &ev, op_done_cb, op);
	if (r < 0) {
		free(op);
		return KEFU_ERR(err, -r, "store", "the service is busy; try again");
	}
	map_put(&t->busy, op->id, op);
	return 0;
}

int ticket_create(struct ticket_service *t, const struct ticket_new *in, const char *actor,
		  struct ticket_created *out, store_done_cb cb, void *arg, struct kefu_err *err)
{
	const char *kind = in->kind ? in->kind : "general";
	int r;
	if ((r = check_enum("kind", kind, kinds, err)) < 0 ||
	    (r = check_text("type", in->type, true, 64, err)) < 0 ||
	    (r = check_enum("priority", in->priority, priorities, err)) < 0 ||
	    (r = check_enum("department", in->department, departments, err)) < 0 ||
	    (r = check_enum("channel", in->channel, channels, err)) < 0 ||
	    (r = check_text("description", in->description, true, TICKET_TEXT_MAX, err)) < 0 ||
	    (r = check_text("plan", in->plan, false, TICKET_TEXT_MAX, err)) < 0 ||
	    (r = check_text("order", in->order, strcmp(kind, "general") != 0, 64, err)) < 0 ||
	    (r = check_text("session", in->session, strcmp(in->channel, "chat") == 0, 64, err)) < 0 ||
	    (r = check_text("customer", in->customer, false, 64, err)) < 0 ||
	    (r = check_text("region", in->region, false, 64, err)) < 0)
		return r;
	/* K-34: completeness over the N-14 fields required of this kind */
	int required, filled;
	const char *const n14[6] = {in->type,  in->priority,	in->department,
				    in->order, in->description, in->plan};
	ticket_completeness(kind, n14, &required, &filled);
	rand_id(out->id, sizeof out->id, "tk_");
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, strlen(token), hash);
	snprintf(out->token, sizeof out->token, "%s", token);
	/* deadlines first (their events precede ticket.created, so cb means all committed) */
	const char *names[8];
	int n = 0;
	names[n++] = in->priority[1] == '1' ? "p1_group"
	    : in->priority[1] == '2'	    ? "p2_solution"
					    : "p3_forward";
	if (strcmp(in->department, "service") != 0) {
		names[n++] = "claim"; /* N-14 */
		names[n++] = "answer";
	}
	if (strcmp(in->channel, "form") == 0 || strcmp(in->channel, "email") == 0) {
		names[n++] = "accept"; /* N-06 */
		names[n++] = "solve";
	}
	if (strcmp(kind, "complaint") == 0) {
		names[n++] = "record"; /* N-16 */
		names[n++] = "progress"; /* N-15 */
	} else if (strcmp(kind, "return") == 0) {
		names[n++] = "audit"; /* N-18, K-27 */
	} else if (strcmp(kind, "exchange") == 0) {
		names[n++] = ticket_policy_remote(t->policy, in->region) ? "ship_remote" : "ship"; /* K-28 */
	}
	for (int i = 0; i < n; i++)
		if ((r = start(t, out->id, names[i], NULL, err)) < 0) {
			stop_all(t, out->id, "cancelled");
			return r;
		}
	json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "id", out->id, "kind", kind,
				 "type", in->type, "priority", in->priority, "department", in->department,
				 "channel", in->channel, "description", in->description, "step", "new",
				 "progress_hash", hash, "fields_required", required, "fields_filled", filled);
	if (in->complex)
		json_object_set_new(data, "complex", json_true()); /* K-11 */
	const char *opt[][2] = {{"order", in->order},
				{"customer", in->customer},
				{"session", in->session},
				{"plan", in->plan},
				{"region", in->region}};
	for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
		if (opt[i][1] && *opt[i][1])
			json_object_set_new(data, opt[i][0], json_string(opt[i][1]));
	if ((r = append_ticket(t, "ticket.created", actor, data, cb, arg, err)) < 0)
		stop_all(t, out->id, "cancelled");
	return r;
}

/* Loads the committed ticket; *tk is a new ref. */
static int load(struct ticket_service *t, const char *id, json_t **tk, struct kefu_err *err)
{
	if (!id || !*id || strlen(id) >= TICKET_ID_MAX)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no such ticket");
	if (map_get(&t->busy, id))
		return KEFU_ERR(err, KEFU_ECONFLICT, "id",
				"another change to this ticket is still being recorded; try again");
	return ticket_store_get(t->reads, id, tk, err);
}

static const char *str(json_t *tk, const char *key)
{
	const char *s = json_string_value(json_object_get(tk, key));
	return s ? s : "";
}

int ticket_claim(struct ticket_service *t, const char *id, const char *actor, store_done_cb cb, void *arg,
		 struct kefu_err *err)
{
	json_t *tk;
	int r = load(t, id, &tk, err);
	if (r < 0)
		return r;
	if (strcmp(str(tk, "state"), "open") != 0)
		r = KEFU_ERR(err, KEFU_ECONFLICT, "state", "the ticket is %s, not open", str(tk, "state"));
	else if (!actor)
		r = KEFU_ERR(err, KEFU_EINVAL, "actor", "a claim needs a user");
	json_decref(tk);
	if (r < 0)
		return r;
	stop(t, id, "claim", "met"); /* N-14 */
	stop(t, id, "accept", "met"); /* N-06 */
	return append_ticket(t, "ticket.claimed", actor, json_pack("{s:s,s:s}", "id", id, "by", actor), cb,
			     arg, err);
}

int ticket_step(struct ticket_service *t, const char *id, const char *step, const char *note,
		bool public_note, const char *actor, store_done_cb cb, void *arg, struct kefu_err *err)
{
	int r;
	if ((r = check_text("note", note, false, TICKET_TEXT_MAX, err)) < 0)
		return r;
	json_t *tk;
	if ((r = load(t, id, &tk, err)) < 0)
		return r;
	char kind[16], cur[24], state[16];
	snprintf(kind, sizeof kind, "%s", str(tk, "kind"));
	snprintf(cur, sizeof cur, "%s", str(tk, "step"));
	snprintf(state, sizeof state, "%s", str(tk, "state"));
	json_decref(tk);
	const char *const *flow = flow_of(kind);
	int pos = flow ? index_of(flow, step) : -1;
	bool resolved = strcmp(state, "resolved") == 0;
	if (pos < 0 && index_of(other_steps, step) < 0)
		return KEFU_ERR(err, KEFU_EINVAL, "step", "'%.24s' is not a step of a %s ticket",
				step ? step : "", kind);
	if (resolved && strcmp(step, "revisit") != 0 && strcmp(step, "note") != 0)
		return KEFU_ERR(err, KEFU_ECONFLICT, "state",
				"the ticket is resolved; only a note or the revisit");
	if (!resolved && strcmp(step, "revisit") == 0)
		return KEFU_ERR(err, KEFU_ECONFLICT, "step", "a revisit comes after the resolution");
	if (pos >= 0) {
		/* K-33: the prescribed steps in their order, none skipped */
		int at = index_of(flow, cur);
		if (pos != at + 1)
			return KEFU_ERR(err, KEFU_ECONFLICT, "step", "'%s' must come %s", step,
					at + 1 < pos ? "after the steps before it" : "only once, in order");
		if (strcmp(step, "options") == 0 && (!note || !*note))
			return KEFU_ERR(err, KEFU_EINVAL, "note",
					"the options step records the 2-3 options offered");
	}
	if (strcmp(step, "record") == 0)
		stop(t, id, "record", "met");
	else if (strcmp(step, "audit") == 0)
		stop(t, id, "audit", "met");
	else if (strcmp(step, "shipped") == 0) {
		stop(t, id, "ship", "met");
		stop(t, id, "ship_remote", "met");
	} else if (strcmp(step, "answer") == 0) {
		stop(t, id, "answer", "met");
		for (int i = 0; escalations[i]; i++) {
			char name[32];
			snprintf(name, sizeof name, "escalate_%s", escalations[i]);
			stop(t, id, name, "met");
		}
	} else if (strcmp(step, "revisit") == 0) {
		stop(t, id, "complaint_revisit", "met");
		stop(t, id, "aftersale_revisit", "met");
	} else if (strcmp(step, "waiting") == 0) {
		for (int i = 0; ticket_deadline_names[i]; i++)
			ticket_sla_pause(t->sla, id, ticket_deadline_names[i], NULL);
	} else if (strcmp(step, "resumed") == 0) {
		for (int i = 0; ticket_deadline_names[i]; i++)
			ticket_sla_resume(t->sla, id, ticket_deadline_names[i], NULL);
	} else if (strcmp(step, "note") == 0 && public_note && !resolved && strcmp(kind, "complaint") == 0) {
		stop(t, id, "progress", "met"); /* N-15: the next progress note is due in 24 h */
		if ((r = start(t, id, "progress", NULL, err)) < 0)
			return r;
	}
	json_t *data = json_pack("{s:s,s:s,s:b}", "id", id, "step", step, "public", public_note);
	if (pos >= 0)
		json_object_set_new(data, "flow_step", json_string(step));
	if (note && *note)
		json_object_set_new(data, "note", json_string(note));
	return append_ticket(t, "ticket.step", actor, data, cb, arg, err);
}

int ticket_escalate(struct ticket_service *t, const char *id, const char *to, const char *note,
		    const char *actor, int64_t *expected_ms, store_done_cb cb, void *arg,
		    struct kefu_err *err)
{
	int r;
	if ((r = check_enum("to", to, escalations, err)) < 0 ||
	    (r = check_text("note", note, false, TICKET_TEXT_MAX, err)) < 0)
		return r;
	json_t *tk;
	if ((r = load(t, id, &tk, err)) < 0)
		return r;
	bool resolved = strcmp(str(tk, "state"), "resolved") == 0;
	json_decref(tk);
	if (resolved)
		return KEFU_ERR(err, KEFU_ECONFLICT, "state", "the ticket is resolved");
	char name[32];
	snprintf(name, sizeof name, "escalate_%s", to);
	int64_t due;
	if ((r = start(t, id, name, &due, err)) < 0)
		return r == -KEFU_EEXIST ? KEFU_ERR(err, KEFU_ECONFLICT, "to", "already escalated to %s", to)
					 : r;
	if (expected_ms)
		*expected_ms = due;
	json_t *data = json_pack("{s:s,s:s,s:I}", "id", id, "to", to, "expected_ms", (json_int_t)due);
	if (note && *note)
		json_object_set_new(data, "note", json_string(note));
	if ((r = append_ticket(t, "ticket.escalated", actor, data, cb, arg, err)) < 0)
		stop(t, id, name, "cancelled");
	return r;
}

int ticket_resolve(struct ticket_service *t, const char *id, const char *resolution, const char *actor,
		   store_done_cb cb, void *arg, struct kefu_err *err)
{
	int r;
	if ((r = check_text("resolution", resolution, false, TICKET_TEXT_MAX, err)) < 0)
		return r;
	json_t *tk;
	if ((r = load(t, id, &tk, err)) < 0)
		return r;
	char kind[16];
	snprintf(kind, sizeof kind, "%s", str(tk, "kind"));
	bool resolved = strcmp(str(tk, "state"), "resolved") == 0;
	json_decref(tk);
	if (resolved)
		return KEFU_ERR(err, KEFU_ECONFLICT, "state", "the ticket is already resolved");
	stop_all(t, id, "met");
	if ((r = start(t, id, "archive", NULL, err)) < 0) /* N-20: archived before the end of the day */
		return r;
	if (strcmp(kind, "complaint") == 0)
		r = start(t, id, "complaint_revisit", NULL, err); /* N-16 */
	else if (strcmp(kind, "return") == 0 || strcmp(kind, "exchange") == 0)
		r = start(t, id, "aftersale_revisit", NULL, err); /* N-17 */
	if (r < 0)
		return r;
	json_t *data = json_pack("{s:s}", "id", id);
	if (resolution && *resolution)
		json_object_set_new(data, "resolution", json_string(resolution));
	return append_ticket(t, "ticket.resolved", actor, data, cb, arg, err);
}

int ticket_archive(struct ticket_service *t, const char *id, const char *actor, store_done_cb cb, void *arg,
		   struct kefu_err *err)
{
	json_t *tk;
	int r = load(t, id, &tk, err);
	if (r < 0)
		return r;
	if (strcmp(str(tk, "state"), "resolved") != 0)
		r = KEFU_ERR(err, KEFU_ECONFLICT, "state", "only a resolved case is archived; it is %s",
			     str(tk, "state"));
	else if (json_integer_value(json_object_get(tk, "archived_ms")) > 0)
		r = KEFU_ERR(err, KEFU_ECONFLICT, "state", "the case is already archived");
	json_decref(tk);
	if (r < 0)
		return r;
	stop(t, id, "archive", "met"); /* N-20 */
	return append_ticket(t, "ticket.archived", actor, json_pack("{s:s}", "id", id), cb, arg, err);
}

/* ---- email channel (N-06) ------------------------------------------------------------------- */

/* A mail on its way to the store: its Message-ID stays in mail_busy until it committed. */
struct mail_op {
	struct ticket_service *t;
	store_done_cb cb;
	void *arg;
	char message_id[MAIL_ID_MAX + 1];
};

static void mail_done_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct mail_op *op = arg;
	map_del(&op->t->mail_busy, op->message_id);
	if (op->cb)
		op->cb(op->arg, status, event_id, err);
	free(op);
}

/* The ticket a reply belongs to: In-Reply-To, then References newest first, then a subject token;
 * only a ticket of the same customer (a stranger cannot append to someone's case). */
static int thread_of(struct ticket_service *t, const struct mail_msg *m, const char *customer, char *out,
		     struct kefu_err *err)
{
	const char *ids[MAIL_REFS_MAX + 1];
	int n = 0;
	if (m->in_reply_to[0])
		ids[n++] = m->in_reply_to;
	for (int i = m->nrefs - 1; i >= 0; i--)
		ids[n++] = m->refs[i];
	for (int i = 0; i < n; i++) {
		json_t *row = NULL;
		int r = ticket_store_mail_find(t->reads, ids[i], &row, err);
		if (r < 0)
			return r;
		const char *c = json_string_value(json_object_get(row, "customer"));
		const char *tk = json_string_value(json_object_get(row, "ticket"));
		bool ok = row && customer && c && tk && strcmp(c, customer) == 0;
		if (ok)
			snprintf(out, TICKET_ID_MAX, "%s", tk);
		json_decref(row);
		if (ok)
			return 1;
	}
	char id[TICKET_ID_MAX];
	if (customer && mail_subject_ticket(m->subject, id, sizeof id) == 0) {
		json_t *tk = NULL;
		if (ticket_store_get(t->reads, id, &tk, NULL) == 0) {
			const char *c = json_string_value(json_object_get(tk, "customer"));
			bool ok = c && strcmp(c, customer) == 0;
			json_decref(tk);
			if (ok) {
				snprintf(out, TICKET_ID_MAX, "%s", id);
				return 1;
			}
		}
	}
	return 0;
}

/* The first max bytes of s cut at a UTF-8 character boundary, into a new string. */
static char *utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

int ticket_mail_in(struct ticket_service *t, const struct mail_msg *m, struct ticket_mail_result *out,
		   store_done_cb cb, void *arg, struct kefu_err *err)
{
	memset(out, 0, sizeof *out);
	if (map_get(&t->mail_busy, m->message_id))
		return KEFU_ERR(err, KEFU_ECONFLICT, "message_id",
				"a mail with this Message-ID is being recorded; try again");
	json_t *seen = NULL;
	int r = ticket_store_mail_find(t->reads, m->message_id, &seen, err);
	if (r < 0)
		return r;
	if (seen) { /* the gateway delivered it again: nothing to do */
		snprintf(out->ticket, sizeof out->ticket, "%s", str(seen, "ticket"));
		out->duplicate = true;
		json_decref(seen);
		return 0;
	}
	char *customer = NULL;
	if ((r = ticket_store_mail_customer(t->reads, m->from, &customer, err)) < 0)
		return r;
	bool new_customer = customer == NULL;
	if (new_customer) { /* the same address always makes the same id */
		char h[65];
		token_hash(m->from, strlen(m->from), h);
		customer = xmalloc(20);
		snprintf(customer, 20, "cm_%.16s", h);
	}
	int found = thread_of(t, m, new_customer ? NULL : customer, out->ticket, err);
	if (found < 0) {
		free(customer);
		return found;
	}
	if (found) {
		json_t *tk;
		if ((r = load(t, out->ticket, &tk, err)) < 0) {
			free(customer);
			return r;
		}
		bool resolved = strcmp(str(tk, "state"), "resolved") == 0;
		json_decref(tk);
		if (!resolved) /* the customer answered: deadlines paused for them run again */
			for (int i = 0; ticket_deadline_names[i]; i++)
				ticket_sla_resume(t->sla, out->ticket, ticket_deadline_names[i], NULL);
	} else {
		if (new_customer) {
			struct store_event cev = {
			    .type = "customer.upserted",
			    .at_ms = now_ms(t),
			    .data = json_pack("{s:s,s:s,s:[]}", "id", customer, "type", "new", "tags")};
			if (m->name[0])
				json_object_set_new(cev.data, "name", json_string(m->name));
			if ((r = store_append(t->store, &cev, NULL, NULL)) < 0) {
				free(customer);
				return KEFU_ERR(err, -r, "store", "the service is busy; try again");
			}
		}
		struct buf d;
		buf_init(&d);
		buf_printf(&d, "%s%s%s", m->subject, *m->subject && *m->body ? "\n\n" : "", m->body);
		char *desc = utf8_prefix(d.data, TICKET_TEXT_MAX);
		buf_free(&d);
		struct ticket_new in = {.kind = "general",
					.type = "email",
					.priority = "P3",
					.department = "service",
					.customer = customer,
					.channel = "email",
					.description = desc};
		struct ticket_created c;
		r = ticket_create(t, &in, NULL, &c, NULL, NULL, err);
		free(desc);
		if (r < 0) {
			free(customer);
			return r;
		}
		snprintf(out->ticket, sizeof out->ticket, "%s", c.id);
		snprintf(out->token, sizeof out->token, "%s", c.token);
		out->created = true;
	}
	json_t *data =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", out->ticket, "message_id", m->message_id, "from",
		      m->from, "subject", m->subject, "body", m->body, "customer", customer);
	if (m->in_reply_to[0])
		json_object_set_new(data, "in_reply_to", json_string(m->in_reply_to));
	free(customer);
	struct mail_op *op = xcalloc(1, sizeof *op);
	op->t = t;
	op->cb = cb;
	op->arg = arg;
	snprintf(op->message_id, sizeof op->message_id, "%s", m->message_id);
	struct store_event ev = {.type = "ticket.mailed", .at_ms = now_ms(t), .data = data};
	if ((r = store_append(t->store, &ev, mail_done_cb, op)) < 0) {
		free(op);
		return KEFU_ERR(err, -r, "store", "the service is busy; try again");
	}
	map_put(&t->mail_busy, op->message_id, (void *)1);
	return 0;
}

int ticket_mail_reply(struct ticket_service *t, const char *id, const char *body, const char *actor,
		      char out_id[TICKET_ID_MAX], store_done_cb cb, void *arg, struct kefu_err *err)
{
	int r;
	if ((r = check_text("body", body, true, MAIL_BODY_MAX, err)) < 0)
		return r;
	if (!actor)
		return KEFU_ERR(err, KEFU_EINVAL, "actor", "a reply needs a user");
	json_t *tk;
	if ((r = load(t, id, &tk, err)) < 0)
		return r;
	bool email = strcmp(str(tk, "channel"), "email") == 0;
	json_decref(tk);
	if (!email)
		return KEFU_ERR(err, KEFU_ECONFLICT, "id", "only an email ticket is answered by mail");
	json_t *last = NULL;
	if ((r = ticket_store_mail_last_in(t->reads, id, &last, err)) < 0)
		return r;
	if (!last)
		return KEFU_ERR(err, KEFU_ECONFLICT, "id", "the ticket has no mail to answer");
	const char *subj = str(last, "subject");
	struct buf s;
	buf_init(&s);
	char *cut = utf8_prefix(subj, MAIL_SUBJECT_MAX - 40); /* never half a character: JSON needs UTF-8 */
	buf_printf(&s, "%s%s", strncasecmp(subj, "re:", 3) == 0 ? "" : "Re: ", cut);
	free(cut);
	char token[TICKET_ID_MAX + 4];
	snprintf(token, sizeof token, "[#%s]", id);
	if (!strstr(subj, token))
		buf_printf(&s, " %s",
			   token); /* the customer's answer finds the ticket even without headers */
	for (size_t i = 0; i < s.len; i++) /* a header on one line for the relay (mail.c one_line) */
		if ((unsigned char)s.data[i] < 0x20 || s.data[i] == 0x7f)
			s.data[i] = ' ';
	rand_id(out_id, TICKET_ID_MAX, "mo_");
	char mid[TICKET_ID_MAX + 16];
	snprintf(mid, sizeof mid, "%s@kefu.local", out_id);
	json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", out_id, "ticket", id, "to",
				 str(last, "address"), "subject", s.data, "body", body, "message_id", mid,
				 "in_reply_to", str(last, "message_id"));
	buf_free(&s);
	json_decref(last);
	if (!data)
		return KEFU_ERR(err, KEFU_EINVAL, "body", "the reply is not valid UTF-8 text");
	stop(t, id, "accept", "met"); /* N-06: the first answer accepts the mail */
	return append_ticket(t, "mail.queued", actor, data, cb, arg, err);
}

int ticket_mail_status(struct ticket_service *t, const char *id, bool sent, const char *error,
		       store_done_cb cb, void *arg, struct kefu_err *err)
{
	int r;
	if ((r = check_text("error", error, false, 500, err)) < 0)
		return r;
	if (!id || !*id || strlen(id) >= TICKET_ID_MAX)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no such outbox mail");
	if (map_get(&t->busy, id))
		return KEFU_ERR(err, KEFU_ECONFLICT, "id", "this mail's last change is still being recorded");
	json_t *rows;
	if ((r = ticket_store_outbox(t->reads, NULL, id, 1, &rows, err)) < 0)
		return r;
	json_t *row = json_array_get(rows, 0);
	if (!row)
		r = KEFU_ERR(err, KEFU_ENOTFOUND, "id", "no such outbox mail");
	else if (strcmp(str(row, "status"), "sent") == 0)
		r = KEFU_ERR(err, KEFU_ECONFLICT, "status", "the mail was already sent");
	json_decref(rows);
	if (r < 0)
		return r;
	json_t *data = json_pack("{s:s}", "id", id);
	if (!sent && error && *error)
		json_object_set_new(data, "error", json_string(error));
	return append_ticket(t, sent ? "mail.sent" : "mail.failed", NULL, data, cb, arg, err);
}
