/* Unit tests for src/kpi/tickets.c and the ticket kinds of `kefu import` (issue 6): hand-computed
 * cases for K-11, K-27, K-28, K-29, K-33 and K-34 and their edges (exactly 24 h, a remote region
 * at 60 h, an unresolved ticket, a missing required field, a skipped or late flow step), the
 * import errors of each kind (file:line:field, nothing stored), the same ticket imported twice,
 * live ticket events on an imported ticket keeping the rollup current, and a rebuild giving the
 * same numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "kpi/assess.h"
#include "kpi/import.h"
#include "kpi/rollup.h"
#include "kpi/tickets.h"
#include "store/store.h"
#include "ticket/ticket.h"

#include "store_fixture.h"

#define H(x) ((int64_t)(x)*3600000)
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static struct kpi_rules R;

/* ---- the rules on hand-made tickets ---------------------------------------------------------- */

static struct kpi_ticket_eval eval(const char *kind, bool complex, int64_t resolved,
				   const struct tkpi_step *st, size_t n, bool remote)
{
	struct tkpi_ticket t = {.id = "t",
				.agent = "a1",
				.kind = kind,
				.complex = complex,
				.created_ms = H(1000),
				.resolved_ms = resolved < 0 ? -1 : H(1000) + resolved,
				.steps = st,
				.n_steps = n};
	struct kpi_ticket_eval e;
	kpi_ticket_eval(&R, &t, remote, &e);
	return e;
}

static void complex_closed_within_24h_inclusive(void **state)
{
	struct kpi_ticket_eval e = eval("general", true, H(24), NULL, 0, false);
	assert_true(e.k11 && e.k11_in); /* exactly 24 h is within */
	e = eval("general", true, H(24) + 1000, NULL, 0, false);
	assert_true(e.k11 && !e.k11_in);
	e = eval("general", false, H(30), NULL, 0, false);
	assert_false(e.k11); /* not complex: not in K-11 */
	assert_true(e.k29);
	assert_near(e.hours, 30);
}

static void unresolved_ticket_is_late_for_k11_and_left_out_of_k29_and_k33(void **state)
{
	struct tkpi_step st[] = {{H(1001), "audit"}};
	struct kpi_ticket_eval e = eval("return", true, -1, st, 1, false);
	assert_true(e.k11 && !e.k11_in);
	assert_false(e.k29);
	assert_false(e.k33);
	assert_true(e.k27 && e.k27_in); /* audited after 1 h: K-27 does not wait for the resolution */
}

static void return_audit_within_24h_and_never_audited(void **state)
{
	struct tkpi_step in[] = {{H(1024), "audit"}}, late[] = {{H(1024) + 1, "audit"}};
	assert_true(eval("return", false, H(48), in, 1, false).k27_in);
	assert_false(eval("return", false, H(48), late, 1, false).k27_in);
	struct kpi_ticket_eval e = eval("return", false, H(48), NULL, 0, false);
	assert_true(e.k27 && !e.k27_in); /* not audited: counts as late */
	assert_false(eval("exchange", false, H(48), in, 1, false).k27); /* only returns */
}

static void exchange_shipped_48h_or_72h_to_remote_regions(void **state)
{
	struct tkpi_step at48[] = {{H(1000), "audit"}, {H(1048), "shipped"}};
	struct tkpi_step at60[] = {{H(1000), "audit"}, {H(1060), "shipped"}};
	struct tkpi_step at72s[] = {{H(1000), "audit"}, {H(1072) + 1000, "shipped"}};
	assert_true(eval("exchange", false, -1, at48, 2, false).k28_in);
	assert_false(eval("exchange", false, -1, at60, 2, false).k28_in); /* 60 h, not remote */
	assert_true(eval("exchange", false, -1, at60, 2, true).k28_in); /* 60 h, remote: within 72 h */
	assert_false(eval("exchange", false, -1, at72s, 2, true).k28_in);
	struct kpi_ticket_eval e = eval("exchange", false, -1, NULL, 0, true);
	assert_true(e.k28 && !e.k28_in); /* not shipped */
}

static void process_compliance_needs_every_flow_step_in_order_before_the_resolution(void **state)
{
	struct tkpi_step ok[] = {
	    {H(1001), "audit"}, {H(1002), "note"}, {H(1030), "received"}, {H(1040), "refunded"}};
	struct tkpi_step skipped[] = {{H(1001), "audit"}, {H(1040), "refunded"}};
	struct tkpi_step swapped[] = {{H(1001), "received"}, {H(1002), "audit"}, {H(1040), "refunded"}};
	struct tkpi_step after[] = {{H(1001), "audit"}, {H(1030), "received"}, {H(1060), "refunded"}};
	struct tkpi_step twice[] = {
	    {H(1001), "audit"}, {H(1002), "audit"}, {H(1030), "received"}, {H(1040), "refunded"}};
	struct kpi_ticket_eval e = eval("return", false, H(50), ok, 4, false);
	assert_true(e.k33 && e.k33_ok); /* a note between flow steps is fine */
	assert_false(eval("return", false, H(50), skipped, 2, false).k33_ok);
	assert_false(eval("return", false, H(50), swapped, 3, false).k33_ok);
	assert_false(eval("return", false, H(50), after, 3, false).k33_ok); /* a step after resolving */
	assert_false(eval("return", false, H(50), twice, 4, false).k33_ok);
	struct tkpi_step c[] = {{H(1000), "record"},
				{H(1001), "soothe"},
				{H(1002), "facts"},
				{H(1003), "options"},
				{H(1004), "follow_up"}};
	assert_true(eval("complaint", false, H(5), c, 5, false).k33_ok);
	assert_false(eval("complaint", false, H(5), c, 4, false).k33_ok); /* no follow-up */
	assert_false(eval("exchange", false, H(5), NULL, 0, false).k33); /* K-33: returns, complaints */
	assert_false(eval("general", false, H(5), NULL, 0, false).k33);
}

static void completeness_counts_the_n14_fields_per_kind(void **state)
{
	int req, fill;
	const char *general[6] = {"咨询", "P3", "product", NULL, "描述", NULL};
	ticket_completeness("general", general, &req, &fill);
	assert_int_equal(req, 5); /* a general ticket without an order: five fields */
	assert_int_equal(fill, 4); /* no plan */
	const char *ret[6] = {NULL, "P2", "warehouse", "O1", "描述", "退款"};
	ticket_completeness("return", ret, &req, &fill);
	assert_int_equal(req, 6);
	assert_int_equal(fill, 5); /* no type */
	const char *empty[6] = {"", "P2", "warehouse", "O1", "", "退款"};
	ticket_completeness("general", empty, &req, &fill);
	assert_int_equal(req, 6); /* a general ticket with an order counts it */
	assert_int_equal(fill, 4);
}

static void values_are_null_with_n_0_without_tickets(void **state)
{
	struct kpi_value v[KPI_METRIC_COUNT];
	kpi_ticket_values(NULL, v);
	static const int ms[] = {KPI_K11, KPI_K27, KPI_K28, KPI_K29, KPI_K33, KPI_K34};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
		assert_true(v[ms[i]].null);
		assert_int_equal(v[ms[i]].n, 0);
	}
	struct tkpi_daily d = {.k29_n = 2, .k29_sum_ms = H(12), .k34_req = 11, .k34_filled = 10};
	kpi_ticket_values(&d, v);
	assert_near(v[KPI_K29].value, 6);
	assert_int_equal(v[KPI_K29].n, 2);
	assert_near(v[KPI_K34].value, 10.0 / 11);
	assert_true(v[KPI_K27].null);
}

/* ---- through the store --------------------------------------------------------------------- */

static int import(struct fx *f, const char *text, struct kpi_import_stats *st, struct kefu_err *err)
{
	return kpi_import_buffer(f->a, &R, "t.jsonl", text, strlen(text), st, err);
}

static void import_ok(struct fx *f, const char *text)
{
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int r = import(f, text, &st, &err);
	if (r < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(r, 0);
}

static int64_t count_events(struct fx *f)
{
	struct store_reader *r;
	int64_t n = -1;
	assert_int_equal(store_reader_open(f->s, &r, NULL), 0);
	assert_int_equal(store_events_count(r, &n, NULL), 0);
	store_reader_close(r);
	return n;
}

static void expect_error(struct fx *f, const char *text, const char *want)
{
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int64_t before = count_events(f);
	assert_int_equal(import(f, text, &st, &err), -KEFU_EINVAL);
	if (!strstr(err.msg, want))
		print_error("got: %s\nwant: %s\n", err.msg, want);
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(count_events(f), before); /* nothing stored */
}

/* K-values of one agent over 2026-10 (local days 20727…20757). */
static void period(struct fx *f, const char *agent, struct kpi_value v[KPI_METRIC_COUNT])
{
	struct kefu_err err = {0};
	assert_int_equal(assess_store_begin(f->a, &err), 0);
	assert_int_equal(kpi_rollup_refresh(f->a, &R, NULL, &err), 0);
	assert_int_equal(assess_store_commit(f->a, &err), 0);
	struct assess_agents g;
	assert_int_equal(assess_store_period(f->a, 20727, 20757, &g, &err), 0);
	struct tkpi_daily *d = NULL;
	assert_int_equal(kpi_tickets_period(f->a, 20727, 20757, &g, &d, &err), 0);
	size_t i = 0;
	while (i < g.n && strcmp(g.v[i].id, agent) != 0)
		i++;
	assert_true(i < g.n);
	kpi_ticket_values(&d[i], v);
	free(d);
	assess_agents_free(&g);
}

#define AGENTS                                                                                               \
	"{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"team\":\"t1\",\"post\":\"aftersale\"}\n"         \
	"{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"team\":\"t1\",\"post\":\"complaint\"}\n"         \
	"{\"kind\":\"customer\",\"id\":\"c1\",\"region\":\"新疆\"}\n"

/* a1: return r1 audited at 24 h exactly (in), resolved after 50 h, flow complete; return r2 never
 * audited, still open, no type (5 of 6 fields); exchange x1 to 新疆 shipped at 60 h (remote: in);
 * exchange x2 shipped at 60 h (not remote: late), complex, resolved at 70 h. a2: a complaint with
 * the flow but no follow-up, resolved after 10 h; a general ticket without order or plan. */
#define R1                                                                                                   \
	"{\"kind\":\"return\",\"id\":\"r1\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","     \
	"\"type\":\"退货\",\"priority\":\"P2\",\"department\":\"warehouse\",\"order\":\"O1\","             \
	"\"description\":\"d\",\"plan\":\"p\",\"audited\":\"2026-10-02T09:00:00+08:00\","                    \
	"\"steps\":\"note@2026-10-01T10:00:00+08:00,received@2026-10-02T12:00:00+08:00\","                   \
	"\"completed\":\"2026-10-03T10:00:00+08:00\",\"resolved\":\"2026-10-03T11:00:00+08:00\"}\n"
#define TICKETS                                                                                              \
	R1 "{\"kind\":\"return\",\"id\":\"r2\",\"agent\":\"a1\",\"created\":\"2026-10-05T09:00:00+08:00\","  \
	   "\"priority\":\"P2\",\"department\":\"warehouse\",\"order\":\"O2\",\"description\":\"d\","        \
	   "\"plan\":\"p\"}\n"                                                                               \
	   "{\"kind\":\"exchange\",\"id\":\"x1\",\"agent\":\"a1\",\"created\":\"2026-10-06T00:00:00+08:"     \
	   "00\","                                                                                           \
	   "\"type\":\"换货\",\"priority\":\"P2\",\"department\":\"warehouse\",\"order\":\"O3\","          \
	   "\"description\":\"d\",\"plan\":\"p\",\"customer\":\"c1\",\"region\":\"新疆\","                 \
	   "\"shipped\":\"2026-10-08T12:00:00+08:00\"}\n"                                                    \
	   "{\"kind\":\"exchange\",\"id\":\"x2\",\"agent\":\"a1\",\"created\":\"2026-10-06T00:00:00+08:"     \
	   "00\","                                                                                           \
	   "\"type\":\"换货\",\"priority\":\"P2\",\"department\":\"warehouse\",\"order\":\"O4\","          \
	   "\"description\":\"d\",\"plan\":\"p\",\"complex\":true,\"region\":\"浙江\","                    \
	   "\"shipped\":\"2026-10-08T12:00:00+08:00\",\"resolved\":\"2026-10-08T22:00:00+08:00\"}\n"         \
	   "{\"kind\":\"ticket\",\"id\":\"k1\",\"agent\":\"a2\",\"created\":\"2026-10-10T09:00:00+08:00\","  \
	   "\"complaint\":true,\"type\":\"投诉\",\"priority\":\"P1\",\"department\":\"service\","          \
	   "\"order\":\"O5\",\"description\":\"d\",\"plan\":\"p\",\"steps\":\"record@2026-10-10T09:03:00+"   \
	   "08:00,"                                                                                          \
	   "soothe@2026-10-10T09:10:00+08:00,facts@2026-10-10T10:00:00+08:00,options@2026-10-10T11:00:00+"   \
	   "08:00\","                                                                                        \
	   "\"resolved\":\"2026-10-10T19:00:00+08:00\"}\n"                                                   \
	   "{\"kind\":\"ticket\",\"id\":\"k2\",\"agent\":\"a2\",\"created\":\"2026-10-11T09:00:00+08:00\","  \
	   "\"type\":\"咨询\",\"priority\":\"P3\",\"department\":\"product\",\"description\":\"d\","       \
	   "\"claimed\":\"2026-10-11T09:30:00+08:00\",\"resolved\":\"2026-10-11T11:00:00+08:00\"}\n"

static void imported_tickets_give_the_hand_computed_metrics(void **state)
{
	struct fx *f = *state;
	import_ok(f, AGENTS TICKETS);
	/* the same tables as live tickets, and no live deadline: no SLA timer, no sla.* event */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	static const char *const counts[][2] = {
	    {"SELECT count(*) FROM tickets", "6"},
	    {"SELECT count(*) FROM tickets WHERE state = 'resolved'", "4"},
	    /* r1: created, audit, note, received, refunded, resolved */
	    {"SELECT count(*) FROM ticket_steps WHERE ticket = 'r1'", "6"},
	    {"SELECT step FROM tickets WHERE id = 'x2'", "resolved"},
	    {"SELECT kind FROM tickets WHERE id = 'k1'", "complaint"},
	    {"SELECT count(*) FROM sla_timers", "0"},
	    {"SELECT count(*) FROM events WHERE type LIKE 'sla.%'", "0"},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_prepare_v2(db, counts[i][0], -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), counts[i][1]);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	struct kpi_value v[KPI_METRIC_COUNT];
	period(f, "a1", v);
	assert_int_equal(v[KPI_K27].n, 2); /* r1 in, r2 never audited */
	assert_near(v[KPI_K27].value, 0.5);
	assert_int_equal(v[KPI_K28].n, 2); /* x1 remote at 60 h in, x2 at 60 h late */
	assert_near(v[KPI_K28].value, 0.5);
	assert_int_equal(v[KPI_K11].n, 1); /* x2 complex, resolved after 70 h */
	assert_near(v[KPI_K11].value, 0);
	assert_int_equal(v[KPI_K29].n, 2); /* r1 50 h, x2 70 h; r2, x1 unresolved */
	assert_near(v[KPI_K29].value, 60);
	assert_int_equal(v[KPI_K33].n, 1); /* r1 (r2 unresolved) */
	assert_near(v[KPI_K33].value, 1);
	assert_int_equal(v[KPI_K34].n, 24); /* 4 tickets × 6 fields */
	assert_near(v[KPI_K34].value, 23.0 / 24); /* r2 has no type */
	period(f, "a2", v);
	assert_int_equal(v[KPI_K33].n, 1);
	assert_near(v[KPI_K33].value, 0); /* no follow-up */
	assert_int_equal(v[KPI_K29].n, 2);
	assert_near(v[KPI_K29].value, 6); /* 10 h and 2 h */
	assert_int_equal(v[KPI_K34].n, 11); /* 6 + 5 (general without order) */
	assert_near(v[KPI_K34].value, 10.0 / 11); /* k2 has no plan */
	assert_true(v[KPI_K27].null);
	/* a ticket imported again in another file (other bytes, same record) is a no-op */
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	int64_t before = count_events(f);
	assert_int_equal(import(f, R1, &st, &err), 0);
	assert_int_equal(count_events(f), before);
	/* explain lists the returns behind K-27 with what the rule used */
	json_t *arr = NULL;
	assert_int_equal(kpi_explain(f->a, &R, "2026-10", "a1", "K-27", &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "ticket")), "r1");
	assert_true(json_is_true(json_object_get(json_array_get(arr, 0), "within")));
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "audited")));
	json_decref(arr);
}

static void import_errors_of_each_ticket_kind(void **state)
{
	struct fx *f = *state;
	import_ok(f, AGENTS);
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"urgency\":\"P1\"}\n",
	    "t.jsonl:1: field 'urgency'");
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a9\",\"created\":\"2026-10-01T09:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'agent': unknown agent a9");
	expect_error(f,
		     "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01 09:00\"}\n",
		     "t.jsonl:1: field 'created'");
	expect_error(f, "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\"}\n",
		     "t.jsonl:1: field 'created': missing");
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"priority\":\"P4\"}\n",
	    "t.jsonl:1: field 'priority'");
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"steps\":\"audit@2026-10-01T10:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'steps': 'audit' is not a step of a general ticket");
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"complaint\":true,\"steps\":\"record@2026-10-01\"}\n",
	    "t.jsonl:1: field 'steps': step record: not an RFC 3339 time");
	expect_error(
	    f,
	    "{\"kind\":\"ticket\",\"id\":\"k\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"resolved\":\"2026-10-01T08:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'resolved': before created");
	expect_error(
	    f,
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"audited\":\"2026-10-01T10:00:00+08:00\",\"steps\":\"audit@2026-10-01T11:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'steps': step audit is also given as its own field");
	expect_error(
	    f,
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"shipped\":\"2026-10-01T10:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'shipped': unknown field for kind return");
	expect_error(
	    f,
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"customer\":\"c9\"}\n",
	    "t.jsonl:1: field 'customer': unknown customer c9");
	expect_error(
	    f,
	    "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"shipped\":\"2026-09-30T10:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'shipped': before created");
	expect_error(
	    f,
	    "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"session\":\"s9\"}\n",
	    "t.jsonl:1: field 'session': unknown session s9");
	expect_error(
	    f,
	    "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"steps\":\"note@2026-10-01T10:00:00+08:00,\"}\n",
	    "t.jsonl:1: field 'steps': empty step");
	/* an id reused with other content: in the file, across kinds, against the store */
	expect_error(
	    f,
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\"}\n"
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:01+08:00\"}\n",
	    "t.jsonl:2: field 'id'");
	expect_error(
	    f,
	    "{\"kind\":\"return\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\"}\n"
	    "{\"kind\":\"exchange\",\"id\":\"r\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\"}"
	    "\n",
	    "t.jsonl:2: field 'id'");
	import_ok(f,
		  "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:"
		  "00\"}\n");
	expect_error(
	    f,
	    "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:00\","
	    "\"shipped\":\"2026-10-02T09:00:00+08:00\"}\n",
	    "t.jsonl:1: field 'id': ticket x already exists with different content");
	/* the identical line in another file is a no-op; the same file twice changes nothing */
	int64_t before = count_events(f);
	import_ok(f,
		  "{\"kind\":\"exchange\",\"id\":\"x\",\"agent\":\"a1\",\"created\":\"2026-10-01T09:00:00+08:"
		  "00\"}\n"
		  "{\"kind\":\"customer\",\"id\":\"c1\",\"region\":\"新疆\"}\n");
	assert_int_equal(count_events(f), before);
}

/* A far-off time (the fuzzer's year 4052) marks its own day and window, not every day between. */
static void a_far_off_time_recomputes_only_its_own_days(void **state)
{
	struct fx *f = *state;
	import_ok(f, AGENTS);
	struct kpi_import_stats st;
	struct kefu_err err = {0};
	const char *line = "{\"kind\":\"return\",\"id\":\"rf\",\"agent\":\"a1\",\"created\":"
			   "\"2026-10-01T09:00:00+08:00\",\"audited\":\"4052-10-02T09:00:00+08:00\"}\n";
	assert_int_equal(import(f, line, &st, &err), 0);
	assert_true(st.days > 0 && st.days <= 2 * 33); /* two days with their 30-day windows */
	struct kpi_value v[KPI_METRIC_COUNT];
	period(f, "a1", v);
	assert_int_equal(v[KPI_K27].n, 1);
	assert_near(v[KPI_K27].value, 0); /* audited 2026 years later */
}

/* Live ticket events on an imported ticket mark its day; the refreshed rollup equals a rebuild. */
static void live_events_keep_the_rollup_current_and_equal_a_rebuild(void **state)
{
	struct fx *f = *state;
	import_ok(f, AGENTS TICKETS);
	struct kpi_value v[KPI_METRIC_COUNT], w[KPI_METRIC_COUNT];
	period(f, "a1", v);
	assert_near(v[KPI_K27].value, 0.5);
	int64_t at;
	assert_int_equal(clock_parse_rfc3339("2026-10-05T20:00:00+08:00", 25, &at), 0);
	struct kefu_err err = {0};
	struct store_event ev = {.type = "ticket.step",
				 .at_ms = at,
				 .actor = "a1",
				 .data = json_pack("{s:s,s:s,s:s,s:b}", "id", "r2", "step", "audit",
						   "flow_step", "audit", "public", 0)};
	int64_t id;
	assert_int_equal(store_append_sync(f->s, &ev, &id, &err), 0);
	ev = (struct store_event){.type = "ticket.resolved",
				  .at_ms = at + H(1),
				  .actor = "a1",
				  .data = json_pack("{s:s}", "id", "r2")};
	assert_int_equal(store_append_sync(f->s, &ev, &id, &err), 0);
	period(f, "a1", v);
	assert_int_equal(v[KPI_K27].n, 2);
	assert_near(v[KPI_K27].value, 1); /* r2 audited after 11 h */
	assert_int_equal(v[KPI_K29].n, 3); /* 50, 70 and 12 h */
	assert_near(v[KPI_K29].value, 44);
	assert_int_equal(v[KPI_K33].n, 2); /* r2: audit only, not compliant */
	assert_near(v[KPI_K33].value, 0.5);
	assert_int_equal(assess_store_begin(f->a, &err), 0);
	assert_int_equal(kpi_rollup_rebuild(f->a, &R, NULL, &err), 0);
	assert_int_equal(assess_store_commit(f->a, &err), 0);
	period(f, "a1", w);
	for (int i = 0; i < KPI_METRIC_COUNT; i++) {
		if (!kpi_ticket_metric(i))
			continue;
		assert_int_equal(v[i].null, w[i].null);
		assert_int_equal(v[i].n, w[i].n);
		assert_true(v[i].value == w[i].value);
	}
}

int main(void)
{
	kpi_rules_default(&R);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(complex_closed_within_24h_inclusive),
	    cmocka_unit_test(unresolved_ticket_is_late_for_k11_and_left_out_of_k29_and_k33),
	    cmocka_unit_test(return_audit_within_24h_and_never_audited),
	    cmocka_unit_test(exchange_shipped_48h_or_72h_to_remote_regions),
	    cmocka_unit_test(process_compliance_needs_every_flow_step_in_order_before_the_resolution),
	    cmocka_unit_test(completeness_counts_the_n14_fields_per_kind),
	    cmocka_unit_test(values_are_null_with_n_0_without_tickets),
	    cmocka_unit_test_setup_teardown(imported_tickets_give_the_hand_computed_metrics, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(import_errors_of_each_ticket_kind, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(a_far_off_time_recomputes_only_its_own_days, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(live_events_keep_the_rollup_current_and_equal_a_rebuild, fx_setup,
					    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
