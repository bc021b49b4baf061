/* Unit tests for src/chat: queue order, routing by skill and capacity, participants, text
 * limits, acknowledgement only after commit, the guard in the message path, and rebuilding live
 * state from the store. A real store in a temp directory; frames are captured by a test sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "base/rand.h"
#include "chat/chat.h"
#include "chat/profile.h"
#include "guard/guard.h"
#include "store/store.h"

#define MAX_FRAMES 256

struct sink {
	char *frames[MAX_FRAMES]; /* owned JSON texts */
	void *to[MAX_FRAMES]; /* transport each was sent to */
	int n;
};

struct fixture {
	char dir[64];
	char db[96];
	struct store *store;
	struct store_reader *reader;
	struct chat *chat;
	struct sink sink;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int notified; /* completions signalled by the writer, not yet polled */
};

static void sink_send(void *ctx, void *transport, const char *frame, size_t len)
{
	struct sink *s = ctx;
	if (s->n < MAX_FRAMES) {
		s->to[s->n] = transport;
		s->frames[s->n++] = strndup(frame, len);
	}
}

static void notify(void *arg)
{
	struct fixture *f = arg;
	pthread_mutex_lock(&f->mu);
	f->notified++;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Waits until the store has nothing queued and runs every completion. */
static void settle(struct fixture *f)
{
	for (;;) {
		struct store_stats st;
		store_stats_get(f->store, &st);
		store_poll(f->store);
		if (st.queue_depth == 0) {
			store_poll(f->store);
			store_stats_get(f->store, &st);
			if (st.queue_depth == 0)
				return;
		}
		/* The writer notifies only for appends with a callback: wait for that, or re-check the
		 * queue depth every 5 ms for appends without one. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 5000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&f->mu);
		if (!f->notified)
			pthread_cond_timedwait(&f->cv, &f->mu, &until);
		f->notified = 0;
		pthread_mutex_unlock(&f->mu);
	}
}

static void open_chat(struct fixture *f)
{
	struct kefu_err err = {0};
	struct chat_sink sink = {sink_send, &f->sink};
	assert_int_equal(chat_new(f->store, f->reader, NULL, &sink, &f->chat, &err), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	rand_init();
	snprintf(f->dir, sizeof f->dir, "/tmp/kefu-chat-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/k.db", f->dir);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	struct kefu_err err = {0};
	assert_int_equal(store_open(f->db, NULL, &f->store, &err), 0);
	store_set_notify(f->store, notify, f);
	assert_int_equal(store_reader_open(f->store, &f->reader, &err), 0);
	open_chat(f);
	*state = f;
	return 0;
}

static void sink_clear(struct sink *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->frames[i]);
	s->n = 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_drain(f->store); /* the shutdown order of kefu serve: commit, run callbacks, then free */
	store_poll(f->store);
	chat_free(f->chat);
	store_reader_close(f->reader);
	store_close(f->store);
	sink_clear(&f->sink);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct principal customer(const char *id, const char *type)
{
	struct principal p = {.role = ROLE_CUSTOMER};
	snprintf(p.id, sizeof p.id, "%s", id);
	snprintf(p.customer_type, sizeof p.customer_type, "%s", type);
	return p;
}

static struct principal agent(const char *id, const char *skill, int max)
{
	struct principal p = {.role = ROLE_SENIOR, .max_chats = max, .nskills = 1};
	snprintf(p.id, sizeof p.id, "%s", id);
	snprintf(p.display, sizeof p.display, "%s", id);
	snprintf(p.skills[0], sizeof p.skills[0], "%s", skill);
	return p;
}

/* The first frame of type sent to transport (NULL = any), parsed; caller decrefs. */
static json_t *find(struct fixture *f, void *transport, const char *type, int nth)
{
	for (int i = 0; i < f->sink.n; i++) {
		if (transport && f->sink.to[i] != transport)
			continue;
		json_t *o = json_loads(f->sink.frames[i], 0, NULL);
		if (o && strcmp(json_string_value(json_object_get(o, "type")), type) == 0 && nth-- == 0)
			return o;
		json_decref(o);
	}
	return NULL;
}

static const char *session_of(json_t *frame)
{
	json_t *s = json_object_get(frame, "session");
	return json_is_string(s) ? json_string_value(s) : json_string_value(json_object_get(s, "id"));
}

static void vip_is_routed_before_earlier_customers(void **state)
{
	struct fixture *f = *state;
	int t_new, t_vip, t_agent;
	struct principal pn = customer("c-new", "new"), pv = customer("c-vip", "vip"),
			 pa = agent("a1", "presale", 1);
	struct chat_conn *cn = chat_conn_attach(f->chat, &pn, &t_new);
	struct chat_conn *cv = chat_conn_attach(f->chat, &pv, &t_vip);
	struct chat_conn *ca = chat_conn_attach(f->chat, &pa, &t_agent);
	assert_int_equal(chat_open(f->chat, cn, "product", NULL, NULL), 0);
	assert_int_equal(chat_open(f->chat, cv, "product", NULL, NULL), 0);
	assert_int_equal(chat_presence(f->chat, ca, "online", NULL), 0);
	settle(f);
	json_t *assigned = find(f, &t_agent, "assigned", 0);
	assert_non_null(assigned);
	json_t *vs = find(f, &t_vip, "session", 0);
	assert_string_equal(session_of(assigned), session_of(vs));
	assert_null(find(f, &t_agent, "assigned", 1)); /* capacity 1: the other one waits */
	json_decref(assigned);
	json_decref(vs);
	chat_conn_detach(f->chat, cn);
	chat_conn_detach(f->chat, cv);
	chat_conn_detach(f->chat, ca);
}

static void agents_without_the_skill_get_nothing(void **state)
{
	struct fixture *f = *state;
	int t_c, t_a;
	struct principal pc = customer("c1", "new"), pa = agent("a1", "presale", 3);
	struct chat_conn *cc = chat_conn_attach(f->chat, &pc, &t_c);
	struct chat_conn *ca = chat_conn_attach(f->chat, &pa, &t_a);
	chat_presence(f->chat, ca, "online", NULL);
	assert_int_equal(chat_open(f->chat, cc, "aftersale", NULL, NULL), 0);
	settle(f);
	assert_null(find(f, &t_a, "assigned", 0));
	json_t *q = chat_queue_json(f->chat, NULL);
	assert_int_equal(json_array_size(q), 1);
	json_decref(q);
	json_t *s = find(f, &t_c, "session", 0);
	struct kefu_err err = {0};
	assert_int_equal(chat_pick(f->chat, ca, session_of(s), &err), -KEFU_EPERM);
	json_decref(s);
	chat_conn_detach(f->chat, cc);
	chat_conn_detach(f->chat, ca);
}

static void ack_comes_only_after_commit(void **state)
{
	struct fixture *f = *state;
	int t_c, t_a;
	struct principal pc = customer("c1", "new"), pa = agent("a1", "presale", 3);
	struct chat_conn *cc = chat_conn_attach(f->chat, &pc, &t_c);
	struct chat_conn *ca = chat_conn_attach(f->chat, &pa, &t_a);
	chat_presence(f->chat, ca, "online", NULL);
	chat_open(f->chat, cc, "product", NULL, NULL);
	settle(f);
	json_t *s = find(f, &t_c, "session", 0);
	const char *sid = session_of(s);
	sink_clear(&f->sink);
	assert_int_equal(chat_send(f->chat, cc, sid, "你好", strlen("你好"), "k1", NULL), 0);
	assert_null(find(f, &t_c, "ack", 0)); /* nothing before the store ran the callback */
	settle(f);
	json_t *ack = find(f, &t_c, "ack", 0);
	assert_non_null(ack);
	json_t *msgs = NULL;
	assert_int_equal(store_session_messages(f->reader, sid,
						json_integer_value(json_object_get(ack, "seq")) - 1, 10,
						&msgs, NULL),
			 0);
	assert_int_equal(json_array_size(msgs), 1); /* visible in the store by the time of the ack */
	json_t *m = find(f, &t_a, "msg", 0);
	assert_string_equal(json_string_value(json_object_get(m, "text")), "你好");
	json_decref(m);
	json_decref(msgs);
	json_decref(ack);
	json_decref(s);
	chat_conn_detach(f->chat, cc);
	chat_conn_detach(f->chat, ca);
}

static void outsiders_and_bad_text_are_refused(void **state)
{
	struct fixture *f = *state;
	int t_c, t_o;
	struct principal pc = customer("c1", "new"), po = customer("c2", "new");
	struct chat_conn *cc = chat_conn_attach(f->chat, &pc, &t_c);
	struct chat_conn *co = chat_conn_attach(f->chat, &po, &t_o);
	chat_open(f->chat, cc, "product", NULL, NULL);
	settle(f);
	json_t *s = find(f, &t_c, "session", 0);
	const char *sid = session_of(s);
	struct kefu_err err = {0};
	assert_int_equal(chat_send(f->chat, co, sid, "hi", 2, NULL, &err), -KEFU_EPERM);
	assert_int_equal(chat_send(f->chat, cc, sid, "", 0, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(chat_send(f->chat, cc, sid, "\xff\xfe", 2, NULL, &err), -KEFU_EINVAL);
	assert_int_equal(chat_send(f->chat, cc, "s_none", "hi", 2, NULL, &err), -KEFU_ENOTFOUND);
	assert_int_equal(chat_rate(f->chat, cc, sid, 5, 1, &err), -KEFU_ECONFLICT);
	assert_int_equal(chat_open(f->chat, cc, "nonsense", NULL, &err), -KEFU_EINVAL);
	assert_false(chat_can_read(f->chat, &po, sid));
	assert_true(chat_can_read(f->chat, &pc, sid));
	json_decref(s);
	chat_conn_detach(f->chat, cc);
	chat_conn_detach(f->chat, co);
}

static void live_state_is_rebuilt_from_the_store(void **state)
{
	struct fixture *f = *state;
	int t_a, t_b;
	struct principal pa = customer("c-a", "new"), pb = customer("c-b", "vip");
	struct chat_conn *ca = chat_conn_attach(f->chat, &pa, &t_a);
	struct chat_conn *cb = chat_conn_attach(f->chat, &pb, &t_b);
	chat_open(f->chat, ca, "order", NULL, NULL);
	chat_open(f->chat, cb, "order", NULL, NULL);
	settle(f);
	chat_conn_detach(f->chat, ca);
	chat_conn_detach(f->chat, cb);
	settle(f);
	json_t *before = chat_queue_json(f->chat, NULL);
	chat_free(f->chat);
	open_chat(f);
	json_t *after = chat_queue_json(f->chat, NULL);
	assert_int_equal(json_array_size(after), 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(before, i), "id")),
				    json_string_value(json_object_get(json_array_get(after, i), "id")));
	json_decref(before);
	json_decref(after);
}

static void guard_blocks_absolute_terms_from_agents(void **state)
{
	struct fixture *f = *state;
	char dir[600];
	const char *src = getenv("KEFU_SOURCE_DIR");
	snprintf(dir, sizeof dir, "%s/data/lexicons", src ? src : KEFU_SOURCE_DIR);
	struct guard *g = NULL;
	struct kefu_err err = {0};
	assert_int_equal(guard_load(dir, &g, &err), 0);
	struct guard_slot *slot = guard_slot_new(g);
	chat_set_guard(f->chat, slot);
	int t_c, t_a;
	struct principal pc = customer("c1", "new"), pa = agent("a1", "presale", 3);
	struct chat_conn *cc = chat_conn_attach(f->chat, &pc, &t_c);
	struct chat_conn *ca = chat_conn_attach(f->chat, &pa, &t_a);
	chat_presence(f->chat, ca, "online", NULL);
	chat_open(f->chat, cc, "product", NULL, NULL);
	settle(f);
	json_t *s = find(f, &t_c, "session", 0);
	const char *sid = session_of(s);
	sink_clear(&f->sink);
	const char *bad = "这是全网最好的产品";
	assert_int_equal(chat_send(f->chat, ca, sid, bad, strlen(bad), "b1", &err), 0);
	settle(f);
	json_t *e = find(f, &t_a, "error", 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "code")), "blocked");
	assert_null(find(f, &t_c, "msg", 0));
	assert_null(find(f, &t_a, "ack", 0));
	json_t *ev = NULL;
	assert_int_equal(store_events_list(f->reader, "guard.hit", 0, 10, &ev, NULL), 0);
	assert_int_equal(json_array_size(ev), 1);
	char *dump = json_dumps(ev, 0);
	assert_null(strstr(dump, "最好")); /* the event log holds rule ids and offsets, not the text */
	free(dump);
	json_decref(ev);
	json_decref(e);
	json_decref(s);
	chat_conn_detach(f->chat, cc);
	chat_conn_detach(f->chat, ca);
	settle(f);
	chat_free(f->chat);
	f->chat = NULL;
	guard_slot_free(slot);
}

static void profile_masking_keeps_first_and_last_digits(void **state)
{
	char phone[] = "13812345678", shortp[] = "12345", name[32] = "王丽华";
	profile_mask_phone(phone);
	assert_string_equal(phone, "138****5678");
	profile_mask_phone(shortp);
	assert_string_equal(shortp, "*****");
	profile_mask_name(name, sizeof name);
	assert_string_equal(name, "王**");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(vip_is_routed_before_earlier_customers, setup, teardown),
	    cmocka_unit_test_setup_teardown(agents_without_the_skill_get_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(ack_comes_only_after_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(outsiders_and_bad_text_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(live_state_is_rebuilt_from_the_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(guard_blocks_absolute_terms_from_agents, setup, teardown),
	    cmocka_unit_test(profile_masking_keeps_first_and_last_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
