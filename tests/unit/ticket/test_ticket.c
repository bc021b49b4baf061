/* Unit tests for src/ticket/ticket.c and ticket_policy.c on a real store with a simulated clock:
 * which deadlines each kind, pool, department and channel starts (N-06, N-13, N-14, N-16, N-18),
 * claiming, the complaint flow in order (K-33), progress notes (N-15), waiting for the customer,
 * escalations (N-19, N-20), resolution and revisits (N-16, N-17), a breach escalating to a
 * supervisor, K-34 completeness, and bad input refused without storing anything. */
#include "../store/store_fixture.h"

#include "base/clock.h"
#include "store/ticket_store.h"
#include "ticket/calendar.h"
#include "ticket/mail.h"
#include "ticket/ticket.h"
#include "ticket/ticket_sla.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

struct env {
	struct fx *f;
	int64_t now;
	struct kefu_clock clock;
	struct calendar *cal;
	struct ticket_policy *pol;
	struct ticket_store *reads;
	struct ticket_service *svc;
	int done; /* committed callbacks seen */
};

static int64_t env_now(void *ctx)
{
	return ((struct env *)ctx)->now;
}

static int64_t T(const char *s)
{
	int64_t ms;
	assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
	return ms;
}

static const char *src_dir(void)
{
	const char *src = getenv("KEFU_SOURCE_DIR");
	return src && *src ? src : KEFU_SOURCE_DIR;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	e->f = fx_new(NULL);
	e->now = T("2026-03-09T09:00:00+08:00"); /* a Monday */
	e->clock = (struct kefu_clock){env_now, e};
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", src_dir(), CAL_DEFAULT_FILE);
	assert_int_equal(calendar_load_file(path, &e->cal, NULL), 0);
	snprintf(path, sizeof path, "%s/%s", src_dir(), TICKET_POLICY_FILE);
	struct kefu_err err = {0};
	if (ticket_policy_load_file(path, &e->pol, &err) < 0)
		print_error("policy: %s %s\n", err.field, err.msg);
	assert_non_null(e->pol);
	assert_int_equal(ticket_store_open(e->f->s, &e->reads, NULL), 0);
	struct ticket_service_options o = {e->f->s, e->reads, e->pol, e->cal, &e->clock, NULL, NULL};
	assert_int_equal(ticket_service_new(&o, &e->svc, NULL), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	ticket_service_free(e->svc);
	ticket_store_close(e->reads);
	ticket_policy_free(e->pol);
	calendar_free(e->cal);
	fx_free(e->f);
	free(e);
	return 0;
}

static void done_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct env *e = arg;
	if (status < 0)
		print_error("append failed: %s (%s)\n", err->msg, err->field);
	assert_int_equal(status, 0);
	e->done++;
}

static void wait_done(struct env *e)
{
	int want = e->done + 1;
	fx_poll_until(e->f, &e->done, want);
}

static struct ticket_created create(struct env *e, struct ticket_new in)
{
	struct ticket_created c;
	struct kefu_err err = {0};
	int r = ticket_create(e->svc, &in, "u_agent", &c, done_cb, e, &err);
	if (r < 0)
		print_error("create: %s (%s)\n", err.msg, err.field);
	assert_int_equal(r, 0);
	wait_done(e);
	return c;
}

static void step(struct env *e, const char *id, const char *s, const char *note)
{
	struct kefu_err err = {0};
	int r = ticket_step(e->svc, id, s, note, true, "u_agent", done_cb, e, &err);
	if (r < 0)
		print_error("step %s: %s (%s)\n", s, err.msg, err.field);
	assert_int_equal(r, 0);
	wait_done(e);
}

/* The ticket as stored (new ref). */
static json_t *get(struct env *e, const char *id)
{
	json_t *tk;
	assert_int_equal(ticket_store_get(e->reads, id, &tk, NULL), 0);
	return tk;
}

/* due_ms of a ticket's deadline in the engine, or -1 when not running. */
static int64_t due(struct env *e, const char *id, const char *name)
{
	char tid[SLA_ID_MAX];
	snprintf(tid, sizeof tid, "%s/%s", id, name);
	struct sla_state st;
	if (sla_get(ticket_sla_engine(ticket_service_sla(e->svc)), tid, &st) < 0)
		return -1;
	return st.paused ? 0 : st.due_ms;
}

static int64_t count_events(struct env *e, const char *type)
{
	json_t *arr;
	assert_int_equal(store_events_list(e->f->r, type, 0, 10000, &arr, NULL), 0);
	int64_t n = (int64_t)json_array_size(arr);
	json_decref(arr);
	return n;
}

static const struct ticket_new logistics = {.kind = "general",
					    .type = "物流延误",
					    .priority = "P2",
					    .department = "logistics",
					    .order = "O1001",
					    .customer = "c001",
					    .channel = "api",
					    .description = "订单O1001三天未更新物流",
					    .plan = NULL};

static void department_ticket_must_be_claimed_within_1h_and_answered_within_2h(void **state)
{
	struct env *e = *state;
	struct ticket_created c = create(e, logistics);
	assert_true(due(e, c.id, "claim") == T("2026-03-09T10:00:00+08:00"));
	assert_true(due(e, c.id, "answer") == T("2026-03-09T11:00:00+08:00"));
	assert_true(due(e, c.id, "p2_solution") == T("2026-03-09T11:00:00+08:00"));
	json_t *tk = get(e, c.id);
	assert_string_equal(json_string_value(json_object_get(tk, "state")), "open");
	assert_int_equal(json_integer_value(json_object_get(tk, "fields_required")), 6);
	assert_int_equal(json_integer_value(json_object_get(tk, "fields_filled")), 5); /* no plan: K-34 */
	assert_true(json_is_null(json_object_get(tk, "progress_hash")) == false);
	json_decref(tk);
	e->now += 20 * MIN;
	struct kefu_err err = {0};
	assert_int_equal(ticket_claim(e->svc, c.id, "u_dept", done_cb, e, &err), 0);
	/* a second claim before the first committed cannot pass on the same committed state */
	assert_int_equal(ticket_claim(e->svc, c.id, "u_other", done_cb, e, &err), -KEFU_ECONFLICT);
	assert_string_equal(err.field, "id");
	wait_done(e);
	assert_true(due(e, c.id, "claim") == -1); /* met */
	assert_int_equal(ticket_claim(e->svc, c.id, "u_dept", done_cb, e, &err), -KEFU_ECONFLICT);
	step(e, c.id, "answer", "已联系快递加急");
	assert_true(due(e, c.id, "answer") == -1);
	tk = get(e, c.id);
	assert_string_equal(json_string_value(json_object_get(tk, "state")), "claimed");
	assert_string_equal(json_string_value(json_object_get(tk, "claimed_by")), "u_dept");
	json_decref(tk);
}

static void a_breach_is_recorded_and_escalates_to_a_supervisor(void **state)
{
	struct env *e = *state;
	struct ticket_created c = create(e, logistics);
	e->now = T("2026-03-09T10:00:00+08:00"); /* claim due, nobody claimed */
	ticket_sla_run(ticket_service_sla(e->svc));
	fx_close_store(e->f); /* commit what the breach queued */
	fx_open_store(e->f, NULL);
	assert_int_equal(count_events(e, "sla.breached"), 1);
	assert_int_equal(count_events(e, "ticket.escalated"), 1);
	json_t *tk;
	struct ticket_store *r2;
	assert_int_equal(ticket_store_open(e->f->s, &r2, NULL), 0);
	assert_int_equal(ticket_store_get(r2, c.id, &tk, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(tk, "escalated_to")), "supervisor");
	json_t *timers = json_object_get(tk, "timers");
	int breached = 0;
	for (size_t i = 0; i < json_array_size(timers); i++)
		breached += strcmp(json_string_value(json_object_get(json_array_get(timers, i), "state")),
				   "breached") == 0;
	assert_int_equal(breached, 1);
	json_decref(tk);
	ticket_store_close(r2);
	/* the service's reads connection points at the closed store: rebuild the env's */
	ticket_service_free(e->svc);
	ticket_store_close(e->reads);
	assert_int_equal(ticket_store_open(e->f->s, &e->reads, NULL), 0);
	struct ticket_service_options o = {e->f->s, e->reads, e->pol, e->cal, &e->clock, NULL, NULL};
	assert_int_equal(ticket_service_new(&o, &e->svc, NULL), 0);
	assert_true(due(e, c.id, "answer") == T("2026-03-09T11:00:00+08:00")); /* rebuilt */
	assert_true(due(e, c.id, "claim") == -1);
}

static void complaint_steps_run_in_order_with_their_deadlines(void **state)
{
	struct env *e = *state;
	struct ticket_new in = {.kind = "complaint",
				.type = "售后投诉",
				.priority = "P2",
				.department = "service",
				.order = "O2002",
				.customer = "c002",
				.session = "s_1",
				.channel = "chat",
				.description = "客户投诉商品破损",
				.plan = "先安抚再核实"};
	struct ticket_created c = create(e, in);
	assert_true(due(e, c.id, "record") == e->now + 5 * MIN); /* N-16 */
	assert_true(due(e, c.id, "progress") == e->now + 24 * HOUR); /* N-15 */
	assert_true(due(e, c.id, "claim") == -1); /* service desk: no department claim */
	int64_t before = count_events(e, NULL);
	struct kefu_err err = {0};
	assert_int_equal(ticket_step(e->svc, c.id, "facts", NULL, true, "u_agent", done_cb, e, &err),
			 -KEFU_ECONFLICT);
	assert_string_equal(err.field, "step");
	assert_int_equal(ticket_step(e->svc, c.id, "ship", NULL, true, "u_agent", done_cb, e, &err),
			 -KEFU_EINVAL);
	assert_int_equal(count_events(e, NULL), before); /* refused steps store nothing */
	e->now += 3 * MIN;
	step(e, c.id, "record", "要点: 破损, 要求换货");
	assert_true(due(e, c.id, "record") == -1);
	step(e, c.id, "soothe", NULL);
	step(e, c.id, "facts", "5W1H: 3月8日签收, 外箱完好, 内件破损");
	assert_int_equal(ticket_step(e->svc, c.id, "options", NULL, true, "u_agent", done_cb, e, &err),
			 -KEFU_EINVAL);
	assert_string_equal(err.field, "note");
	step(e, c.id, "options", "1) 换新 2) 退款 3) 补偿50元; 3月10日前答复");
	assert_int_equal(ticket_step(e->svc, c.id, "soothe", NULL, true, "u_agent", done_cb, e, &err),
			 -KEFU_ECONFLICT);
	e->now += 10 * HOUR;
	step(e, c.id, "note", "已安排换新, 明日发出"); /* N-15: the next progress note is due in 24 h */
	assert_true(due(e, c.id, "progress") == e->now + 24 * HOUR);
	step(e, c.id, "follow_up", NULL);
	json_t *tk = get(e, c.id);
	assert_string_equal(json_string_value(json_object_get(tk, "step")), "follow_up");
	assert_int_equal(json_array_size(json_object_get(tk, "steps")), 7); /* created + 6 */
	json_decref(tk);
	assert_int_equal(ticket_step(e->svc, c.id, "revisit", NULL, true, "u_agent", done_cb, e, &err),
			 -KEFU_ECONFLICT);
	assert_int_equal(ticket_resolve(e->svc, c.id, "已换新", "u_agent", done_cb, e, &err), 0);
	wait_done(e);
	assert_true(due(e, c.id, "progress") == -1);
	assert_true(due(e, c.id, "complaint_revisit") == e->now + 24 * HOUR); /* N-16 */
	assert_int_equal(ticket_resolve(e->svc, c.id, NULL, "u_agent", done_cb, e, &err), -KEFU_ECONFLICT);
	step(e, c.id, "revisit", "客户满意");
	assert_true(due(e, c.id, "complaint_revisit") == -1);
}

static void returns_and_exchanges_follow_n18_with_remote_regions(void **state)
{
	struct env *e = *state;
	struct ticket_new ret = {.kind = "return",
				 .type = "退货",
				 .priority = "P2",
				 .department = "warehouse",
				 .order = "O3",
				 .channel = "api",
				 .description = "七天无理由退货"};
	struct ticket_created r = create(e, ret);
	assert_true(due(e, r.id, "audit") == e->now + 24 * HOUR); /* K-27 */
	struct ticket_new ex = ret;
	ex.kind = "exchange";
	ex.region = "上海市";
	struct ticket_created x = create(e, ex);
	assert_true(due(e, x.id, "ship") == e->now + 48 * HOUR); /* K-28 */
	ex.region = "新疆维吾尔自治区乌鲁木齐市";
	struct ticket_created xr = create(e, ex);
	assert_true(due(e, xr.id, "ship_remote") == e->now + 72 * HOUR);
	assert_true(due(e, xr.id, "ship") == -1);
	step(e, x.id, "audit", NULL);
	step(e, x.id, "shipped", "SF123456");
	assert_true(due(e, x.id, "ship") == -1);
	struct kefu_err err = {0};
	assert_int_equal(ticket_resolve(e->svc, x.id, NULL, "u_agent", done_cb, e, &err), 0);
	wait_done(e);
	assert_true(due(e, x.id, "aftersale_revisit") == e->now + 12 * HOUR); /* N-17 */
	assert_int_equal(ticket_step(e->svc, r.id, "refunded", NULL, true, "u", done_cb, e, &err),
			 -KEFU_ECONFLICT);
}

static void forms_get_first_acceptance_and_solution_in_business_time(void **state)
{
	struct env *e = *state;
	e->now = T("2026-09-30T17:00:00+08:00");
	struct ticket_new in = {.type = "建议",
				.priority = "P3",
				.department = "product",
				.channel = "form",
				.description = "希望增加夜间配送"};
	struct ticket_created c = create(e, in);
	assert_true(due(e, c.id, "accept") == T("2026-10-08T10:00:00+08:00")); /* N-06 over 国庆 */
	assert_true(due(e, c.id, "solve") == T("2026-10-08T17:00:00+08:00"));
	assert_true(due(e, c.id, "p3_forward") == T("2026-10-08T17:00:00+08:00")); /* N-13 P3 */
	json_t *tk = get(e, c.id);
	assert_int_equal(json_integer_value(json_object_get(tk, "fields_filled")), 4);
	json_decref(tk);
}

static void waiting_for_the_customer_pauses_every_deadline(void **state)
{
	struct env *e = *state;
	struct ticket_created c = create(e, logistics);
	e->now += 30 * MIN;
	step(e, c.id, "waiting", "等待客户提供照片");
	assert_true(due(e, c.id, "claim") == 0 && due(e, c.id, "answer") == 0);
	e->now = T("2026-03-10T09:00:00+08:00");
	assert_int_equal(ticket_sla_run(ticket_service_sla(e->svc)), 0);
	step(e, c.id, "resumed", NULL);
	assert_true(due(e, c.id, "claim") == T("2026-03-10T09:30:00+08:00"));
	assert_true(due(e, c.id, "answer") == T("2026-03-10T10:30:00+08:00"));
}

/* N-20: resolving starts the archive deadline (the end of that local day); archiving meets it
 * once; only a resolved case is archived. */
static void a_resolved_case_is_archived_by_the_end_of_its_day(void **state)
{
	struct env *e = *state;
	struct ticket_created c = create(e, logistics);
	struct kefu_err err = {0};
	assert_int_equal(ticket_archive(e->svc, c.id, "u_agent", done_cb, e, &err), -KEFU_ECONFLICT);
	assert_string_equal(err.field, "state");
	e->now = T("2026-03-09T16:30:00+08:00");
	assert_int_equal(ticket_resolve(e->svc, c.id, "已处理", "u_agent", done_cb, e, &err), 0);
	wait_done(e);
	assert_true(due(e, c.id, "archive") == T("2026-03-10T00:00:00+08:00"));
	assert_true(due(e, c.id, "claim") == -1); /* the others were met at the resolution */
	assert_int_equal(ticket_archive(e->svc, c.id, "u_agent", done_cb, e, &err), 0);
	wait_done(e);
	assert_true(due(e, c.id, "archive") == -1);
	json_t *tk = get(e, c.id);
	assert_true(json_integer_value(json_object_get(tk, "archived_ms")) == T("2026-03-09T16:30:00+08:00"));
	json_decref(tk);
	assert_int_equal(ticket_archive(e->svc, c.id, "u_agent", done_cb, e, &err), -KEFU_ECONFLICT);
	/* nothing fires at midnight for the archived case */
	e->now = T("2026-03-10T00:00:01+08:00");
	assert_int_equal(ticket_sla_run(ticket_service_sla(e->svc)), 0);
}

static void mail_done_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	done_cb(arg, status, event_id, err);
}

/* N-06: a mail makes an email ticket with accept 2 h / solve 1bd; a reply by In-Reply-To is
 * appended; the same Message-ID again is a duplicate that queues nothing. */
static void a_mail_makes_a_ticket_and_its_reply_threads_to_it(void **state)
{
	struct env *e = *state;
	struct mail_msg m;
	struct kefu_err err = {0};
	const char *raw = "From: =?UTF-8?B?546L5Li9?= <Li@Shop.example>\r\nMessage-ID: <a1@x>\r\n"
			  "Subject: refund\r\n\r\nwhere is my refund?\r\n";
	assert_int_equal(mail_parse(raw, strlen(raw), &m, &err), 0);
	struct ticket_mail_result res;
	assert_int_equal(ticket_mail_in(e->svc, &m, &res, mail_done_cb, e, &err), 0);
	mail_msg_clear(&m);
	assert_true(res.created && !res.duplicate);
	wait_done(e);
	assert_true(due(e, res.ticket, "accept") == T("2026-03-09T11:00:00+08:00"));
	assert_true(due(e, res.ticket, "solve") == T("2026-03-10T09:00:00+08:00"));
	json_t *tk = get(e, res.ticket);
	assert_string_equal(json_string_value(json_object_get(tk, "channel")), "email");
	assert_string_equal(json_string_value(json_object_get(tk, "description")),
			    "refund\n\nwhere is my refund?");
	char customer[32];
	snprintf(customer, sizeof customer, "%s", json_string_value(json_object_get(tk, "customer")));
	json_decref(tk);
	assert_memory_equal(customer, "cm_", 3);

	e->now += 10 * MIN;
	const char *reply = "From: li@shop.example\nMessage-ID: <a2@x>\nIn-Reply-To: <a1@x>\n"
			    "Subject: Re: refund\n\nstill nothing\n";
	assert_int_equal(mail_parse(reply, strlen(reply), &m, &err), 0);
	struct ticket_mail_result r2;
	assert_int_equal(ticket_mail_in(e->svc, &m, &r2, mail_done_cb, e, &err), 0);
	assert_false(r2.created);
	assert_string_equal(r2.ticket, res.ticket);
	wait_done(e);
	int64_t before = count_events(e, "ticket.mailed");
	assert_int_equal(ticket_mail_in(e->svc, &m, &r2, mail_done_cb, e, &err), 0);
	assert_true(r2.duplicate);
	mail_msg_clear(&m);
	assert_int_equal(count_events(e, "ticket.mailed"), before);

	/* the agent's answer goes to the outbox and meets the first acceptance */
	char mo[TICKET_ID_MAX];
	assert_int_equal(
	    ticket_mail_reply(e->svc, res.ticket, "refund sent today", "u_agent", mo, done_cb, e, &err), 0);
	wait_done(e);
	assert_true(due(e, res.ticket, "accept") == -1);
	json_t *box;
	assert_int_equal(ticket_store_outbox(e->reads, "queued", NULL, 10, &box, NULL), 0);
	assert_int_equal(json_array_size(box), 1);
	json_t *row = json_array_get(box, 0);
	assert_string_equal(json_string_value(json_object_get(row, "to_addr")), "li@shop.example");
	assert_string_equal(json_string_value(json_object_get(row, "in_reply_to")), "a2@x");
	json_decref(box);
	/* a ticket that did not come by mail is not answered by mail */
	struct ticket_created c = create(e, logistics);
	assert_int_equal(ticket_mail_reply(e->svc, c.id, "x", "u_agent", mo, done_cb, e, &err),
			 -KEFU_ECONFLICT);
}

/* The reply's "Re: <subject>" is cut to fit on a character boundary: a 990-byte subject of
 * three-byte characters used to be cut mid-character, so the reply failed as "the service is
 * busy" after its acceptance deadline had already been stopped. */
static void a_reply_to_a_long_subject_is_cut_on_a_character(void **state)
{
	struct env *e = *state;
	struct mail_msg m;
	struct kefu_err err = {0};
	char subject[1000] = "";
	for (int i = 0; i < 330; i++)
		strcat(subject, "退");
	assert_int_equal(mail_from_fields("a@b.example", subject, "x", "long1@x", NULL, &m, &err), 0);
	struct ticket_mail_result res;
	assert_int_equal(ticket_mail_in(e->svc, &m, &res, mail_done_cb, e, &err), 0);
	mail_msg_clear(&m);
	wait_done(e);
	char mo[TICKET_ID_MAX];
	int r = ticket_mail_reply(e->svc, res.ticket, "ok", "u_agent", mo, done_cb, e, &err);
	if (r < 0)
		print_error("%s: %s\n", err.field, err.msg);
	assert_int_equal(r, 0);
	wait_done(e);
	assert_true(due(e, res.ticket, "accept") == -1);
	json_t *box;
	assert_int_equal(ticket_store_outbox(e->reads, NULL, mo, 1, &box, NULL), 0);
	const char *s = json_string_value(json_object_get(json_array_get(box, 0), "subject"));
	assert_non_null(s);
	assert_memory_equal(s, "Re: 退退", strlen("Re: 退退"));
	assert_true(strlen(s) <= MAIL_SUBJECT_MAX);
	char token[32];
	snprintf(token, sizeof token, " [#%s]", res.ticket);
	assert_string_equal(s + strlen(s) - strlen(token), token);
	assert_int_equal((strlen(s) - strlen("Re: ") - strlen(token)) % 3, 0); /* whole characters */
	json_decref(box);
}

static void escalations_tell_the_expected_time(void **state)
{
	struct env *e = *state;
	struct ticket_created c = create(e, logistics);
	int64_t expected = 0;
	struct kefu_err err = {0};
	assert_int_equal(
	    ticket_escalate(e->svc, c.id, "tech", "支付系统故障", "u_agent", &expected, done_cb, e, &err), 0);
	wait_done(e);
	assert_true(expected == e->now + 10 * MIN); /* N-20 */
	assert_int_equal(ticket_escalate(e->svc, c.id, "tech", NULL, "u_agent", NULL, done_cb, e, &err),
			 -KEFU_ECONFLICT);
	assert_int_equal(
	    ticket_escalate(e->svc, c.id, "supervisor", NULL, "u_agent", &expected, done_cb, e, &err), 0);
	wait_done(e);
	assert_true(expected == e->now + 15 * MIN);
	assert_int_equal(ticket_escalate(e->svc, c.id, "boss", NULL, "u_agent", NULL, done_cb, e, &err),
			 -KEFU_EINVAL);
	assert_string_equal(err.field, "to");
	step(e, c.id, "answer", NULL);
	assert_true(due(e, c.id, "escalate_tech") == -1);
}

static void bad_tickets_are_refused_naming_the_field_and_store_nothing(void **state)
{
	struct env *e = *state;
	int64_t before = count_events(e, NULL);
	static const struct {
		struct ticket_new in;
		const char *field;
	} bad[] = {
	    {{.type = "x", .priority = "P2", .department = "logistics", .channel = "api"}, "description"},
	    {{.type = "x", .priority = "P9", .department = "logistics", .channel = "api", .description = "d"},
	     "priority"},
	    {{.type = "x", .priority = "P1", .department = "moon", .channel = "api", .description = "d"},
	     "department"},
	    {{.kind = "return",
	      .type = "x",
	      .priority = "P1",
	      .department = "warehouse",
	      .channel = "api",
	      .description = "d"},
	     "order"},
	    {{.type = "x", .priority = "P1", .department = "tech", .channel = "chat", .description = "d"},
	     "session"},
	    {{.kind = "gift",
	      .type = "x",
	      .priority = "P1",
	      .department = "tech",
	      .channel = "api",
	      .description = "d"},
	     "kind"},
	    {{.type = "x", .priority = "P1", .department = "tech", .channel = "fax", .description = "d"},
	     "channel"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ticket_created c;
		struct kefu_err err = {0};
		assert_int_equal(ticket_create(e->svc, &bad[i].in, "u", &c, done_cb, e, &err), -KEFU_EINVAL);
		assert_string_equal(err.field, bad[i].field);
	}
	struct kefu_err err = {0};
	assert_int_equal(ticket_claim(e->svc, "tk_nope", "u", done_cb, e, &err), -KEFU_ENOTFOUND);
	assert_int_equal(ticket_step(e->svc, "tk_nope", "note", "x", true, "u", done_cb, e, &err),
			 -KEFU_ENOTFOUND);
	assert_int_equal(sla_count(ticket_sla_engine(ticket_service_sla(e->svc))), 0);
	assert_int_equal(count_events(e, NULL), before);
}

static void bad_policies_are_refused_naming_the_key(void **state)
{
	static const struct {
		const char *json;
		const char *field;
	} bad[] = {
	    {"{\"deadlines\":{}}", "deadlines"},
	    {"{\"deadlines\":{\"claim\":{\"basis\":\"moon\",\"duration\":\"1h\"}}}", "deadlines.claim"},
	    {"{\"deadlines\":{\"claim\":{\"basis\":\"wall\",\"duration\":\"1bd\"}}}", "deadlines.claim"},
	    {"{\"deadlines\":{\"claim\":{\"basis\":\"wall\",\"duration\":\"1x\"}}}", "deadlines.claim"},
	    {"{\"deadlines\":{\"lunch\":{\"basis\":\"wall\",\"duration\":\"1h\"}}}", "deadlines.lunch"},
	    {"{\"warn_share\":2,\"deadlines\":{}}", "warn_share"},
	    {"{\"deadlines\":{},\"extra\":1}", "json"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ticket_policy *p = NULL;
		struct kefu_err err = {0};
		assert_int_equal(ticket_policy_parse(bad[i].json, strlen(bad[i].json), &p, &err),
				 -KEFU_EINVAL);
		assert_null(p);
		assert_string_equal(err.field, bad[i].field);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		department_ticket_must_be_claimed_within_1h_and_answered_within_2h, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_breach_is_recorded_and_escalates_to_a_supervisor, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(complaint_steps_run_in_order_with_their_deadlines, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(returns_and_exchanges_follow_n18_with_remote_regions, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(forms_get_first_acceptance_and_solution_in_business_time, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(waiting_for_the_customer_pauses_every_deadline, setup, teardown),
	    cmocka_unit_test_setup_teardown(escalations_tell_the_expected_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_resolved_case_is_archived_by_the_end_of_its_day, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_mail_makes_a_ticket_and_its_reply_threads_to_it, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_reply_to_a_long_subject_is_cut_on_a_character, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_tickets_are_refused_naming_the_field_and_store_nothing, setup,
					    teardown),
	    cmocka_unit_test(bad_policies_are_refused_naming_the_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
