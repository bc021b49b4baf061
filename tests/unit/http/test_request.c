/* Unit tests for src/http/request.c: the http_parser glue driven with byte strings, no sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http_internal.h"

static struct http_limits lim;

static void setup_limits(size_t max_header, size_t max_body)
{
	struct http_limits in = {.max_header_bytes = max_header, .max_body_bytes = max_body};
	http__limits_resolve(&in, &lim);
}

/* Feeds s whole; returns the parse result and the completed request (or NULL). */
static int parse(struct http_rx *rx, const char *s, size_t *used, struct http_req **out)
{
	*out = NULL;
	int r = http__parse_feed(rx, s, strlen(s), used);
	if (r == HTTP_PARSE_DONE)
		*out = http__rx_take(rx);
	return r;
}

static void parses_get_with_query_headers_and_cookies(void **state)
{
	setup_limits(0, 0);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	const char *s = "GET /api/v1/x%20y?q=a+b&empty&n=%E4%B8%AD HTTP/1.1\r\nHost: h\r\nX-Two: 2\r\n"
			"Cookie: sid=abc; theme=\"dark\"\r\n\r\n";
	size_t used;
	struct http_req *r;
	assert_int_equal(parse(&rx, s, &used, &r), HTTP_PARSE_DONE);
	assert_int_equal(used, strlen(s));
	assert_string_equal(http_req_method(r), "GET");
	assert_string_equal(http_req_path(r), "/api/v1/x y");
	assert_string_equal(http_req_query(r, "q"), "a b");
	assert_string_equal(http_req_query(r, "empty"), "");
	assert_string_equal(http_req_query(r, "n"), "中");
	assert_null(http_req_query(r, "missing"));
	assert_string_equal(http_req_header(r, "x-two"), "2");
	assert_string_equal(http_req_cookie(r, "sid"), "abc");
	assert_string_equal(http_req_cookie(r, "theme"), "dark");
	assert_true(r->keep_alive);
	http__req_free(r);
	http__rx_free(&rx);
}

static void byte_at_a_time_gives_same_request(void **state)
{
	setup_limits(0, 0);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	const char *s = "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-Long-Header-Name: value "
			"here\r\n\r\nhello";
	size_t n = strlen(s), used;
	int r = HTTP_PARSE_MORE;
	for (size_t i = 0; i < n; i++) {
		r = http__parse_feed(&rx, s + i, 1, &used);
		assert_int_equal(used, 1);
		if (i + 1 < n)
			assert_int_equal(r, HTTP_PARSE_MORE);
	}
	assert_int_equal(r, HTTP_PARSE_DONE);
	struct http_req *req = http__rx_take(&rx);
	size_t blen;
	const char *body = http_req_body(req, &blen);
	assert_int_equal(blen, 5);
	assert_memory_equal(body, "hello", 5);
	assert_string_equal(http_req_header(req, "X-Long-Header-Name"), "value here");
	http__req_free(req);
	http__rx_free(&rx);
}

static void pipelined_requests_stop_at_each_end(void **state)
{
	setup_limits(0, 0);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	const char *s =
	    "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /c HTTP/1.0\r\n\r\n";
	size_t n = strlen(s), off = 0, used;
	const char *paths[] = {"/a", "/b", "/c"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(http__parse_feed(&rx, s + off, n - off, &used), HTTP_PARSE_DONE);
		off += used;
		struct http_req *r = http__rx_take(&rx);
		assert_string_equal(http_req_path(r), paths[i]);
		assert_int_equal(r->keep_alive, i < 2); /* HTTP/1.0 without keep-alive closes */
		http__req_free(r);
	}
	assert_int_equal(off, n);
	http__rx_free(&rx);
}

static void oversize_headers_give_431(void **state)
{
	setup_limits(256, 0);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	char s[1024];
	memset(s, 0, sizeof s);
	strcpy(s, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
	memset(s + strlen(s), 'a', 400);
	strcat(s, "\r\n\r\n");
	size_t used;
	assert_int_equal(http__parse_feed(&rx, s, strlen(s), &used), HTTP_PARSE_ERROR);
	assert_int_equal(rx.status, 431);
	http__rx_free(&rx);
}

static void content_length_over_limit_gives_413_before_body(void **state)
{
	setup_limits(0, 10);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	const char *s = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
	size_t used;
	assert_int_equal(http__parse_feed(&rx, s, strlen(s), &used), HTTP_PARSE_ERROR);
	assert_int_equal(rx.status, 413);
	http__rx_free(&rx);

	http__rx_init(&rx, &lim);
	const char *c = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
			"chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n";
	assert_int_equal(http__parse_feed(&rx, c, strlen(c), &used), HTTP_PARSE_ERROR);
	assert_int_equal(rx.status, 413);
	http__rx_free(&rx);
}

static void malformed_requests_give_400(void **state)
{
	setup_limits(0, 0);
	const char *bad[] = {
	    "GARBAGE\r\n\r\n",
	    "GET / HTTP/1.1\r\n\r\n", /* no Host */
	    "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", /* bad escape */
	    "GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n", /* encoded NUL */
	    "GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", /* short escape */
	    "GET noslash HTTP/1.1\r\nHost: h\r\n\r\n",
	    "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n",
	    "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_rx rx;
		http__rx_init(&rx, &lim);
		size_t used;
		int r = http__parse_feed(&rx, bad[i], strlen(bad[i]), &used);
		if (r != HTTP_PARSE_ERROR)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(rx.status, 400);
		http__rx_free(&rx);
	}
}

static void upgrade_and_absolute_form_are_understood(void **state)
{
	setup_limits(0, 0);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	const char *s =
	    "GET http://example.com/ws?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n\r\n\x81\x80";
	size_t used;
	struct http_req *r;
	assert_int_equal(parse(&rx, s, &used, &r), HTTP_PARSE_DONE);
	assert_int_equal(used, strlen(s) - 2); /* frame bytes after the request are left */
	assert_true(r->upgrade);
	assert_string_equal(http_req_path(r), "/ws");
	assert_string_equal(http_req_query(r, "x"), "1");
	http__req_free(r);
	http__rx_free(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_get_with_query_headers_and_cookies),
	    cmocka_unit_test(byte_at_a_time_gives_same_request),
	    cmocka_unit_test(pipelined_requests_stop_at_each_end),
	    cmocka_unit_test(oversize_headers_give_431),
	    cmocka_unit_test(content_length_over_limit_gives_413_before_body),
	    cmocka_unit_test(malformed_requests_give_400),
	    cmocka_unit_test(upgrade_and_absolute_form_are_understood),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
