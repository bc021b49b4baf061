/* Unit tests for the WebSocket frame reader and writer in src/http/ws.c, without sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http_internal.h"

struct sink {
	struct buf msgs; /* messages joined with '|' */
	int nmsgs; /* messages received */
	int pings; /* pings received */
	int close_code; /* peer close code, -1 if none */
};

static void on_msg(void *arg, const char *t, size_t n)
{
	struct sink *s = arg;
	if (s->nmsgs++)
		buf_append(&s->msgs, "|", 1);
	buf_append(&s->msgs, t, n);
}

static void on_ctl(void *arg, int op, const uint8_t *p, size_t n)
{
	struct sink *s = arg;
	if (op == 9)
		s->pings++;
}

static void on_close(void *arg, uint16_t code, const char *r, size_t n)
{
	struct sink *s = arg;
	s->close_code = code;
}

static const struct ws_rx_ops ops = {on_msg, on_ctl, on_close};

struct fx {
	struct http_limits lim;
	struct ws_rx_env env;
	struct ws_rx rx;
	struct sink sink;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct http_limits in = {.max_ws_frame = 8192, .ws_msgs_per_sec = 1, .ws_burst = 1000};
	http__limits_resolve(&in, &f->lim);
	assert_int_equal(ws__rx_env_init(&f->env, &f->lim), 0);
	ws__rx_init(&f->rx, &f->lim, 0);
	buf_init(&f->sink.msgs);
	f->sink.close_code = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ws__rx_free(&f->rx);
	ws__rx_env_free(&f->env);
	buf_free(&f->sink.msgs);
	free(f);
	return 0;
}

/* Appends a client frame (masked unless unmasked) to b. */
static void client_frame(struct buf *b, int fin, int op, const void *payload, size_t n, bool masked)
{
	uint8_t h[14];
	size_t hl = ws__frame_header(h, op, n);
	if (!fin)
		h[0] &= 0x7f;
	if (masked)
		h[1] |= 0x80;
	const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
	if (masked) {
		memcpy(h + hl, key, 4);
		hl += 4;
	}
	buf_append(b, h, hl);
	size_t at = b->len;
	buf_append(b, payload, n);
	if (masked)
		for (size_t i = 0; i < n; i++)
			b->data[at + i] ^= (char)key[i % 4];
}

static int feed(struct fx *f, const struct buf *b)
{
	return ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b->data, b->len, 0, &ops, &f->sink);
}

static void masked_text_frames_are_delivered(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b);
	client_frame(&b, 1, 1, "hello", 5, true);
	client_frame(&b, 1, 1, "", 0, true);
	client_frame(&b, 1, 1, "你好", strlen("你好"), true);
	assert_int_equal(feed(f, &b), 0);
	assert_int_equal(f->sink.nmsgs, 3);
	assert_string_equal(f->sink.msgs.data, "hello||你好");
	assert_int_equal(f->rx.pending.cap, 0); /* nothing kept between complete frames */
	buf_free(&b);
}

static void split_frames_reassemble_byte_by_byte(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b);
	char big[6000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	client_frame(&b, 1, 1, "abc", 3, true);
	client_frame(&b, 1, 1, big, sizeof big, true); /* larger than wslay's 4 KB buffer */
	client_frame(&b, 1, 9, "p", 1, true);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(
		    ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b.data + i, 1, 0, &ops, &f->sink), 0);
	assert_int_equal(f->sink.nmsgs, 2);
	assert_int_equal(f->sink.msgs.len, 3 + 1 + sizeof big);
	assert_memory_equal(f->sink.msgs.data + 4, big, sizeof big);
	assert_int_equal(f->sink.pings, 1);
	assert_int_equal(f->rx.pending.cap, 0);
	buf_free(&b);
}

static void fragments_join_and_interleave_control_frames(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b);
	client_frame(&b, 0, 1, "he", 2, true);
	client_frame(&b, 1, 9, "", 0, true); /* ping between fragments is allowed */
	client_frame(&b, 0, 0, "ll", 2, true);
	client_frame(&b, 1, 0, "o", 1, true);
	assert_int_equal(feed(f, &b), 0);
	assert_string_equal(f->sink.msgs.data, "hello");
	assert_int_equal(f->sink.pings, 1);
	assert_int_equal(f->rx.msg.cap, 0);
	buf_free(&b);
}

static void protocol_errors_give_1002(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b);
	client_frame(&b, 1, 1, "x", 1, false); /* unmasked */
	assert_int_equal(feed(f, &b), 1002);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 1, 0, "x", 1, true); /* continuation without a start */
	assert_int_equal(feed(f, &b), 1002);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 1, 3, "x", 1, true); /* reserved opcode */
	assert_int_equal(feed(f, &b), 1002);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 0, 9, "x", 1, true); /* fragmented control frame */
	assert_int_equal(feed(f, &b), 1002);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 1, 8, "\x03\xe8", 2, true); /* close 1000 is fine */
	assert_int_equal(feed(f, &b), 0);
	assert_int_equal(f->sink.close_code, 1000);
	buf_reset(&b);
	client_frame(&b, 1, 8, "\x03\xed", 2, true); /* close 1005 may not be sent */
	assert_int_equal(feed(f, &b), 1002);
	buf_free(&b);
}

static void content_errors_give_1003_1007_1009(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b);
	client_frame(&b, 1, 2, "x", 1, true);
	assert_int_equal(feed(f, &b), 1003);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 1, 1, "\xff\xfe", 2, true);
	assert_int_equal(feed(f, &b), 1007);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	static char big[9000];
	client_frame(&b, 1, 1, big, sizeof big, true);
	/* Refused from the header alone, before the payload is buffered. */
	assert_int_equal(ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b.data, 8, 0, &ops, &f->sink), 1009);
	buf_reset(&b);
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 0);
	client_frame(&b, 0, 1, big, 5000, true);
	client_frame(&b, 1, 0, big, 5000, true); /* fragments together over the limit */
	assert_int_equal(feed(f, &b), 1009);
	buf_free(&b);
}

static void rate_limit_gives_1008(void **state)
{
	struct fx *f = *state;
	f->lim.ws_burst = 3;
	f->lim.ws_msgs_per_sec = 1;
	ws__rx_free(&f->rx);
	ws__rx_init(&f->rx, &f->lim, 1000);
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 3; i++)
		client_frame(&b, 1, 1, "m", 1, true);
	assert_int_equal(ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b.data, b.len, 1000, &ops, &f->sink),
			 0);
	buf_reset(&b);
	client_frame(&b, 1, 1, "m", 1, true);
	assert_int_equal(ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b.data, b.len, 1000, &ops, &f->sink),
			 1008);
	/* a second later one token is back */
	assert_int_equal(ws__rx_feed(&f->env, &f->rx, (const uint8_t *)b.data, b.len, 2000, &ops, &f->sink),
			 0);
	assert_int_equal(f->sink.nmsgs, 4);
	buf_free(&b);
}

static void server_frames_are_unmasked_with_shortest_length(void **state)
{
	uint8_t h[10];
	assert_int_equal(ws__frame_header(h, 1, 125), 2);
	assert_int_equal(h[0], 0x81);
	assert_int_equal(h[1], 125);
	assert_int_equal(ws__frame_header(h, 1, 126), 4);
	assert_int_equal(h[1], 126);
	assert_int_equal(h[2], 0);
	assert_int_equal(h[3], 126);
	assert_int_equal(ws__frame_header(h, 1, 70000), 10);
	assert_int_equal(h[1], 127);
	assert_int_equal(h[7], 0x01);
	assert_int_equal(h[8], 0x11);
	assert_int_equal(h[9], 0x70);
	struct ws_frame *fr = ws_frame_text("hi", 2);
	ws_frame_release(fr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(masked_text_frames_are_delivered, setup, teardown),
	    cmocka_unit_test_setup_teardown(split_frames_reassemble_byte_by_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(fragments_join_and_interleave_control_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(protocol_errors_give_1002, setup, teardown),
	    cmocka_unit_test_setup_teardown(content_errors_give_1003_1007_1009, setup, teardown),
	    cmocka_unit_test_setup_teardown(rate_limit_gives_1008, setup, teardown),
	    cmocka_unit_test(server_frames_are_unmasked_with_shortest_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
