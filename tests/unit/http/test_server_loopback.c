/* Loopback tests for src/http: a real server on 127.0.0.1 (port 0) on a uv loop in its own
 * thread, driven by plain blocking sockets from the test thread. Each test starts and stops its
 * own server and proves the loop closes clean (uv_loop_close == 0). */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/metrics.h"
#include "http/http.h"

/* ---- the server side: a small test application --------------------------------------------- */

#define FLOOD_MSG 8192 /* bytes per flood message */

struct app {
	uv_loop_t loop; /* the server's loop */
	uv_async_t stop_async; /* asks the loop thread to stop the server */
	uv_timer_t flood_timer; /* sends to the flooded connection */
	struct http_server *srv; /* the server */
	pthread_t thread; /* loop thread */
	int port; /* bound port */
	atomic_int ready; /* server started (1) or failed (-1) */
	atomic_int stopped; /* done callback ran */
	atomic_int ws_open; /* WebSockets accepted and not closed */
	atomic_int flood_done; /* flood hit the limit */
	int flood_rc; /* ws_send_text result that ended the flood */
	uint64_t flood_queued; /* out_bytes_queued when the flood ended */
	struct ws_conn *flood; /* connection being flooded */
	char static_dir[256]; /* temp directory with files */
	int loop_close_rc; /* uv_loop_close result */
};

static void h_hello(struct http_req *r, void *app)
{
	http_reply(r, 200, "text/plain", "hello", 5, NULL);
}

static void h_echo(struct http_req *r, void *app)
{
	size_t n;
	const char *b = http_req_body(r, &n);
	http_reply(r, 200, "application/octet-stream", b, n, NULL);
}

static void h_item(struct http_req *r, void *app)
{
	json_t *o = json_pack("{s:s}", "id", http_req_param(r, "id"));
	http_reply_json(r, 200, o, NULL);
}

static void h_secret(struct http_req *r, void *app)
{
	http_reply(r, 200, "text/plain", "secret", 6, NULL);
}

/* GET /ws without an upgrade reaches the route's handler. */
static void h_ws_plain(struct http_req *r, void *app)
{
	http_reply_error(r, 426, "upgrade_required", "WebSocket upgrade expected", NULL);
}

static bool perm_known(const char *perm, void *app)
{
	return strcmp(perm, "public") == 0 || strcmp(perm, "admin") == 0;
}

static int authorize(struct http_req *r, const char *perm, void *app)
{
	if (strcmp(perm, "public") == 0)
		return 0;
	const char *u = http_req_header(r, "X-User");
	if (!u)
		return -KEFU_EAUTH;
	return strcmp(u, "admin") == 0 ? 0 : -KEFU_EPERM;
}

static int ws_accept(struct http_req *r, void *appv, void **data)
{
	struct app *a = appv;
	if (http_req_query(r, "deny"))
		return -KEFU_EAUTH;
	*data = a;
	atomic_fetch_add(&a->ws_open, 1);
	return 0;
}

static void flood_cb(uv_timer_t *t)
{
	struct app *a = t->data;
	static char msg[FLOOD_MSG];
	memset(msg, 'x', sizeof msg);
	for (int i = 0; i < 32 && a->flood; i++) {
		int rc = ws_send_text(a->flood, msg, sizeof msg);
		if (rc) {
			struct http_stats st;
			http_server_stats(a->srv, &st);
			a->flood_rc = rc;
			a->flood_queued = st.out_bytes_queued;
			a->flood = NULL;
			uv_timer_stop(t);
			atomic_store(&a->flood_done, 1);
		}
	}
}

static void ws_message(struct ws_conn *c, void *data, const char *text, size_t len)
{
	struct app *a = data;
	if (len == 5 && memcmp(text, "flood", 5) == 0) {
		a->flood = c;
		uv_timer_start(&a->flood_timer, flood_cb, 1, 1);
		return;
	}
	ws_send_text(c, text, len);
}

static void ws_closed(struct ws_conn *c, void *data)
{
	struct app *a = data;
	if (a->flood == c) {
		a->flood = NULL;
		uv_timer_stop(&a->flood_timer);
	}
	atomic_fetch_sub(&a->ws_open, 1);
}

static const struct http_route routes[] = {
    {"GET", "/hello", "public", h_hello},    {"POST", "/echo", "public", h_echo},
    {"GET", "/items/:id", "public", h_item}, {"GET", "/secret", "admin", h_secret},
    {"GET", "/ws", "public", h_ws_plain}, /* the upgrade passes this route's permission gate */
};

static void stopped_cb(void *arg)
{
	struct app *a = arg;
	atomic_store(&a->stopped, 1);
}

static void close_noop_cb(uv_handle_t *h)
{
}

static void stop_async_cb(uv_async_t *h)
{
	struct app *a = h->data;
	http_server_stop(a->srv, stopped_cb, a);
	uv_close((uv_handle_t *)&a->stop_async, close_noop_cb);
	uv_close((uv_handle_t *)&a->flood_timer, close_noop_cb);
}

static void *loop_thread(void *arg)
{
	struct app *a = arg;
	uv_loop_init(&a->loop);
	uv_async_init(&a->loop, &a->stop_async, stop_async_cb);
	a->stop_async.data = a;
	uv_timer_init(&a->loop, &a->flood_timer);
	a->flood_timer.data = a;
	struct http_server_config cfg = {
	    .host = "127.0.0.1",
	    .port = 0,
	    .static_dir = a->static_dir,
	    .limits = {.max_header_bytes = 2048,
		       .max_body_bytes = 4096,
		       .max_ws_frame = 8192,
		       .ws_msgs_per_sec = 20,
		       .ws_burst = 10,
		       .max_out_bytes = 256 * 1024,
		       .idle_timeout_ms = 3000},
	    .routes = routes,
	    .nroutes = sizeof routes / sizeof routes[0],
	    .app = a,
	    .perm_known = perm_known,
	    .authorize = authorize,
	    .ws_path = "/ws",
	    .ws_accept = ws_accept,
	    .ws_message = ws_message,
	    .ws_closed = ws_closed,
	};
	struct kefu_err err;
	if (http_server_start(&a->loop, &cfg, &a->srv, &err) != 0) {
		atomic_store(&a->ready, -1);
		return NULL;
	}
	a->port = http_server_port(a->srv);
	atomic_store(&a->ready, 1);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	a->loop_close_rc = uv_loop_close(&a->loop);
	return NULL;
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static int setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	struct app *a = calloc(1, sizeof *a);
	char tmpl[] = "/tmp/kefu-http-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char p[512];
	snprintf(p, sizeof p, "%s/secret.txt", tmpl);
	write_file(p, "outside");
	snprintf(a->static_dir, sizeof a->static_dir, "%s/dist", tmpl);
	mkdir(a->static_dir, 0700);
	snprintf(p, sizeof p, "%s/index.html", a->static_dir);
	write_file(p, "<h1>kefu</h1>");
	snprintf(p, sizeof p, "%s/app.js", a->static_dir);
	write_file(p, "console.log(1)");
	pthread_create(&a->thread, NULL, loop_thread, a);
	while (atomic_load(&a->ready) == 0)
		usleep(1000);
	assert_int_equal(atomic_load(&a->ready), 1);
	*state = a;
	return 0;
}

static void stop_server(struct app *a)
{
	uv_async_send(&a->stop_async);
	pthread_join(a->thread, NULL);
}

static int teardown(void **state)
{
	struct app *a = *state;
	if (!atomic_load(&a->stopped))
		stop_server(a);
	assert_int_equal(atomic_load(&a->stopped), 1);
	assert_int_equal(a->loop_close_rc, 0);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strlen(a->static_dir) - 5), a->static_dir);
	assert_int_equal(system(cmd), 0);
	free(a);
	return 0;
}

/* ---- the client side: blocking sockets ---------------------------------------------------- */

static int dial(int port, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		assert_true(w > 0);
		c += w;
		n -= (size_t)w;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/* Reads exactly n bytes; returns false on EOF/error. */
static bool recv_n(int fd, void *p, size_t n)
{
	char *c = p;
	while (n) {
		ssize_t r = recv(fd, c, n, 0);
		if (r <= 0)
			return false;
		c += r;
		n -= (size_t)r;
	}
	return true;
}

struct resp {
	int status; /* HTTP status */
	char head[4096]; /* status line and headers */
	char body[8192]; /* body, NUL-terminated */
	size_t len; /* body bytes */
};

static bool read_resp_ex(int fd, struct resp *r, bool head);

/* Reads one response (Content-Length bodies). Returns false on EOF before a full response. */
static bool read_resp(int fd, struct resp *r)
{
	return read_resp_ex(fd, r, false);
}

/* head: the response to a HEAD request has no body whatever Content-Length says. */
static bool read_resp_ex(int fd, struct resp *r, bool head)
{
	memset(r, 0, sizeof *r);
	size_t h = 0;
	while (h < sizeof r->head - 1) {
		if (!recv_n(fd, r->head + h, 1))
			return false;
		h++;
		if (h >= 4 && memcmp(r->head + h - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	sscanf(r->head, "HTTP/1.1 %d", &r->status);
	const char *cl = strcasestr(r->head, "Content-Length:");
	r->len = cl && !head ? strtoul(cl + 15, NULL, 10) : 0;
	if (r->len >= sizeof r->body)
		return false;
	return recv_n(fd, r->body, r->len);
}

static struct resp *one_request(int port, const char *req)
{
	static struct resp r;
	int fd = dial(port, 0);
	send_str(fd, req);
	assert_true(read_resp(fd, &r));
	close(fd);
	return &r;
}

/* Sends a masked client frame. */
static void ws_send(int fd, int op, const void *payload, size_t n)
{
	uint8_t h[14];
	size_t hl = 2;
	h[0] = (uint8_t)(0x80 | op);
	if (n < 126) {
		h[1] = (uint8_t)(0x80 | n);
	} else if (n < 65536) {
		h[1] = 0x80 | 126;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	const uint8_t key[4] = {1, 2, 3, 4};
	memcpy(h + hl, key, 4);
	hl += 4;
	uint8_t *m = malloc(n + hl);
	memcpy(m, h, hl);
	for (size_t i = 0; i < n; i++)
		m[hl + i] = ((const uint8_t *)payload)[i] ^ key[i % 4];
	send_all(fd, m, n + hl);
	free(m);
}

/* Reads one server frame into out (cap bytes; the rest is discarded). Returns opcode or -1. */
static int ws_recv(int fd, char *out, size_t cap, size_t *len)
{
	uint8_t h[10];
	if (!recv_n(fd, h, 2))
		return -1;
	assert_int_equal(h[1] & 0x80, 0); /* server frames are unmasked */
	uint64_t n = h[1] & 0x7f;
	if (n == 126) {
		if (!recv_n(fd, h + 2, 2))
			return -1;
		n = ((uint64_t)h[2] << 8) | h[3];
	} else if (n == 127) {
		if (!recv_n(fd, h + 2, 8))
			return -1;
		n = 0;
		for (int i = 2; i < 10; i++)
			n = (n << 8) | h[i];
	}
	*len = (size_t)n;
	size_t got = 0;
	char junk[4096];
	while (got < n) {
		size_t want = n - got;
		char *dst = got < cap ? out + got : junk;
		size_t room = got < cap ? cap - got : sizeof junk;
		if (want > room)
			want = room;
		if (!recv_n(fd, dst, want))
			return -1;
		got += want;
	}
	return h[0] & 0x0f;
}

/* Reads frames until a close frame; returns its code (0 for none, -1 on EOF first). */
static int ws_wait_close(int fd, size_t *bytes_before)
{
	char buf[256];
	size_t len, total = 0;
	for (;;) {
		int op = ws_recv(fd, buf, sizeof buf, &len);
		if (op < 0)
			return -1;
		if (op == 8) {
			if (bytes_before)
				*bytes_before = total;
			return len >= 2 ? ((uint8_t)buf[0] << 8) | (uint8_t)buf[1] : 0;
		}
		total += len;
	}
}

static int ws_dial(int port, int rcvbuf)
{
	int fd = dial(port, rcvbuf);
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	char req[512];
	snprintf(req, sizeof req,
		 "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
		 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		 key);
	send_str(fd, req);
	struct resp r;
	assert_true(read_resp(fd, &r));
	assert_int_equal(r.status, 101);
	/* RFC 6455 §1.3 example value */
	assert_non_null(strstr(r.head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
	return fd;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void get_route_returns_200(void **state)
{
	struct app *a = *state;
	struct resp *r = one_request(a->port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "hello");
	r = one_request(a->port, "GET /items/a%20b HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "{\"id\":\"a b\"}");
}

static void keep_alive_and_pipelining_share_one_socket(void **state)
{
	struct app *a = *state;
	int fd = dial(a->port, 0);
	struct resp r;
	send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(read_resp(fd, &r));
	assert_int_equal(r.status, 200);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
	assert_true(read_resp(fd, &r));
	assert_string_equal(r.body, "abc");
	/* three pipelined requests in one write come back in order */
	send_str(fd,
		 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1"
		 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n2"
		 "GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_true(read_resp(fd, &r));
	assert_string_equal(r.body, "1");
	assert_true(read_resp(fd, &r));
	assert_string_equal(r.body, "2");
	assert_true(read_resp(fd, &r));
	assert_string_equal(r.body, "{\"id\":\"3\"}");
	assert_non_null(strstr(r.head, "Connection: close"));
	assert_false(read_resp(fd, &r)); /* closed after Connection: close */
	close(fd);
}

static void limits_give_431_413_400(void **state)
{
	struct app *a = *state;
	char big[4096];
	snprintf(big, sizeof big, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: %03000d\r\n\r\n", 7);
	struct resp *r = one_request(a->port, big);
	assert_int_equal(r->status, 431);
	assert_non_null(strstr(r->body, "\"error\""));

	int fd = dial(a->port, 0);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
	static char body[5000];
	send_all(fd, body, sizeof body);
	struct resp rr;
	assert_true(read_resp(fd, &rr));
	assert_int_equal(rr.status, 413);
	assert_non_null(strstr(rr.head, "Connection: close"));
	close(fd);

	r = one_request(a->port, "BLAH\r\n\r\n");
	assert_int_equal(r->status, 400);
	r = one_request(a->port, "GET /hello HTTP/1.1\r\n\r\n"); /* no Host */
	assert_int_equal(r->status, 400);
}

static void unknown_404_wrong_method_405_denied_401_403(void **state)
{
	struct app *a = *state;
	struct resp *r =
	    one_request(a->port, "POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "\"code\":\"not_found\""));
	r = one_request(a->port, "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 405);
	assert_non_null(strstr(r->head, "Allow: GET\r\n"));
	r = one_request(a->port, "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 401);
	assert_non_null(strstr(r->head, "application/json"));
	assert_non_null(strstr(r->body, "\"code\":\"unauthenticated\""));
	r = one_request(a->port, "GET /secret HTTP/1.1\r\nHost: x\r\nX-User: bob\r\n\r\n");
	assert_int_equal(r->status, 403);
	assert_non_null(strstr(r->body, "\"code\":\"forbidden\""));
	r = one_request(a->port, "GET /secret HTTP/1.1\r\nHost: x\r\nX-User: admin\r\n\r\n");
	assert_int_equal(r->status, 200);
}

static void static_files_are_served_and_traversal_refused(void **state)
{
	struct app *a = *state;
	struct resp *r = one_request(a->port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "<h1>kefu</h1>");
	assert_non_null(strstr(r->head, "text/html"));
	assert_non_null(strstr(r->head, "Cache-Control: no-cache"));
	r = one_request(a->port, "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->head, "text/javascript"));
	int fd = dial(a->port, 0);
	send_str(fd, "HEAD /app.js HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	struct resp hr;
	assert_true(read_resp_ex(fd, &hr, true));
	assert_int_equal(hr.status, 200);
	assert_non_null(strstr(hr.head, "Content-Length: 14"));
	assert_true(read_resp(fd, &hr)); /* no body bytes were sent for HEAD */
	assert_string_equal(hr.body, "hello");
	close(fd);
	r = one_request(a->port, "GET /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_not_equal(r->status, 200);
	r = one_request(a->port, "GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_not_equal(r->status, 200);
	r = one_request(a->port, "GET /..%5csecret.txt HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_not_equal(r->status, 200);
	r = one_request(a->port, "GET /missing.css HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "\"error\""));
}

static void websocket_echoes_masked_text(void **state)
{
	struct app *a = *state;
	int fd = ws_dial(a->port, 0);
	char buf[256];
	size_t len;
	ws_send(fd, 1, "你好 kefu", strlen("你好 kefu"));
	assert_int_equal(ws_recv(fd, buf, sizeof buf, &len), 1);
	assert_int_equal(len, strlen("你好 kefu"));
	assert_memory_equal(buf, "你好 kefu", len);
	ws_send(fd, 9, "pp", 2);
	assert_int_equal(ws_recv(fd, buf, sizeof buf, &len), 10);
	assert_memory_equal(buf, "pp", 2);
	ws_send(fd, 8, "\x03\xe8", 2);
	assert_int_equal(ws_wait_close(fd, NULL), 1000);
	close(fd);

	/* refused by ws_accept, wrong version */
	struct resp *r = one_request(a->port,
				     "GET /ws?deny=1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
				     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				     "Sec-WebSocket-Version: 13\r\n\r\n");
	assert_int_equal(r->status, 401);
	r = one_request(a->port,
			"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
	assert_int_equal(r->status, 426);
	assert_non_null(strstr(r->head, "Sec-WebSocket-Version: 13"));
}

static void websocket_bad_utf8_1007_and_oversize_1009(void **state)
{
	struct app *a = *state;
	int fd = ws_dial(a->port, 0);
	ws_send(fd, 1, "\xc3\x28", 2);
	assert_int_equal(ws_wait_close(fd, NULL), 1007);
	close(fd);

	fd = ws_dial(a->port, 0);
	static char big[9000];
	memset(big, 'a', sizeof big);
	ws_send(fd, 1, big, sizeof big);
	assert_int_equal(ws_wait_close(fd, NULL), 1009);
	close(fd);

	fd = ws_dial(a->port, 0);
	ws_send(fd, 2, "bin", 3);
	assert_int_equal(ws_wait_close(fd, NULL), 1003);
	close(fd);
}

static void websocket_rate_limit_1008_spares_other_connections(void **state)
{
	struct app *a = *state;
	int noisy = ws_dial(a->port, 0);
	int calm = ws_dial(a->port, 0);
	for (int i = 0; i < 40; i++)
		ws_send(noisy, 1, "spam", 4);
	assert_int_equal(ws_wait_close(noisy, NULL), 1008);
	close(noisy);
	char buf[64];
	size_t len;
	ws_send(calm, 1, "still here", 10);
	assert_int_equal(ws_recv(calm, buf, sizeof buf, &len), 1);
	assert_memory_equal(buf, "still here", 10);
	close(calm);
}

static void websocket_slow_consumer_closed_with_1013(void **state)
{
	struct app *a = *state;
	int slow = ws_dial(a->port, 4096);
	ws_send(slow, 1, "flood", 5);
	for (int i = 0; i < 10000 && !atomic_load(&a->flood_done); i++)
		usleep(1000);
	assert_int_equal(atomic_load(&a->flood_done), 1);
	assert_int_equal(a->flood_rc, -KEFU_ELIMIT);
	/* dropped on the limit: only the write in flight and the close frame remain */
	assert_true(a->flood_queued <= 256 * 1024 + 64);
	size_t before = 0;
	assert_int_equal(ws_wait_close(slow, &before), 1013);
	close(slow);
}

static void stop_closes_everything_and_loop_ends_clean(void **state)
{
	struct app *a = *state;
	int ws = ws_dial(a->port, 0);
	int idle = dial(a->port, 0);
	struct resp r;
	send_str(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(read_resp(idle, &r));
	stop_server(a); /* returns once uv_run returned */
	assert_int_equal(atomic_load(&a->stopped), 1);
	assert_int_equal(a->loop_close_rc, 0);
	assert_int_equal(atomic_load(&a->ws_open), 0);
	assert_int_equal(ws_wait_close(ws, NULL), 1001);
	assert_false(read_resp(idle, &r));
	close(ws);
	close(idle);
}

static void idle_websocket_memory_is_small(void **state)
{
	struct app *a = *state;
	enum { N = 200 };
	static int fds[N];
	struct mallinfo2 before = mallinfo2();
	for (int i = 0; i < N; i++)
		fds[i] = ws_dial(a->port, 0);
	/* the 101 arrived, so every connection is upgraded; one echo proves the loop is idle again */
	char buf[8];
	size_t len;
	ws_send(fds[N - 1], 1, "x", 1);
	assert_int_equal(ws_recv(fds[N - 1], buf, sizeof buf, &len), 1);
	struct mallinfo2 after = mallinfo2();
	if (after.uordblks > before.uordblks && before.uordblks) {
		size_t per = (after.uordblks - before.uordblks) / N;
		print_message("user-space heap per idle WebSocket connection: %zu bytes\n", per);
		assert_true(per <= 4096);
	} else {
		print_message("mallinfo2 not available in this build (sanitizer allocator)\n");
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(get_route_returns_200, setup, teardown),
	    cmocka_unit_test_setup_teardown(keep_alive_and_pipelining_share_one_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(limits_give_431_413_400, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_404_wrong_method_405_denied_401_403, setup, teardown),
	    cmocka_unit_test_setup_teardown(static_files_are_served_and_traversal_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(websocket_echoes_masked_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(websocket_bad_utf8_1007_and_oversize_1009, setup, teardown),
	    cmocka_unit_test_setup_teardown(websocket_rate_limit_1008_spares_other_connections, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(websocket_slow_consumer_closed_with_1013, setup, teardown),
	    cmocka_unit_test_setup_teardown(stop_closes_everything_and_loop_ends_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(idle_websocket_memory_is_small, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
