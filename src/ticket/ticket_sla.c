/* ticket_sla.c — the SLA engine bound to the store (see ticket_sla.h): each engine operation is
 * mirrored by one sla.* event appended without waiting (the writer keeps their order), and the
 * rebuild turns sla_timers rows back into engine states. Never touches SQL (ticket_store.c) and
 * never decides an escalation. */
#include "ticket/ticket_sla.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "store/store.h"
#include "store/ticket_store.h"

struct ticket_sla {
	struct sla_engine *engine; /* owned */
	struct store *store; /* borrowed */
	const struct kefu_clock *clock; /* borrowed; NULL = process clock: event times come from it */
	ticket_sla_fire_cb on_fire;
	void *on_fire_arg;
};

static int timer_id(const char *ticket, const char *name, char *out, struct kefu_err *err)
{
	if (!ticket || !name || !*ticket || !*name || strchr(name, '/'))
		return KEFU_ERR(err, KEFU_EINVAL, "name", "a deadline needs a ticket and a name without '/'");
	int n = snprintf(out, SLA_ID_MAX, "%s/%s", ticket, name);
	if (n < 0 || n >= SLA_ID_MAX)
		return KEFU_ERR(err, KEFU_EINVAL, "id", "ticket id and deadline name are too long");
	return 0;
}

static int append(struct ticket_sla *t, const char *type, const char *ticket, json_t *data,
		  struct kefu_err *err)
{
	struct store_event ev = {
	    .type = type, .at_ms = t->clock ? t->clock->now_ms(t->clock->ctx) : 0, .data = data};
	(void)ticket;
	int r = store_append(t->store, &ev, NULL, NULL);
	if (r < 0)
		return KEFU_ERR(err, -r, "store", "cannot record %s", type);
	return 0;
}

/* Splits "ticket/name" at the last '/'. */
static void split_id(const char *id, char *ticket, char *name)
{
	const char *slash = strrchr(id, '/');
	size_t n = slash ? (size_t)(slash - id) : strlen(id);
	snprintf(ticket, SLA_ID_MAX, "%.*s", (int)n, id);
	snprintf(name, SLA_ID_MAX, "%s", slash ? slash + 1 : "");
}

static void fired_cb(void *arg, enum sla_phase phase, const struct sla_state *st, int64_t now)
{
	struct ticket_sla *t = arg;
	char ticket[SLA_ID_MAX], name[SLA_ID_MAX];
	split_id(st->id, ticket, name);
	json_t *data = json_pack("{s:s,s:s,s:s,s:I}", "id", st->id, "ticket", ticket, "name", name, "due_ms",
				 (json_int_t)st->due_ms);
	/* a full queue loses the record, not the alert: the hook below still runs */
	append(t, phase == SLA_PHASE_WARN ? "sla.warned" : "sla.breached", ticket, data, NULL);
	if (t->on_fire)
		t->on_fire(t->on_fire_arg, phase, ticket, name, st);
	(void)now;
}

int ticket_sla_new(const struct ticket_sla_options *o, struct ticket_sla **out, struct kefu_err *err)
{
	if (!o || !o->store || !o->calendar)
		return KEFU_ERR(err, KEFU_EINVAL, "options", "the SLA clock needs a store and a calendar");
	struct ticket_sla *t = xcalloc(1, sizeof *t);
	t->store = o->store;
	t->clock = o->clock;
	t->on_fire = o->on_fire;
	t->on_fire_arg = o->on_fire_arg;
	struct sla_options so = {o->clock, o->calendar, fired_cb, t, o->warn_share};
	int r = sla_new(&so, &t->engine, err);
	if (r < 0) {
		free(t);
		return r;
	}
	*out = t;
	return 0;
}

void ticket_sla_free(struct ticket_sla *t)
{
	if (!t)
		return;
	sla_free(t->engine);
	free(t);
}

struct sla_engine *ticket_sla_engine(struct ticket_sla *t)
{
	return t->engine;
}

int ticket_sla_rebuild(struct ticket_sla *t, struct ticket_store *ts, size_t *restored, struct kefu_err *err)
{
	json_t *rows;
	int r = ticket_store_sla_live(ts, &rows, err);
	if (r < 0)
		return r;
	size_t i, n = 0;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		struct sla_state st = {0};
		const char *id = json_string_value(json_object_get(row, "id"));
		const char *basis = json_string_value(json_object_get(row, "basis"));
		if (!id || !basis || strlen(id) >= SLA_ID_MAX) {
			r = KEFU_ERR(err, KEFU_EINVAL, "sla_timers", "a stored timer has no id or basis");
			break;
		}
		snprintf(st.id, sizeof st.id, "%s", id);
		st.basis = strcmp(basis, "business") == 0 ? SLA_BUSINESS : SLA_WALL;
		st.start_ms = json_integer_value(json_object_get(row, "start_ms"));
		st.due_ms = json_integer_value(json_object_get(row, "due_ms"));
		st.warn_ms = json_integer_value(json_object_get(row, "warn_ms"));
		st.warned = json_integer_value(json_object_get(row, "warned")) != 0;
		st.paused = json_integer_value(json_object_get(row, "paused")) != 0;
		st.left_ms = json_integer_value(json_object_get(row, "left_ms"));
		st.warn_left_ms = json_integer_value(json_object_get(row, "warn_left_ms"));
		if ((r = sla_restore(t->engine, &st, err)) < 0)
			break;
		n++;
	}
	json_decref(rows);
	if (restored)
		*restored = n;
	return r;
}

int ticket_sla_start(struct ticket_sla *t, const char *ticket, const char *name, int64_t start_ms,
		     const struct sla_spec *spec, int64_t *due, struct kefu_err *err)
{
	char id[SLA_ID_MAX];
	struct sla_state st;
	int r;
	if ((r = timer_id(ticket, name, id, err)) < 0 ||
	    (r = sla_start(t->engine, id, start_ms, spec, &st, err)) < 0)
		return r;
	json_t *data =
	    json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "id", id, "ticket", ticket, "name", name, "basis",
		      st.basis == SLA_BUSINESS ? "business" : "wall", "start_ms", (json_int_t)st.start_ms,
		      "due_ms", (json_int_t)st.due_ms, "warn_ms", (json_int_t)st.warn_ms);
	if ((r = append(t, "sla.started", ticket, data, err)) < 0) {
		sla_stop(t->engine, id, NULL);
		return r;
	}
	if (due)
		*due = st.due_ms;
	return 0;
}

int ticket_sla_pause(struct ticket_sla *t, const char *ticket, const char *name, struct kefu_err *err)
{
	char id[SLA_ID_MAX];
	struct sla_state st;
	int r;
	if ((r = timer_id(ticket, name, id, err)) < 0 || (r = sla_pause(t->engine, id, &st, err)) < 0)
		return r;
	return append(t, "sla.paused", ticket,
		      json_pack("{s:s,s:I,s:I}", "id", id, "left_ms", (json_int_t)st.left_ms, "warn_left_ms",
				(json_int_t)st.warn_left_ms),
		      err);
}

int ticket_sla_resume(struct ticket_sla *t, const char *ticket, const char *name, struct kefu_err *err)
{
	char id[SLA_ID_MAX];
	struct sla_state st;
	int r;
	if ((r = timer_id(ticket, name, id, err)) < 0 || (r = sla_resume(t->engine, id, &st, err)) < 0)
		return r;
	return append(t, "sla.resumed", ticket,
		      json_pack("{s:s,s:I,s:I}", "id", id, "due_ms", (json_int_t)st.due_ms, "warn_ms",
				(json_int_t)st.warn_ms),
		      err);
}

int ticket_sla_stop(struct ticket_sla *t, const char *ticket, const char *name, const char *reason,
		    struct kefu_err *err)
{
	char id[SLA_ID_MAX];
	int r;
	if (!reason || (strcmp(reason, "met") && strcmp(reason, "cancelled")))
		return KEFU_ERR(err, KEFU_EINVAL, "reason", "a deadline stops as met or cancelled");
	if ((r = timer_id(ticket, name, id, err)) < 0 || (r = sla_stop(t->engine, id, err)) < 0)
		return r;
	return append(t, "sla.stopped", ticket, json_pack("{s:s,s:s}", "id", id, "reason", reason), err);
}

size_t ticket_sla_run(struct ticket_sla *t)
{
	return sla_run(t->engine);
}
