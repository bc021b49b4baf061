/* chat.c — live-chat operations (see chat.h): each one checks who may do what in which state,
 * updates the in-memory state, appends its events, and queues the frames that go out once the
 * store has committed them. Queue order and agent choice are in queue.c. */
#include "chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/mem.h"
#include "base/rand.h"
#include "base/utf8.h"
#include "chat/chat_internal.h"
#include "guard/guard.h"
#include "store/store.h"

#define SUMMARY_MAX_CHARS 500
#define NOTE_MAX_CHARS 500
#define REPLAY_MAX 1000 /* messages replayed per session on resume */

static const char GREETING_FMT[] = "您好，我是客服%s，很高兴为您服务，请问有什么可以帮您？"; /* N-01, N-10 */
static const char TRANSFER_TEXT[] = "已为您转接至客服%s，请稍候。";
static const char RATE_TEXT[] =
    "本次服务已结束，请您对本次服务进行评价（1–5 星），并告诉我们问题是否已解决。"; /* N-10 */

/* ---- connections ------------------------------------------------------------------------- */

static void conn_list_add(struct conn_list *l, struct chat_conn *cc)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 2;
		l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
	}
	l->v[l->n++] = cc;
}

static void conn_list_remove(struct conn_list *l, struct chat_conn *cc)
{
	for (int i = 0; i < l->n; i++) {
		if (l->v[i] == cc) {
			l->v[i] = l->v[--l->n];
			return;
		}
	}
}

static void conn_unref(struct chat_conn *cc)
{
	if (--cc->refs == 0)
		free(cc);
}

static void send_conn(struct chat *c, struct chat_conn *cc, const char *frame, size_t len)
{
	if (cc && cc->transport)
		c->sink.send(c->sink.ctx, cc->transport, frame, len);
}

static void send_list(struct chat *c, struct conn_list *l, const struct chat_conn *except, const char *frame,
		      size_t len)
{
	for (int i = 0; l && i < l->n; i++)
		if (l->v[i] != except)
			send_conn(c, l->v[i], frame, len);
}

void chat_push_staff(struct chat *c, const char *perm, const char *user, const char *frame, size_t len)
{
	void *v;
	for (size_t it = 0; map_next(&c->agents, &it, NULL, &v);) {
		struct chat_agent *a = v;
		bool mine = user && strcmp(a->id, user) == 0;
		for (int i = 0; i < a->conns.n; i++)
			if (mine || (perm && perm_allows(perm, a->conns.v[i]->p.role)))
				send_conn(c, a->conns.v[i], frame, len);
	}
}

static void send_json(struct chat *c, struct chat_conn *cc, json_t *frame)
{
	char *s = json_dumps(frame, JSON_COMPACT);
	json_decref(frame);
	if (s) {
		send_conn(c, cc, s, strlen(s));
		free(s);
	}
}

static struct chat_agent *agent_get(struct chat *c, const char *id, bool create)
{
	struct chat_agent *a = map_get(&c->agents, id);
	if (!a && create) {
		a = xcalloc(1, sizeof *a);
		snprintf(a->id, sizeof a->id, "%s", id);
		snprintf(a->display, sizeof a->display, "%s", id);
		snprintf(a->status, sizeof a->status, "offline");
		a->max_chats = c->policy->default_max_chats;
		map_put(&c->agents, id, a);
	}
	return a;
}

static bool is_staff(const struct principal *p)
{
	return p->role == ROLE_JUNIOR || p->role == ROLE_SENIOR || p->role == ROLE_LEAD ||
	    p->role == ROLE_SUPERVISOR || p->role == ROLE_MANAGER;
}

static bool is_lead_or_above(const struct principal *p)
{
	return p->role == ROLE_LEAD || p->role == ROLE_SUPERVISOR || p->role == ROLE_MANAGER;
}

/* ---- frames ------------------------------------------------------------------------------ */

static void fmt_time(int64_t ms, char out[40])
{
	clock_format_rfc3339(ms, 480, out, 40);
}

static const char *state_name(enum session_state s)
{
	return s == SESSION_QUEUED ? "queued" : s == SESSION_ASSIGNED ? "assigned" : "closed";
}

static json_t *session_json(struct chat *c, const struct chat_session *s)
{
	char opened[40];
	fmt_time(s->opened_ms, opened);
	struct chat_agent *a = s->agent[0] ? map_get(&c->agents, s->agent) : NULL;
	json_t *o =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", s->id, "state", state_name(s->state),
		      "category", s->category, "group", s->group, "channel", s->channel, "customer",
		      s->customer, "customer_type", s->customer_type, "last_seq", (json_int_t)s->last_seq);
	json_object_set_new(o, "opened_at", json_string(opened));
	json_object_set_new(o, "agent", s->agent[0] ? json_string(s->agent) : json_null());
	json_object_set_new(o, "agent_display", a ? json_string(a->display) : json_null());
	json_object_set_new(o, "queue_position",
			    s->state == SESSION_QUEUED ? json_integer(chat__queue_position(c, s))
						       : json_null());
	json_object_set_new(o, "first_customer_ms",
			    s->first_customer_ms ? json_integer(s->first_customer_ms) : json_null());
	json_object_set_new(o, "first_agent_ms",
			    s->first_agent_ms ? json_integer(s->first_agent_ms) : json_null());
	json_object_set_new(o, "unanswered_ms",
			    s->unanswered_ms ? json_integer(s->unanswered_ms) : json_null());
	return o;
}

/* ---- pending appends and their deliveries ----------------------------------------------- */

enum target_kind {
	TO_CONN, /* one connection */
	TO_SESSION, /* customer + assigned agent of a session (resolved at delivery) */
	TO_CUSTOMER, /* every connection of the session's customer */
	TO_AGENT, /* every connection of an agent (by id) */
};

struct delivery {
	enum target_kind kind;
	struct chat_conn *conn; /* TO_CONN (holds a ref); TO_SESSION: excluded connection (no ref) */
	char who[80]; /* TO_AGENT: agent id */
	char *frame; /* owned JSON text */
	size_t len;
	struct delivery *next;
};

struct pending {
	struct chat *chat;
	char session[24]; /* "" for events without a session */
	struct chat_conn *origin; /* gets an error frame on failure (holds a ref), may be NULL */
	char ref[72]; /* echoed in the error frame */
	bool is_message; /* counts in stats */
	struct delivery *head, **tail;
};

static struct pending *pending_new(struct chat *c, const struct chat_session *s, struct chat_conn *origin,
				   const char *ref)
{
	struct pending *p = xcalloc(1, sizeof *p);
	p->chat = c;
	if (s)
		snprintf(p->session, sizeof p->session, "%s", s->id);
	if (origin) {
		p->origin = origin;
		origin->refs++;
	}
	if (ref)
		snprintf(p->ref, sizeof p->ref, "%s", ref);
	p->tail = &p->head;
	return p;
}

/* Queues frame (takes ownership of the json) for delivery after commit. */
/* Queues a frame already serialised (takes ownership of text, len bytes) for after the commit. */
static void pending_add_text(struct pending *p, enum target_kind kind, struct chat_conn *conn,
			     const char *who, char *text, size_t len)
{
	struct delivery *d = xcalloc(1, sizeof *d);
	d->kind = kind;
	d->conn = conn;
	if (conn && kind == TO_CONN)
		conn->refs++;
	if (who)
		snprintf(d->who, sizeof d->who, "%s", who);
	d->frame = text;
	d->len = text ? len : 0;
	*p->tail = d;
	p->tail = &d->next;
}

static void pending_add(struct pending *p, enum target_kind kind, struct chat_conn *conn, const char *who,
			json_t *frame)
{
	char *text = json_dumps(frame, JSON_COMPACT);
	json_decref(frame);
	pending_add_text(p, kind, conn, who, text, text ? strlen(text) : 0);
}

/* The hot frames of the message path, written directly (jansson's pack + dump cost a quarter of
 * the loop thread per message). Strings come from validated UTF-8. */
static void frame_str(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	if (v)
		buf_json_string(b, v, strlen(v));
	else
		buf_puts(b, "null");
}

static char *msg_frame(const struct chat_session *s, int64_t seq, const char *from, const char *agent_id,
		       const char *text, const char *at, size_t *len)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "{\"type\":\"msg\",\"session\":\"%s\",\"seq\":%lld", s->id, (long long)seq);
	frame_str(&b, "from", from);
	frame_str(&b, "text", text);
	frame_str(&b, "at", at);
	frame_str(&b, "agent", agent_id);
	buf_puts(&b, "}");
	*len = b.len;
	return buf_detach(&b);
}

static char *ack_frame(const struct chat_session *s, int64_t seq, const char *at, const char *client_id,
		       size_t *len)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "{\"type\":\"ack\",\"session\":\"%s\",\"seq\":%lld", s->id, (long long)seq);
	frame_str(&b, "at", at);
	frame_str(&b, "client_id", client_id);
	buf_puts(&b, "}");
	*len = b.len;
	return buf_detach(&b);
}

static void deliver(struct chat *c, const char *session_id, struct delivery *d)
{
	struct chat_session *s = session_id[0] ? map_get(&c->sessions, session_id) : NULL;
	switch (d->kind) {
	case TO_CONN:
		send_conn(c, d->conn, d->frame, d->len);
		break;
	case TO_SESSION:
		if (s) {
			send_list(c, map_get(&c->customers, s->customer), d->conn, d->frame, d->len);
			struct chat_agent *a = s->agent[0] ? map_get(&c->agents, s->agent) : NULL;
			if (a)
				send_list(c, &a->conns, d->conn, d->frame, d->len);
		}
		break;
	case TO_CUSTOMER:
		if (s)
			send_list(c, map_get(&c->customers, s->customer), NULL, d->frame, d->len);
		break;
	case TO_AGENT: {
		struct chat_agent *a = map_get(&c->agents, d->who);
		if (a)
			send_list(c, &a->conns, NULL, d->frame, d->len);
		break;
	}
	}
}

static void pending_free(struct pending *p)
{
	struct delivery *d = p->head;
	while (d) {
		struct delivery *next = d->next;
		if (d->kind == TO_CONN && d->conn)
			conn_unref(d->conn);
		free(d->frame);
		free(d);
		d = next;
	}
	if (p->origin)
		conn_unref(p->origin);
	free(p);
}

static json_t *error_frame(const char *code, const char *message, const char *field, const char *ref)
{
	json_t *f = json_pack("{s:s,s:s,s:s}", "type", "error", "code", code, "message", message);
	json_object_set_new(f, "field", field && *field ? json_string(field) : json_null());
	json_object_set_new(f, "ref", ref && *ref ? json_string(ref) : json_null());
	return f;
}

static void committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct pending *p = arg;
	struct chat *c = p->chat;
	(void)event_id;
	if (status == 0) {
		if (p->is_message)
			c->messages++;
		for (struct delivery *d = p->head; d; d = d->next)
			deliver(c, p->session, d);
	} else {
		log_error("chat", "event not stored session=%s code=%s", p->session[0] ? p->session : "-",
			  kefu_strerror(status));
		if (p->origin)
			send_json(c, p->origin,
				  error_frame(kefu_strerror(status), "could not store the change; try again",
					      err ? err->field : NULL, p->ref));
	}
	pending_free(p);
}

/* Appends an event; takes ownership of data and p (deliveries run after commit). Returns 0 or
 * a negative code (then p is freed and nothing was delivered). */
static int append(struct chat *c, const char *type, const struct chat_session *s, const char *actor,
		  int64_t at_ms, json_t *data, struct pending *p, struct kefu_err *err)
{
	struct store_event ev = {
	    .type = type, .at_ms = at_ms, .session = s ? s->id : NULL, .actor = actor, .data = data};
	int rc = store_append(c->store, &ev, p ? committed_cb : NULL, p);
	if (rc < 0) {
		if (p)
			pending_free(p);
		return KEFU_ERR(err, rc, "store", "the store refused the change (%s)", kefu_strerror(rc));
	}
	return 0;
}

/* Appends a message event (seq assigned here) and queues its msg frame to the session. */
static int append_message(struct chat *c, struct chat_session *s, const char *from, const char *agent_id,
			  const char *text, const char *client_id, struct pending *p,
			  const struct chat_conn *exclude, int64_t now, struct kefu_err *err)
{
	int64_t seq = ++s->last_seq;
	char at[40];
	fmt_time(now, at);
	json_t *data = json_pack("{s:I,s:s,s:s}", "seq", (json_int_t)seq, "from", from, "text", text);
	json_object_set_new(data, "agent", agent_id ? json_string(agent_id) : json_null());
	json_object_set_new(data, "client_id", client_id ? json_string(client_id) : json_null());
	size_t mlen;
	char *msg = msg_frame(s, seq, from, agent_id, text, at, &mlen);
	if (!p)
		p = pending_new(c, s, NULL, NULL);
	p->is_message = true;
	pending_add_text(p, TO_SESSION, (struct chat_conn *)exclude, NULL, msg, mlen);
	return append(c, "message", s,
		      agent_id ? agent_id : (strcmp(from, "customer") == 0 ? s->customer : NULL), now, data,
		      p, err);
}

/* A system message (greeting, transfer notice, rating request); p (may be NULL) carries extra
 * frames to deliver after it commits. */
static int system_message(struct chat *c, struct chat_session *s, const char *text, struct pending *p,
			  int64_t now)
{
	return append_message(c, s, "system", NULL, text, NULL, p, NULL, now, NULL);
}

/* ---- engine lifecycle ------------------------------------------------------------------- */

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static struct chat_session *session_new(struct chat *c, const char *id)
{
	struct chat_session *s = xcalloc(1, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	map_put(&c->sessions, s->id, s);
	return s;
}

/* Refills the idempotency ring from the session's last stored messages, so a client that resends
 * after a crash (its message committed, the ack lost) is acknowledged, not stored twice. */
static void load_recent_ids(struct chat *c, struct chat_session *s)
{
	json_t *msgs = NULL;
	int64_t after = s->last_seq > CHAT_RECENT_IDS ? s->last_seq - CHAT_RECENT_IDS : 0;
	if (store_session_messages(c->reader, s->id, after, CHAT_RECENT_IDS, &msgs, NULL) < 0)
		return;
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *id = json_string_value(json_object_get(m, "client_id"));
		if (!id)
			continue;
		struct recent_id *r = &s->recent[s->recent_next];
		s->recent_next = (s->recent_next + 1) % CHAT_RECENT_IDS;
		snprintf(r->client_id, sizeof r->client_id, "%s", id);
		r->seq = json_integer_value(json_object_get(m, "seq"));
	}
	json_decref(msgs);
}

static int load_open_sessions(struct chat *c, struct kefu_err *err)
{
	json_t *arr = NULL;
	int rc = store_open_sessions(c->reader, &arr, err);
	if (rc < 0)
		return rc;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		struct chat_session *s = session_new(c, jstr(o, "id"));
		snprintf(s->customer, sizeof s->customer, "%s", jstr(o, "customer"));
		snprintf(s->customer_type, sizeof s->customer_type, "%s", jstr(o, "customer_type"));
		snprintf(s->channel, sizeof s->channel, "%s", jstr(o, "channel"));
		snprintf(s->category, sizeof s->category, "%s", jstr(o, "category"));
		snprintf(s->group, sizeof s->group, "%s", jstr(o, "group"));
		snprintf(s->agent, sizeof s->agent, "%s", jstr(o, "agent"));
		s->priority = (int)jint(o, "priority");
		s->opened_ms = jint(o, "opened_at_ms");
		s->queued_ms = jint(o, "queued_at_ms");
		s->last_seq = jint(o, "last_seq");
		s->first_customer_ms = jint(o, "first_customer_ms");
		s->first_agent_ms = jint(o, "first_agent_ms");
		if (s->first_customer_ms && !s->first_agent_ms)
			s->unanswered_ms = s->first_customer_ms;
		map_put(&c->customer_session, s->customer, s);
		load_recent_ids(c, s);
		if (strcmp(jstr(o, "state"), "assigned") == 0 && s->agent[0]) {
			s->state = SESSION_ASSIGNED;
			agent_get(c, s->agent, true)->active++;
		} else {
			s->state = SESSION_QUEUED;
			s->agent[0] = '\0';
			chat__queue_insert(c, s);
		}
	}
	log_info("chat", "recovered open_sessions=%zu", json_array_size(arr));
	json_decref(arr);
	return 0;
}

int chat_new(struct store *store, struct store_reader *reader, const struct chat_policy *policy,
	     const struct chat_sink *sink, struct chat **out, struct kefu_err *err)
{
	struct chat *c = xcalloc(1, sizeof *c);
	c->store = store;
	c->reader = reader;
	c->policy = policy ? policy : chat_policy_default();
	c->sink = *sink;
	map_init(&c->sessions);
	map_init(&c->customer_session);
	map_init(&c->agents);
	map_init(&c->customers);
	map_init(&c->queues);
	c->alerts = json_array();
	c->m_guard_scans =
	    metric_counter("kefu_guard_scans_total", "messages checked by the compliance guard");
	c->m_guard_ns =
	    metric_counter("kefu_guard_scan_nanoseconds_total", "time spent in the compliance guard");
	c->m_guard_blocked =
	    metric_counter("kefu_guard_blocked_total", "agent messages stopped by the guard");
	int rc = load_open_sessions(c, err);
	if (rc < 0) {
		chat_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void free_values(struct map *m)
{
	void *v;
	for (size_t it = 0; map_next(m, &it, NULL, &v);)
		free(v);
	map_free(m);
}

void chat_free(struct chat *c)
{
	if (!c)
		return;
	void *v;
	for (size_t it = 0; map_next(&c->agents, &it, NULL, &v);)
		free(((struct chat_agent *)v)->conns.v);
	for (size_t it = 0; map_next(&c->customers, &it, NULL, &v);)
		free(((struct conn_list *)v)->v);
	free_values(&c->sessions);
	free_values(&c->agents);
	free_values(&c->customers);
	free_values(&c->queues);
	map_free(&c->customer_session);
	guard_scratch_free(c->scratch);
	json_decref(c->alerts);
	free(c);
}

void chat_set_guard(struct chat *c, struct guard_slot *slot)
{
	c->guard = slot;
	if (slot && !c->scratch) {
		struct guard *g = guard_slot_get(slot);
		c->scratch = guard_scratch_new(g);
		guard_unref(g);
	}
}

void chat_set_kb_hooks(struct chat *c, const struct chat_kb_hooks *h)
{
	if (h)
		c->kb = *h;
	else
		memset(&c->kb, 0, sizeof c->kb);
	/* KB-6: deflection rate = answers / questions, hand-over rate = hand-overs / questions */
	c->m_bot_asked = metric_counter("kefu_bot_questions_total",
					"customer messages in the queue the FAQ bot considered");
	c->m_bot_answered = metric_counter("kefu_bot_answers_total", "of those, answered by the FAQ bot");
	c->m_bot_handover = metric_counter("kefu_bot_handovers_total",
					   "chats the FAQ bot handed to a human (转人工, or not sure)");
}

const struct principal *chat_conn_principal(const struct chat_conn *cc)
{
	return &cc->p;
}

struct chat_conn *chat_conn_attach(struct chat *c, const struct principal *p, void *transport)
{
	struct chat_conn *cc = xcalloc(1, sizeof *cc);
	cc->chat = c;
	cc->p = *p;
	cc->transport = transport;
	cc->refs = 1;
	if (principal_is_customer(p)) {
		struct conn_list *l = map_get(&c->customers, p->id);
		if (!l) {
			l = xcalloc(1, sizeof *l);
			map_put(&c->customers, p->id, l);
		}
		conn_list_add(l, cc);
	} else if (is_staff(p)) {
		struct chat_agent *a = agent_get(c, p->id, true);
		snprintf(a->display, sizeof a->display, "%s", p->display[0] ? p->display : p->name);
		a->nskills = p->nskills;
		memcpy(a->skills, p->skills, sizeof a->skills);
		a->max_chats = p->max_chats > 0 ? p->max_chats : c->policy->default_max_chats;
		conn_list_add(&a->conns, cc);
	}
	return cc;
}

static void set_presence(struct chat *c, struct chat_agent *a, const char *status, int64_t now)
{
	json_t *data = json_pack("{s:s,s:s,s:s}", "agent", a->id, "status", status, "prev", a->status);
	snprintf(a->status, sizeof a->status, "%s", status);
	struct pending *p = pending_new(c, NULL, NULL, NULL);
	pending_add(p, TO_AGENT, NULL, a->id, json_pack("{s:s,s:s}", "type", "presence", "status", status));
	append(c, "presence.changed", NULL, a->id, now, data, p, NULL);
}

void chat_conn_detach(struct chat *c, struct chat_conn *cc)
{
	if (principal_is_customer(&cc->p)) {
		struct conn_list *l = map_get(&c->customers, cc->p.id);
		if (l) {
			conn_list_remove(l, cc);
			if (l->n == 0) {
				map_del(&c->customers, cc->p.id);
				free(l->v);
				free(l);
			}
		}
	} else if (is_staff(&cc->p)) {
		struct chat_agent *a = map_get(&c->agents, cc->p.id);
		if (a) {
			conn_list_remove(&a->conns, cc);
			if (a->conns.n == 0 && strcmp(a->status, "offline") != 0)
				set_presence(c, a, "offline", clock_now_ms()); /* K-05: online time ends */
		}
	}
	cc->transport = NULL;
	conn_unref(cc);
}

/* ---- lookups and checks ----------------------------------------------------------------- */

static struct chat_session *find_session(struct chat *c, const char *id, struct kefu_err *err)
{
	struct chat_session *s = id ? map_get(&c->sessions, id) : NULL;
	if (!s)
		KEFU_ERR(err, KEFU_ENOTFOUND, "session", "no such live session");
	return s;
}

/* Is cc a participant of s (the customer, or the assigned agent)? */
static bool participant(const struct chat_session *s, const struct chat_conn *cc)
{
	if (principal_is_customer(&cc->p))
		return strcmp(s->customer, cc->p.id) == 0;
	return s->agent[0] && strcmp(s->agent, cc->p.id) == 0;
}

static int check_text(struct chat *c, const char *field, const char *text, size_t len, int max_chars,
		      bool required, struct kefu_err *err)
{
	if (!text || len == 0) {
		if (required)
			return KEFU_ERR(err, KEFU_EINVAL, field, "%s is empty", field);
		return 0;
	}
	if (!utf8_valid(text, len, NULL))
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s is not valid UTF-8", field);
	if (memchr(text, '\0', len))
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s contains a NUL character", field);
	size_t chars = utf8_count(text, len);
	if (chars > (size_t)max_chars)
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s has %zu characters; at most %d are allowed",
				field, chars, max_chars);
	bool blank = true;
	for (size_t i = 0; i < len && blank; i++)
		blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
	if (blank && required)
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s is blank", field);
	(void)c;
	return 0;
}

/* ---- operations -------------------------------------------------------------------------- */

int chat_hello(struct chat *c, struct chat_conn *cc, json_t *resume, struct kefu_err *err)
{
	if (resume && !json_is_object(resume))
		return KEFU_ERR(err, KEFU_EINVAL, "resume",
				"resume must be an object of session id to last seq");
	const char *sid;
	json_t *v;
	json_object_foreach(resume, sid, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return KEFU_ERR(err, KEFU_EINVAL, "resume",
					"resume values must be non-negative integers");
		if (!chat_can_read(c, &cc->p, sid))
			return KEFU_ERR(err, KEFU_EPERM, "resume", "not a session of yours");
	}
	json_t *sessions = json_array();
	if (principal_is_customer(&cc->p)) {
		struct chat_session *s = map_get(&c->customer_session, cc->p.id);
		if (s)
			json_array_append_new(sessions, session_json(c, s));
	} else {
		void *val;
		for (size_t it = 0; map_next(&c->sessions, &it, NULL, &val);) {
			struct chat_session *s = val;
			if (s->state == SESSION_ASSIGNED && strcmp(s->agent, cc->p.id) == 0)
				json_array_append_new(sessions, session_json(c, s));
		}
	}
	json_t *who = json_pack("{s:s,s:s,s:s}", "id", cc->p.id, "role", auth_role_name(cc->p.role),
				"display", cc->p.display);
	if (!principal_is_customer(&cc->p)) {
		struct chat_agent *a = map_get(&c->agents, cc->p.id);
		json_object_set_new(who, "status", json_string(a ? a->status : "offline"));
	}
	send_json(c, cc,
		  json_pack("{s:s,s:o,s:o}", "type", "welcome",
			    principal_is_customer(&cc->p) ? "customer" : "user", who, "sessions", sessions));
	json_object_foreach(resume, sid, v)
	{
		json_t *msgs = NULL;
		if (store_session_messages(c->reader, sid, json_integer_value(v), REPLAY_MAX, &msgs, NULL) <
		    0)
			continue;
		size_t i;
		json_t *m;
		json_array_foreach(msgs, i, m)
		{
			json_object_set_new(m, "type", json_string("msg"));
			json_object_set_new(m, "session", json_string(sid));
			json_object_del(m, "client_id");
			send_json(c, cc, json_incref(m));
		}
		json_decref(msgs);
	}
	return 0;
}

/* Puts s in its group's queue, records session.queued, tells the customer (origin gets errors)
 * once committed, and routes the group. */
static void enqueue(struct chat *c, struct chat_session *s, struct chat_conn *origin, int64_t now)
{
	chat__queue_insert(c, s);
	struct pending *p = pending_new(c, s, origin, NULL);
	pending_add(p, TO_CUSTOMER, NULL, NULL,
		    json_pack("{s:s,s:o}", "type", "session", "session", session_json(c, s)));
	append(c, "session.queued", s, NULL, now,
	       json_pack("{s:s,s:i}", "group", s->group, "priority", s->priority), p, NULL);
	chat__route_group(c, s->group);
}

int chat_open(struct chat *c, struct chat_conn *cc, const char *category, const char *item,
	      struct kefu_err *err)
{
	if (!principal_is_customer(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "type", "only customers open chats");
	const struct chat_category *cat =
	    chat_policy_category(c->policy, category ? category : c->policy->default_category);
	if (!cat)
		return KEFU_ERR(err, KEFU_EINVAL, "category",
				"unknown category; use product, order, aftersale or policy");
	if (item) {
		bool ok = false;
		for (int k = 0; k < 4 && cat->items[k]; k++)
			ok = ok || strcmp(cat->items[k], item) == 0;
		if (!ok)
			return KEFU_ERR(err, KEFU_EINVAL, "item", "unknown sub-item for category %s",
					cat->id);
	}
	struct chat_session *live = map_get(&c->customer_session, cc->p.id);
	if (live && live->state != SESSION_CLOSED) { /* one live chat per customer: hand back the same one */
		send_json(c, cc, json_pack("{s:s,s:o}", "type", "session", "session", session_json(c, live)));
		return 0;
	}
	int64_t now = clock_now_ms();
	char id[24];
	rand_id(id, sizeof id, "s_");
	struct chat_session *s = session_new(c, id);
	snprintf(s->customer, sizeof s->customer, "%s", cc->p.id);
	snprintf(s->customer_type, sizeof s->customer_type, "%s",
		 cc->p.customer_type[0] ? cc->p.customer_type : "new");
	snprintf(s->channel, sizeof s->channel, "web");
	snprintf(s->category, sizeof s->category, "%s", cat->id);
	snprintf(s->group, sizeof s->group, "%s", cat->group);
	s->priority = strcmp(s->customer_type, "vip") == 0; /* N-22: VIP first */
	s->opened_ms = s->queued_ms = now;
	s->state = SESSION_QUEUED;
	map_put(&c->customer_session, s->customer, s);

	json_t *opened = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id", s->id, "channel", s->channel,
				   "customer", s->customer, "customer_type", s->customer_type, "visitor",
				   strncmp(s->customer, "v_", 2) == 0, "category", s->category, "group",
				   s->group, "region", "");
	if (item)
		json_object_set_new(opened, "item", json_string(item));
	int rc = append(c, "session.opened", s, s->customer, now, opened, NULL, err);
	if (rc < 0) {
		map_del(&c->customer_session, s->customer);
		free(map_del(&c->sessions, s->id));
		return rc;
	}
	enqueue(c, s, cc, now);
	return 0;
}

void chat__assign(struct chat *c, struct chat_session *s, struct chat_agent *a, const char *how,
		  const char *actor)
{
	int64_t now = clock_now_ms();
	chat__queue_remove(c, s);
	s->state = SESSION_ASSIGNED;
	snprintf(s->agent, sizeof s->agent, "%s", a->id);
	a->active++;
	a->last_assigned_ms = now;
	struct pending *p = pending_new(c, s, NULL, NULL);
	json_t *sj = session_json(c, s);
	pending_add(p, TO_AGENT, NULL, a->id,
		    json_pack("{s:s,s:o}", "type", "assigned", "session", json_deep_copy(sj)));
	pending_add(p, TO_CUSTOMER, NULL, NULL, json_pack("{s:s,s:o}", "type", "session", "session", sj));
	append(c, "session.assigned", s, actor, now, json_pack("{s:s,s:s}", "agent", a->id, "how", how), p,
	       NULL);
	char text[256];
	if (strcmp(how, "transfer") == 0)
		snprintf(text, sizeof text, TRANSFER_TEXT, a->display);
	else
		snprintf(text, sizeof text, GREETING_FMT,
			 a->display); /* N-01: standard greeting, marked system */
	system_message(c, s, text, NULL, now);
}

/* ---- the compliance guard in the message path (C-01…C-11) ------------------------------ */

static const char *severity_name(enum guard_severity sev)
{
	return sev == GUARD_SEV_BLOCK ? "block" : sev == GUARD_SEV_WARN ? "warn" : "record";
}

static const char *verdict_name(enum guard_verdict v)
{
	return v == GUARD_BLOCK ? "block" : v == GUARD_WARN ? "warn" : "pass";
}

/* Hits for the sender (with reasons and suggestions) or for the event log (rule ids and byte
 * offsets only: the log never holds the matched text). */
static json_t *hits_json(const struct guard_result *r, bool for_sender)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nhits; i++) {
		const struct guard_hit *h = &r->hits[i];
		json_t *o = json_pack("{s:s,s:I,s:I,s:s}", "rule", h->rule, "start", (json_int_t)h->start,
				      "end", (json_int_t)h->end, "severity", severity_name(h->severity));
		if (for_sender) {
			json_object_set_new(o, "text", json_string(h->text ? h->text : ""));
			json_object_set_new(o, "reason", json_string(h->reason ? h->reason : ""));
			json_object_set_new(o, "suggestion",
					    h->suggestion ? json_string(h->suggestion) : json_null());
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static void record_hits(struct chat *c, struct chat_session *s, const struct principal *who, bool customer,
			const struct guard_result *r, bool delivered, int64_t seq, int64_t now)
{
	json_t *data =
	    json_pack("{s:s,s:s,s:o,s:b}", "verdict", verdict_name(r->verdict), "role",
		      customer ? "customer" : "agent", "hits", hits_json(r, false), "delivered", delivered);
	if (seq)
		json_object_set_new(data, "seq", json_integer(seq));
	append(c, "guard.hit", s, who->id, now, data, NULL, NULL);
}

/* Raises an alert: an event, a frame to the serving agent, and an entry in the supervisor view. */
static void raise_alert(struct chat *c, struct chat_session *s, const char *actor, const char *kind,
			json_t *detail, int64_t now)
{
	char at[40];
	fmt_time(now, at);
	json_t *alert =
	    json_pack("{s:s,s:s,s:s,s:s}", "type", "alert", "kind", kind, "session", s->id, "at", at);
	json_object_update(alert, detail);
	json_array_append(c->alerts, alert);
	while (json_array_size(c->alerts) > (size_t)c->policy->alerts_kept)
		json_array_remove(c->alerts, 0);
	struct pending *p = pending_new(c, s, NULL, NULL);
	if (s->agent[0])
		pending_add(p, TO_AGENT, NULL, s->agent, json_incref(alert));
	json_object_set_new(detail, "kind", json_string(kind));
	append(c, "guard.alert", s, actor, now, detail, p, NULL);
	json_decref(alert);
	log_warn("chat", "alert kind=%s session=%s", kind, s->id);
}

static const char FOREIGN_PII_REASON[] =
    "消息中的手机号不属于本会话的客户：不得向客户发送其他客户的个人信息（C-07）";

/* C-07: a mobile number in an agent message that is not this session's customer's own is another
 * customer's data: the hit becomes blocking. The customer's number is read only when a message
 * has a mobile-number hit. */
static void block_foreign_pii(struct chat *c, const struct chat_session *s, struct guard_result *r)
{
	json_t *prof = NULL;
	const char *own = NULL;
	bool looked = false;
	for (size_t i = 0; i < r->nhits; i++) {
		struct guard_hit *h = &r->hits[i];
		if (h->pii != GUARD_PII_MOBILE || h->severity == GUARD_SEV_BLOCK)
			continue;
		if (!looked) {
			looked = true;
			if (store_customer_profile(c->reader, s->customer, &prof, NULL) == 0)
				own = json_string_value(json_object_get(prof, "phone"));
		}
		if (own && h->text && strcmp(own, h->text) == 0)
			continue;
		h->severity = GUARD_SEV_BLOCK;
		h->reason = FOREIGN_PII_REASON;
		r->verdict = GUARD_BLOCK;
	}
	json_decref(prof);
}

/* Scans a message before it is stored. Returns 0 (go on; *out holds the verdict), 1 (an agent
 * message was blocked: the agent got the reason and a suggestion, a guard.hit is recorded), or a
 * negative code (bad text, or the guard failed: agent messages then fail closed). */
static int guard_check(struct chat *c, struct chat_conn *cc, struct chat_session *s, bool customer,
		       const char *text, size_t len, const char *client_id, struct guard_result *out,
		       struct kefu_err *err)
{
	if (!c->guard)
		return 0;
	struct guard *g = guard_slot_get(c->guard);
	struct kefu_err gerr = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = g ? guard_scan(g, c->scratch, customer ? GUARD_ROLE_CUSTOMER : GUARD_ROLE_AGENT, text, len,
				out, &gerr)
		   : 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metric_add(c->m_guard_scans, 1); /* the latency the guard adds per message (issue 4) */
	metric_add(c->m_guard_ns, (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	if (rc < 0) {
		guard_unref(g);
		if (rc == -KEFU_EINVAL || rc == -KEFU_ELIMIT)
			return KEFU_ERR(err, rc, "text", "%s", gerr.msg);
		log_error("chat", "guard failed code=%s", kefu_strerror(rc));
		if (customer)
			return 0; /* customers are never stopped by our own fault */
		return KEFU_ERR(err, KEFU_EINTERNAL, "text",
				"the compliance check is unavailable; try again");
	}
	if (!customer)
		block_foreign_pii(c, s, out);
	if (customer || out->verdict != GUARD_BLOCK) {
		guard_unref(g);
		return 0;
	}
	const struct guard_hit *first = NULL;
	for (size_t i = 0; i < out->nhits && !first; i++)
		if (out->hits[i].severity == GUARD_SEV_BLOCK)
			first = &out->hits[i];
	char *rewrite = guard_rewrite(out, text, len);
	json_t *f = error_frame("blocked",
				first && first->reason ? first->reason : "the message breaks a service norm",
				"text", client_id);
	json_object_set_new(f, "reason", json_string(first && first->reason ? first->reason : ""));
	json_object_set_new(f, "suggestion",
			    rewrite			     ? json_string(rewrite)
				: first && first->suggestion ? json_string(first->suggestion)
							     : json_null());
	json_object_set_new(f, "session", json_string(s->id));
	json_object_set_new(f, "hits", hits_json(out, true));
	send_json(c, cc, f);
	free(rewrite);
	guard_unref(g);
	metric_add(c->m_guard_blocked, 1);
	record_hits(c, s, &cc->p, false, out, false, 0, clock_now_ms());
	return 1;
}

/* After a message was queued for storage: record its hits, warn the agent, raise alerts. */
static void guard_after_send(struct chat *c, struct chat_conn *cc, struct chat_session *s, bool customer,
			     const struct guard_result *r, const char *client_id, int64_t now)
{
	if (!c->guard)
		return;
	if (r->nhits)
		record_hits(c, s, &cc->p, customer, r, true, s->last_seq, now);
	if (!customer && r->verdict == GUARD_WARN) {
		json_t *f = json_pack("{s:s,s:s,s:I,s:o}", "type", "guard_warning", "session", s->id, "seq",
				      (json_int_t)s->last_seq, "hits", hits_json(r, true));
		json_object_set_new(f, "ref", client_id ? json_string(client_id) : json_null());
		send_json(c, cc, f);
	}
	if (r->fraud) /* C-08: flagged in both directions, at once */
		raise_alert(c, s, cc->p.id, "fraud",
			    json_pack("{s:s,s:I}", "from", customer ? "customer" : "agent", "seq",
				      (json_int_t)s->last_seq),
			    now);
	if (customer && r->emotion_label) { /* C-11: running negative share of the customer's messages */
		s->customer_msgs++;
		if (strcmp(r->emotion_label, "negative") == 0)
			s->negative_msgs++;
		double share = (double)s->negative_msgs / s->customer_msgs;
		if (!s->emotion_alerted && s->customer_msgs >= c->policy->negative_min_msgs &&
		    share >= c->policy->negative_share_alert) {
			s->emotion_alerted = true;
			raise_alert(c, s, cc->p.id, "emotion",
				    json_pack("{s:f,s:f}", "share", share, "score", r->emotion_score), now);
		}
	}
}

/* N-21: what a customer types to ask for a human while the bot answers. */
static bool wants_human(const char *text, size_t len)
{
	static const char *const asks[] = {"转人工", "人工", "人工客服", "转人工客服", "找人工"};
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n'))
		len--;
	while (len > 0 && *text == ' ')
		text++, len--;
	for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++)
		if (strlen(asks[i]) == len && memcmp(asks[i], text, len) == 0)
			return true;
	return false;
}

/* KB-6, N-21: the bot stops and the chat waits for a human. kb.bot_handover records why and up to
 * which message the bot had the chat, so the agent who takes it gets a hand-over note (the
 * customer's questions, the bot's answers, the reason; GET /api/v1/kb/handovers/:session). */
static void bot_handover(struct chat *c, struct chat_session *s, const char *reason, int64_t now)
{
	metric_add(c->m_bot_handover, 1);
	s->bot_off = true;
	append(c, "kb.bot_handover", s, NULL, now,
	       json_pack("{s:s,s:I}", "reason", reason, "to_seq", (json_int_t)s->last_seq), NULL, NULL);
	system_message(c, s,
		       strcmp(reason, "asked") == 0 ? "好的，已为您转人工客服，请稍候，接入后会马上回复您。"
						    : "这个问题需要人工客服为您解答，已为您转人工，请稍候。",
		       NULL, now);
}

/* The knowledge base's part of a customer message that was just accepted: p is the message's
 * pending (its callback runs from store_poll on this thread, so frames added now still follow the
 * message after its commit). Assigned: KB-3 suggestions to the serving agent. Queued: the KB-6 FAQ
 * bot answers when it is confident, says it is a bot and offers a human; "转人工" silences it and
 * the session stays in the queue. Bot messages are from "bot": never an agent reply (K-01). */
static void kb_after_customer(struct chat *c, struct chat_session *s, struct pending *p, const char *text,
			      size_t len, int64_t now)
{
	int64_t seq = s->last_seq;
	if (s->state == SESSION_ASSIGNED && s->agent[0] && c->kb.suggest) {
		/* KB-3 at most once per chat per interval: a burst of lines needs one search, and the
		 * search must not become the cost of every message under load */
		if (s->last_suggest_ms && now - s->last_suggest_ms < c->policy->suggest_interval_ms)
			return;
		s->last_suggest_ms = now;
		json_t *items = c->kb.suggest(c->kb.ctx, text, len);
		if (items && json_array_size(items) > 0)
			pending_add(p, TO_AGENT, NULL, s->agent,
				    json_pack("{s:s,s:s,s:I,s:O}", "type", "suggestions", "session", s->id,
					      "seq", (json_int_t)seq, "items", items));
		json_decref(items);
		return;
	}
	if (s->state != SESSION_QUEUED || s->bot_off || !c->kb.bot_answer)
		return;
	metric_add(c->m_bot_asked, 1);
	if (wants_human(text, len))
		return bot_handover(c, s, "asked", now);
	bool unsure = false;
	char *answer = c->kb.bot_answer(c->kb.ctx, text, len, &unsure);
	if (!answer) {
		if (unsure)
			bot_handover(c, s, "unsure", now);
		return;
	}
	metric_add(c->m_bot_answered, 1);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "【智能助手】%s\n（我是机器人，如需人工请回复“转人工”）", answer);
	buf_puts(&b, "");
	append_message(c, s, "bot", NULL, b.data, NULL, NULL, NULL, now, NULL);
	buf_free(&b);
	free(answer);
}

int chat_send(struct chat *c, struct chat_conn *cc, const char *session, const char *text, size_t len,
	      const char *client_id, struct kefu_err *err)
{
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (!participant(s, cc))
		return KEFU_ERR(err, KEFU_EPERM, "session", "you are not a participant of this session");
	if (s->state == SESSION_CLOSED)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session", "the session is closed");
	int rc = check_text(c, "text", text, len, c->policy->max_text_chars, true, err);
	if (rc < 0)
		return rc;
	if (client_id && (strlen(client_id) == 0 || strlen(client_id) > 64))
		return KEFU_ERR(err, KEFU_EINVAL, "client_id", "client_id must have 1–64 characters");
	bool customer = principal_is_customer(&cc->p);
	int64_t now = clock_now_ms();
	if (client_id) { /* idempotent resend: acknowledge again, store nothing */
		for (int i = 0; i < CHAT_RECENT_IDS; i++) {
			if (strcmp(s->recent[i].client_id, client_id) == 0) {
				send_json(c, cc,
					  json_pack("{s:s,s:s,s:s,s:I,s:b}", "type", "ack", "client_id",
						    client_id, "session", s->id, "seq",
						    (json_int_t)s->recent[i].seq, "duplicate", 1));
				return 0;
			}
		}
	}
	struct guard_result verdict = {0};
	rc = guard_check(c, cc, s, customer, text, len, client_id, &verdict, err);
	if (rc != 0) { /* < 0: bad text or guard failure; 1: blocked, the agent was told */
		guard_result_clear(&verdict);
		return rc < 0 ? rc : 0;
	}
	char *copy = xstrndup(text, len);
	struct pending *p = pending_new(c, s, cc, client_id);
	char at[40];
	fmt_time(now, at);
	size_t alen;
	char *ack = ack_frame(s, s->last_seq + 1, at, client_id, &alen);
	pending_add_text(p, TO_CONN, cc, NULL, ack, alen);
	rc = append_message(c, s, customer ? "customer" : "agent", customer ? NULL : cc->p.id, copy,
			    client_id, p, cc, now, err);
	free(copy);
	if (rc < 0) {
		s->last_seq--;
		return rc;
	}
	if (customer) {
		if (!s->first_customer_ms)
			s->first_customer_ms = now;
		if (!s->unanswered_ms)
			s->unanswered_ms = now;
	} else {
		if (!s->first_agent_ms)
			s->first_agent_ms = now;
		s->unanswered_ms = 0;
	}
	if (client_id) {
		struct recent_id *r = &s->recent[s->recent_next];
		s->recent_next = (s->recent_next + 1) % CHAT_RECENT_IDS;
		snprintf(r->client_id, sizeof r->client_id, "%s", client_id);
		r->seq = s->last_seq;
	}
	guard_after_send(c, cc, s, customer, &verdict, client_id, now);
	guard_result_clear(&verdict);
	if (customer)
		kb_after_customer(c, s, p, text, len, now);
	return 0;
}

int chat_recv(struct chat *c, struct chat_conn *cc, const char *session, int64_t seq, struct kefu_err *err)
{
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (!participant(s, cc))
		return KEFU_ERR(err, KEFU_EPERM, "session", "you are not a participant of this session");
	if (seq < 1 || seq > s->last_seq)
		return KEFU_ERR(err, KEFU_EINVAL, "seq",
				"seq must be between 1 and the session's last message");
	bool customer = principal_is_customer(&cc->p);
	json_t *f = json_pack("{s:s,s:s,s:I,s:s}", "type", "delivered", "session", s->id, "seq",
			      (json_int_t)seq, "by", customer ? "customer" : "agent");
	char *txt = json_dumps(f, JSON_COMPACT);
	json_decref(f);
	if (customer) {
		struct chat_agent *a = s->agent[0] ? map_get(&c->agents, s->agent) : NULL;
		if (a)
			send_list(c, &a->conns, NULL, txt, strlen(txt));
	} else {
		send_list(c, map_get(&c->customers, s->customer), NULL, txt, strlen(txt));
	}
	free(txt);
	return 0;
}

int chat_typing(struct chat *c, struct chat_conn *cc, const char *session, struct kefu_err *err)
{
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (!participant(s, cc))
		return KEFU_ERR(err, KEFU_EPERM, "session", "you are not a participant of this session");
	bool customer = principal_is_customer(&cc->p);
	char frame[160];
	int n = snprintf(frame, sizeof frame, "{\"type\":\"typing\",\"session\":\"%s\",\"from\":\"%s\"}",
			 s->id, customer ? "customer" : "agent");
	if (customer) {
		struct chat_agent *a = s->agent[0] ? map_get(&c->agents, s->agent) : NULL;
		if (a)
			send_list(c, &a->conns, NULL, frame, (size_t)n);
	} else {
		send_list(c, map_get(&c->customers, s->customer), NULL, frame, (size_t)n);
	}
	return 0;
}

int chat_presence(struct chat *c, struct chat_conn *cc, const char *status, struct kefu_err *err)
{
	if (!is_staff(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "type", "only agents have presence");
	if (!status || (strcmp(status, "online") && strcmp(status, "away") && strcmp(status, "offline")))
		return KEFU_ERR(err, KEFU_EINVAL, "status", "status must be online, away or offline");
	struct chat_agent *a = agent_get(c, cc->p.id, true);
	if (strcmp(a->status, status) == 0) {
		send_json(c, cc, json_pack("{s:s,s:s}", "type", "presence", "status", status));
		return 0;
	}
	set_presence(c, a, status, clock_now_ms());
	if (strcmp(status, "online") == 0)
		chat__route_agent(c, a);
	return 0;
}

int chat_pick(struct chat *c, struct chat_conn *cc, const char *session, struct kefu_err *err)
{
	if (!is_staff(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "type", "only agents pick chats");
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (s->state != SESSION_QUEUED)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session", "the session is no longer waiting");
	struct chat_agent *a = agent_get(c, cc->p.id, true);
	if (!chat__agent_has_skill(a, s->group) && !is_lead_or_above(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "session", "the session waits for skill group %s", s->group);
	if (a->active >= a->max_chats)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session", "you already serve %d chats (your limit)",
				a->active);
	chat__assign(c, s, a, "pick", a->id);
	return 0;
}

static bool group_known(struct chat *c, const char *group)
{
	for (size_t i = 0; i < c->policy->ncategories; i++)
		if (strcmp(c->policy->categories[i].group, group) == 0)
			return true;
	return false;
}

int chat_transfer(struct chat *c, struct chat_conn *cc, const char *session, const char *to_agent,
		  const char *to_group, const char *note, struct kefu_err *err)
{
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (s->state != SESSION_ASSIGNED)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session",
				"only a chat being served can be transferred");
	if (!participant(s, cc) && !is_lead_or_above(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "session",
				"only the serving agent or a lead can transfer this chat");
	if (!!to_agent == !!to_group)
		return KEFU_ERR(err, KEFU_EINVAL, to_agent ? "to_group" : "to_agent",
				"give exactly one of to_agent and to_group");
	int rc = check_text(c, "note", note, note ? strlen(note) : 0, NOTE_MAX_CHARS, false, err);
	if (rc < 0)
		return rc;
	struct chat_agent *target = NULL;
	if (to_agent) {
		target = map_get(&c->agents, to_agent);
		if (!target || strcmp(target->status, "online") != 0)
			return KEFU_ERR(err, KEFU_ECONFLICT, "to_agent", "the target agent is not online");
		if (strcmp(target->id, s->agent) == 0)
			return KEFU_ERR(err, KEFU_EINVAL, "to_agent", "the chat is already with this agent");
		if (target->active >= target->max_chats)
			return KEFU_ERR(err, KEFU_ECONFLICT, "to_agent",
					"the target agent has no free capacity");
	} else if (!group_known(c, to_group)) {
		return KEFU_ERR(err, KEFU_EINVAL, "to_group", "unknown skill group");
	}
	int64_t now = clock_now_ms();
	struct chat_agent *from = agent_get(c, s->agent, true);
	json_t *data = json_pack("{s:s}", "from_agent", from->id);
	json_object_set_new(data, "to_agent", to_agent ? json_string(to_agent) : json_null());
	json_object_set_new(data, "to_group", to_group ? json_string(to_group) : json_null());
	json_object_set_new(data, "note", json_string(note ? note : ""));
	struct pending *p = pending_new(c, s, cc, NULL);
	pending_add(p, TO_AGENT, NULL, from->id,
		    json_pack("{s:s,s:s,s:s}", "type", "unassigned", "session", s->id, "reason", "transfer"));
	rc = append(c, "session.transferred", s, cc->p.id, now, data, p, err);
	if (rc < 0)
		return rc;
	from->active--;
	if (target) {
		chat__assign(c, s, target, "transfer", cc->p.id);
	} else {
		s->state = SESSION_QUEUED;
		s->agent[0] = '\0';
		snprintf(s->group, sizeof s->group, "%s", to_group);
		s->queued_ms = s->opened_ms; /* keeps its place by age */
		enqueue(c, s, NULL, now);
	}
	chat__route_agent(c, from);
	return 0;
}

int chat_close(struct chat *c, struct chat_conn *cc, const char *session, const char *summary,
	       struct kefu_err *err)
{
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	bool customer = principal_is_customer(&cc->p);
	if (!participant(s, cc) && !(is_lead_or_above(&cc->p) && s->state == SESSION_ASSIGNED))
		return KEFU_ERR(err, KEFU_EPERM, "session", "you are not a participant of this session");
	if (s->state == SESSION_CLOSED)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session", "the session is already closed");
	int rc =
	    check_text(c, "summary", summary, summary ? strlen(summary) : 0, SUMMARY_MAX_CHARS, false, err);
	if (rc < 0)
		return rc;
	int64_t now = clock_now_ms();
	struct pending *p = pending_new(c, s, cc, NULL);
	json_t *closed = json_pack("{s:s,s:s,s:s}", "type", "closed", "session", s->id, "by",
				   customer ? "customer" : "agent");
	json_object_set_new(closed, "summary", json_string(summary ? summary : ""));
	pending_add(p, TO_SESSION, NULL, NULL, closed);
	rc = append(
	    c, "session.closed", s, cc->p.id, now,
	    json_pack("{s:s,s:s}", "by", customer ? "customer" : "agent", "summary", summary ? summary : ""),
	    p, err);
	if (rc < 0)
		return rc;
	enum session_state was = s->state;
	s->state = SESSION_CLOSED;
	s->closed_ms = now;
	s->unanswered_ms = 0;
	if (was == SESSION_QUEUED)
		chat__queue_remove(c, s);
	struct pending *r = pending_new(c, s, NULL, NULL); /* N-10: rating request after the summary */
	pending_add(r, TO_CUSTOMER, NULL, NULL,
		    json_pack("{s:s,s:s}", "type", "rate_request", "session", s->id));
	system_message(c, s, RATE_TEXT, r, now);
	if (was == SESSION_ASSIGNED) {
		struct chat_agent *a = agent_get(c, s->agent, true);
		a->active--;
		chat__route_agent(c, a);
	}
	return 0;
}

int chat_rate(struct chat *c, struct chat_conn *cc, const char *session, int score, int solved,
	      struct kefu_err *err)
{
	if (!principal_is_customer(&cc->p))
		return KEFU_ERR(err, KEFU_EPERM, "type", "only the customer rates a chat");
	struct chat_session *s = find_session(c, session, err);
	if (!s)
		return -KEFU_ENOTFOUND;
	if (!participant(s, cc))
		return KEFU_ERR(err, KEFU_EPERM, "session", "not your session");
	if (s->state != SESSION_CLOSED)
		return KEFU_ERR(err, KEFU_ECONFLICT, "session", "a chat is rated after it ends");
	if (score < 1 || score > 5)
		return KEFU_ERR(err, KEFU_EINVAL, "score", "score must be an integer from 1 to 5");
	json_t *data = json_pack("{s:i}", "score", score);
	json_object_set_new(data, "solved", solved < 0 ? json_null() : json_boolean(solved));
	struct pending *p = pending_new(c, s, cc, NULL);
	pending_add(p, TO_SESSION, NULL, NULL,
		    json_pack("{s:s,s:s,s:i}", "type", "rated", "session", s->id, "score", score));
	int rc = append(c, "session.rated", s, cc->p.id, clock_now_ms(), data, p, err);
	if (rc == 0)
		s->rated = true;
	return rc;
}

bool chat_can_read(struct chat *c, const struct principal *p, const char *session)
{
	if (is_lead_or_above(p) || p->role == ROLE_QA)
		return true;
	struct chat_session *s = map_get(&c->sessions, session);
	json_t *row = NULL;
	const char *customer = NULL, *agent = NULL;
	if (s) {
		customer = s->customer;
		agent = s->agent;
	} else if (store_session_get(c->reader, session, &row, NULL) == 0) {
		customer = json_string_value(json_object_get(row, "customer"));
		agent = json_string_value(json_object_get(row, "agent"));
	}
	bool ok = false;
	if (principal_is_customer(p))
		ok = customer && strcmp(customer, p->id) == 0;
	else if (is_staff(p))
		ok = agent && strcmp(agent, p->id) == 0;
	json_decref(row);
	return ok;
}

json_t *chat_queue_json(struct chat *c, const struct principal *p)
{
	int64_t now = clock_now_ms();
	json_t *arr = json_array();
	const char *group;
	void *v;
	struct chat_agent *a = p ? map_get(&c->agents, p->id) : NULL;
	for (size_t it = 0; map_next(&c->queues, &it, &group, &v);) {
		if (p && !is_lead_or_above(p) && !(a && chat__agent_has_skill(a, group)))
			continue;
		int pos = 1;
		for (struct chat_session *s = ((struct group_queue *)v)->head; s; s = s->qnext, pos++) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:I}", "id", s->id, "group", s->group,
					      "category", s->category, "customer_type", s->customer_type,
					      "priority", s->priority, "position", pos, "waiting_s",
					      (json_int_t)((now - s->queued_ms) / 1000));
			json_array_append_new(arr, o);
		}
	}
	return arr;
}

json_t *chat_overview_json(struct chat *c)
{
	int64_t now = clock_now_ms();
	json_t *agents = json_array(), *chats = json_array();
	void *v;
	for (size_t it = 0; map_next(&c->agents, &it, NULL, &v);) {
		struct chat_agent *a = v;
		json_t *skills = json_array();
		for (int i = 0; i < a->nskills; i++)
			json_array_append_new(skills, json_string(a->skills[i]));
		json_array_append_new(agents,
				      json_pack("{s:s,s:s,s:s,s:i,s:i,s:o}", "id", a->id, "display",
						a->display, "status", a->status, "chats", a->active,
						"max_chats", a->max_chats, "skills", skills));
	}
	for (size_t it = 0; map_next(&c->sessions, &it, NULL, &v);) {
		struct chat_session *s = v;
		if (s->state != SESSION_ASSIGNED)
			continue;
		char opened[40];
		fmt_time(s->opened_ms, opened);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", s->id, "agent", s->agent, "customer",
				      s->customer, "category", s->category, "opened_at", opened);
		json_object_set_new(
		    o, "frt_s",
		    s->first_agent_ms && s->first_customer_ms
			? json_real((double)(s->first_agent_ms - s->first_customer_ms) / 1000.0)
			: json_null());
		json_object_set_new(o, "waiting_s",
				    s->unanswered_ms ? json_real((double)(now - s->unanswered_ms) / 1000.0)
						     : json_null());
		json_array_append_new(chats, o);
	}
	return json_pack("{s:o,s:o,s:o,s:O}", "queue", chat_queue_json(c, NULL), "agents", agents, "chats",
			 chats, "alerts", c->alerts);
}

int chat_sweep(struct chat *c, int64_t now_ms, int64_t max_age_ms)
{
	int n = 0;
	const char *k;
	void *v;
	for (size_t it = 0; map_next(&c->sessions, &it, &k, &v);) {
		struct chat_session *s = v;
		if (s->state != SESSION_CLOSED || now_ms - s->closed_ms < max_age_ms)
			continue;
		if (map_get(&c->customer_session, s->customer) == s)
			map_del(&c->customer_session, s->customer);
		map_del(&c->sessions, s->id);
		free(s);
		n++;
	}
	return n;
}

void chat_stats_get(struct chat *c, struct chat_stats *out)
{
	memset(out, 0, sizeof *out);
	void *v;
	for (size_t it = 0; map_next(&c->sessions, &it, NULL, &v);) {
		struct chat_session *s = v;
		if (s->state != SESSION_CLOSED)
			out->sessions_live++;
		if (s->state == SESSION_QUEUED)
			out->queued++;
	}
	for (size_t it = 0; map_next(&c->agents, &it, NULL, &v);)
		out->agents_online += strcmp(((struct chat_agent *)v)->status, "online") == 0;
	out->messages = c->messages;
}
