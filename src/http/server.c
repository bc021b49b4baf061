/* server.c — the listening socket and every connection on one libuv loop: accept (max_conns),
 * one shared read buffer, sequential request handling (reading pauses while a request awaits
 * its reply, so pipelining is safe), keep-alive, timeouts from one sweep timer, the write queue
 * (bytes are appended to a per-connection buffer and flushed once per loop iteration from
 * uv_prepare/uv_check with uv_try_write, the rest through one uv_write), lingering close,
 * graceful stop, replies, stats and metrics. Never parses HTTP or frames itself (request.c,
 * ws.c) and never frees a connection outside its close callback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "http/http_internal.h"

#define HTTP_BACKLOG 4096 /* listen() backlog */
#define HTTP_CLOSE_FLUSH_MS 5000 /* longest wait for output before a close, ms */
#define HTTP_KEEP_BUF 16384 /* output buffers above this capacity are freed when empty, bytes */

struct http_conn {
	uv_tcp_t tcp; /* the socket; the struct is freed in its close callback */
	struct http_server *srv; /* owning server */
	struct http_conn *prev, *next; /* the server's list of open connections */
	struct http_conn *dirty_next; /* link in the server's flush list */
	struct http_rx rx; /* HTTP parser state; rx.remote is the peer IP */
	struct http_req *req; /* request awaiting its reply, NULL if none */
	struct ws_conn *ws; /* WebSocket state after the upgrade, else NULL */
	struct buf in; /* received bytes not parsed yet (pipelined requests) */
	struct buf out; /* bytes queued, not yet handed to libuv */
	struct buf wbuf; /* bytes of the uv_write in flight */
	uv_write_t wreq; /* the one write in flight */
	uv_shutdown_t sreq; /* shutdown(SHUT_WR) of a lingering close */
	uint64_t last_ms; /* loop time of the last bytes received, ms */
	uint64_t req_start_ms; /* loop time the current request's first bytes arrived, ms */
	uint64_t deadline_ms; /* close at this loop time when closing gracefully, ms */
	bool dirty; /* on the flush list */
	bool writing; /* wreq in flight */
	bool reading; /* uv_read_start active */
	bool in_request; /* bytes of an incomplete request were received */
	bool resume; /* replied: parse the next request once output drains */
	bool close_after_write; /* close once out and wbuf are written */
	bool draining; /* FIN sent; discarding input until EOF or deadline */
	bool closing; /* uv_close called */
};

struct http_server {
	uv_loop_t *loop; /* the loop everything runs on */
	struct http_server_config cfg; /* copy; routes and strings stay borrowed */
	struct http_limits lim; /* cfg.limits with defaults filled in */
	uv_tcp_t listener; /* listening socket */
	uv_timer_t sweep; /* timeouts of every connection */
	uv_timer_t stop_timer; /* bounds a graceful stop */
	uv_prepare_t prepare; /* flushes output queued before polling */
	uv_check_t check; /* flushes output queued while polling */
	uv_idle_t idle; /* keeps poll from blocking while flush work remains */
	struct http_conn *conns; /* open connections */
	struct http_conn *dirty; /* connections to flush */
	char *rbuf; /* the one read buffer, HTTP_READ_BUF bytes */
	struct ws_rx_env ws_env; /* shared WebSocket decoder */
	struct http_stats stats; /* counters (out_bytes_queued computed on demand) */
	uint64_t nconns; /* connections in conns */
	int port; /* bound port */
	int handles; /* server handles not yet closed */
	bool stopping; /* http_server_stop was called */
	bool finishing; /* the server's own handles are closing */
	bool listener_closed; /* uv_close called on listener */
	void (*done)(void *); /* stop completion */
	void *done_arg; /* its argument */
	time_t date_sec; /* second of date */
	char date[40]; /* cached Date header value */
};

static struct {
	struct metric *requests, *conns, *ws, *ws_in, *ws_out, *limits;
} M;

static void register_metrics(void)
{
	M.requests = metric_counter("kefu_http_requests_total", "HTTP requests handled");
	M.conns = metric_gauge("kefu_http_connections", "open TCP connections");
	M.ws = metric_gauge("kefu_ws_connections", "open WebSocket connections");
	M.ws_in = metric_counter("kefu_ws_messages_in_total", "WebSocket messages received");
	M.ws_out = metric_counter("kefu_ws_messages_out_total", "WebSocket messages queued to clients");
	M.limits = metric_counter("kefu_http_limit_hits_total", "requests or connections stopped by a limit");
}

static void conn_close(struct http_conn *c);
static void conn_flush(struct http_conn *c);
static void http_feed(struct http_conn *c, const char *data, size_t n);
static void server_maybe_finish(struct http_server *s);

/* ---- small accessors used by the other files ---------------------------------------------- */

struct http_server *http__conn_server(const struct http_conn *c)
{
	return c->srv;
}

const struct http_server_config *http__server_config(const struct http_server *s)
{
	return &s->cfg;
}

const struct http_limits *http__server_limits(const struct http_server *s)
{
	return &s->lim;
}

struct ws_rx_env *http__server_ws_env(struct http_server *s)
{
	return &s->ws_env;
}

const char *http__conn_remote(const struct http_conn *c)
{
	return c->rx.remote;
}

void http__limit_hit(struct http_server *s)
{
	s->stats.limit_hits++;
	metric_add(M.limits, 1);
}

void http__count_ws_out(struct http_server *s)
{
	s->stats.ws_out++;
	metric_add(M.ws_out, 1);
}

void http__count_ws_in(struct http_server *s)
{
	s->stats.ws_in++;
	metric_add(M.ws_in, 1);
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

/* ---- output ------------------------------------------------------------------------------- */

static void mark_dirty(struct http_conn *c)
{
	if (c->dirty || c->closing)
		return;
	c->dirty = true;
	c->dirty_next = c->srv->dirty;
	c->srv->dirty = c;
}

void http__conn_queue(struct http_conn *c, const void *p, size_t n)
{
	if (c->closing)
		return;
	buf_append(&c->out, p, n);
	mark_dirty(c);
}

size_t http__conn_queued(const struct http_conn *c)
{
	return c->out.len + c->wbuf.len;
}

void http__conn_drop_output(struct http_conn *c)
{
	buf_free(&c->out);
}

void http__conn_close_after_write(struct http_conn *c)
{
	if (c->close_after_write || c->closing)
		return;
	c->close_after_write = true;
	c->deadline_ms = uv_now(c->srv->loop) + HTTP_CLOSE_FLUSH_MS;
	mark_dirty(c);
}

static void conn_read_start(struct http_conn *c);

static void shutdown_cb(uv_shutdown_t *req, int status)
{
	struct http_conn *c = req->data;
	if (status < 0 && !c->closing)
		conn_close(c);
}

/* Output written: send FIN and read until the peer closes, so unread input does not turn our
 * last bytes into a reset (lingering close). */
static void conn_linger(struct http_conn *c)
{
	if (c->draining || c->closing)
		return;
	c->draining = true;
	c->deadline_ms = uv_now(c->srv->loop) + HTTP_LINGER_MS;
	c->sreq.data = c;
	if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, shutdown_cb) != 0) {
		conn_close(c);
		return;
	}
	conn_read_start(c);
}

static void write_cb(uv_write_t *req, int status)
{
	struct http_conn *c = req->data;
	c->writing = false;
	if (c->wbuf.cap > HTTP_KEEP_BUF)
		buf_free(&c->wbuf);
	else
		buf_reset(&c->wbuf);
	if (status < 0) {
		if (!c->closing)
			conn_close(c);
		return;
	}
	mark_dirty(c);
}

static void conn_resume(struct http_conn *c)
{
	c->resume = false;
	if (c->in.len) {
		struct buf tmp = c->in;
		buf_init(&c->in);
		http_feed(c, tmp.data, tmp.len);
		buf_free(&tmp);
		if (c->req || c->closing || c->close_after_write)
			return;
	}
	conn_read_start(c);
}

static void conn_flush(struct http_conn *c)
{
	if (c->closing)
		return;
	if (!c->writing && c->out.len) {
		uv_buf_t b = uv_buf_init(c->out.data, (unsigned)c->out.len);
		int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
		if (r == UV_EAGAIN || r == UV_ENOSYS)
			r = 0;
		if (r < 0) {
			conn_close(c);
			return;
		}
		if ((size_t)r == c->out.len) {
			if (c->out.cap > HTTP_KEEP_BUF)
				buf_free(&c->out);
			else
				buf_reset(&c->out);
		} else {
			buf_consume(&c->out, (size_t)r);
			struct buf t = c->wbuf; /* empty: no write in flight */
			c->wbuf = c->out;
			c->out = t;
			b = uv_buf_init(c->wbuf.data, (unsigned)c->wbuf.len);
			c->wreq.data = c;
			if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, write_cb) != 0) {
				conn_close(c);
				return;
			}
			c->writing = true;
		}
	}
	if (c->close_after_write) {
		if (!c->writing && !c->out.len)
			conn_linger(c);
		return;
	}
	if (c->resume && !c->req && http__conn_queued(c) <= c->srv->lim.max_out_bytes)
		conn_resume(c);
}

static void idle_cb(uv_idle_t *h)
{
	struct http_server *s = h->data;
	if (!s->dirty)
		uv_idle_stop(h);
}

static void flush_all(struct http_server *s)
{
	struct http_conn *c = s->dirty;
	s->dirty = NULL;
	while (c) {
		struct http_conn *next = c->dirty_next;
		c->dirty = false;
		conn_flush(c);
		c = next;
	}
	/* Work queued during the flush (a pipelined request answered at once) runs next
	 * iteration; idle keeps the loop from blocking in poll until then. */
	if (s->dirty && !s->finishing)
		uv_idle_start(&s->idle, idle_cb);
}

static void prepare_cb(uv_prepare_t *h)
{
	flush_all(h->data);
}

static void check_cb(uv_check_t *h)
{
	flush_all(h->data);
}

/* ---- replies ------------------------------------------------------------------------------ */

static const char *status_text(int st)
{
	switch (st) {
	case 100:
		return "Continue";
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 426:
		return "Upgrade Required";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

static const char *date_now(struct http_server *s)
{
	time_t now = time(NULL);
	if (now != s->date_sec) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(s->date, sizeof s->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		s->date_sec = now;
	}
	return s->date;
}

static void conn_write_response(struct http_conn *c, int status, const char *ctype, const char *body,
				size_t len, const char *extra, bool keep_alive, bool head)
{
	struct buf *o = &c->out;
	bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
	buf_printf(o, "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: %s\r\n", status, status_text(status),
		   date_now(c->srv), keep_alive ? "keep-alive" : "close");
	if (!no_body)
		buf_printf(o,
			   "Content-Type: %s\r\nContent-Length: %zu\r\nX-Content-Type-Options: nosniff\r\n",
			   ctype ? ctype : "application/octet-stream", len);
	if (extra)
		buf_puts(o, extra);
	buf_puts(o, "\r\n");
	if (!head && !no_body && len)
		buf_append(o, body, len);
	mark_dirty(c);
}

void http_reply(struct http_req *r, int status, const char *content_type, const char *body, size_t len,
		const char *extra_headers)
{
	struct http_conn *c = r->conn;
	if (c && !c->closing) {
		bool ka = r->keep_alive && !c->srv->stopping;
		conn_write_response(c, status, content_type, body, len, extra_headers, ka, r->head);
		c->req = NULL;
		if (ka) {
			c->resume = true;
			mark_dirty(c);
		} else {
			http__conn_close_after_write(c);
		}
	} else if (c) {
		c->req = NULL;
	}
	http__req_free(r);
}

void http_reply_json(struct http_req *r, int status, json_t *body, const char *extra_headers)
{
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!s) {
		http_reply(r, 500, "application/json",
			   "{\"error\":{\"code\":\"internal\",\"message\":\"encoding\"}}",
			   sizeof "{\"error\":{\"code\":\"internal\",\"message\":\"encoding\"}}" - 1, NULL);
		return;
	}
	http_reply(r, status, "application/json", s, strlen(s), extra_headers);
	free(s);
}

static char *error_body(const char *code, const char *msg, const char *field)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code ? code : "error"));
	json_object_set_new(e, "message", json_string(msg ? msg : ""));
	if (field)
		json_object_set_new(e, "field", json_string(field));
	json_t *o = json_object();
	json_object_set_new(o, "error", e);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s ? s : xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"\"}}");
}

void http__reply_error_ex(struct http_req *r, int status, const char *code, const char *msg,
			  const char *field, const char *extra_headers)
{
	char *s = error_body(code, msg, field);
	http_reply(r, status, "application/json", s, strlen(s), extra_headers);
	free(s);
}

void http_reply_error(struct http_req *r, int status, const char *code, const char *msg, const char *field)
{
	http__reply_error_ex(r, status, code, msg, field, NULL);
}

int http_status_for(int kefu_code)
{
	if (kefu_code < 0)
		kefu_code = -kefu_code;
	switch (kefu_code) {
	case KEFU_OK:
		return 200;
	case KEFU_EINVAL:
		return 400;
	case KEFU_EAUTH:
		return 401;
	case KEFU_EPERM:
		return 403;
	case KEFU_ENOTFOUND:
		return 404;
	case KEFU_EEXIST:
	case KEFU_ECONFLICT:
		return 409;
	case KEFU_ELIMIT:
		return 429;
	default:
		return 500;
	}
}

/* A request that cannot be parsed: answer with the JSON error and close. */
static void conn_http_error(struct http_conn *c, int status)
{
	const char *code =
	    status == 413 || status == 431 ? kefu_strerror(KEFU_ELIMIT) : kefu_strerror(KEFU_EINVAL);
	const char *msg = status == 413 ? "request body too large"
	    : status == 431		? "request headers too large"
	    : status == 408		? "request timeout"
					: "malformed request";
	if (status == 413 || status == 431)
		http__limit_hit(c->srv);
	char *s = error_body(code, msg, NULL);
	conn_write_response(c, status, "application/json", s, strlen(s), NULL, false, false);
	free(s);
	http__rx_free(&c->rx);
	c->in_request = false;
	http__conn_close_after_write(c);
}

/* ---- reading ------------------------------------------------------------------------------ */

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct http_conn *c = h->data;
	/* libuv calls read_cb right after, so one buffer serves every connection of the loop. */
	*b = uv_buf_init(c->srv->rbuf, HTTP_READ_BUF);
}

static void conn_read_stop(struct http_conn *c)
{
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
	}
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b);

static void conn_read_start(struct http_conn *c)
{
	if (!c->reading && !c->closing) {
		if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
			conn_close(c);
			return;
		}
		c->reading = true;
	}
}

static void http_feed(struct http_conn *c, const char *data, size_t n)
{
	struct http_server *s = c->srv;
	while (n) {
		if (s->stopping) {
			conn_close(c);
			return;
		}
		if (!c->in_request) {
			c->in_request = true;
			c->req_start_ms = uv_now(s->loop);
		}
		size_t used;
		int r = http__parse_feed(&c->rx, data, n, &used);
		if (c->rx.send_continue) {
			c->rx.send_continue = false;
			if (r != HTTP_PARSE_ERROR)
				http__conn_queue(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		}
		if (r == HTTP_PARSE_MORE)
			return;
		if (r == HTTP_PARSE_ERROR) {
			conn_read_stop(c);
			conn_http_error(c, c->rx.status);
			return;
		}
		data += used;
		n -= used;
		if (n)
			buf_append(&c->in, data, n);
		c->in_request = false;
		struct http_req *req = http__rx_take(&c->rx);
		req->conn = c;
		c->req = req;
		conn_read_stop(c);
		s->stats.requests++;
		metric_add(M.requests, 1);
		http__dispatch(s, req);
		return;
	}
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct http_conn *c = st->data;
	if (n == 0 || c->closing)
		return;
	if (n < 0) {
		/* Peer done sending. A reply still owed or queued is delivered first. */
		if (n == UV_EOF && !c->draining && !c->ws && (c->req || http__conn_queued(c))) {
			conn_read_stop(c);
			if (!c->req)
				http__conn_close_after_write(c);
			else
				c->req->keep_alive = false;
			return;
		}
		conn_close(c);
		return;
	}
	c->last_ms = uv_now(c->srv->loop);
	if (c->draining)
		return;
	if (c->ws) {
		http__ws_on_read(c->ws, b->base, (size_t)n, c->last_ms);
		return;
	}
	if (c->req || c->close_after_write) {
		/* Cannot happen while reading is paused; keep the bytes in order if it does. */
		buf_append(&c->in, b->base, (size_t)n);
		return;
	}
	http_feed(c, b->base, (size_t)n);
}

void http__conn_upgrade(struct http_req *req, void *conn_data, const char *resp, size_t resp_len)
{
	struct http_conn *c = req->conn;
	struct http_server *s = c->srv;
	http__conn_queue(c, resp, resp_len);
	c->req = NULL;
	http__req_free(req);
	c->ws = http__ws_new(c, conn_data, uv_now(s->loop));
	c->last_ms = uv_now(s->loop);
	s->stats.ws_open++;
	metric_add(M.ws, 1);
	if (c->in.len) {
		struct buf tmp = c->in;
		buf_init(&c->in);
		http__ws_on_read(c->ws, tmp.data, tmp.len, c->last_ms);
		buf_free(&tmp);
	}
	conn_read_start(c);
}

/* ---- connection lifetime ------------------------------------------------------------------ */

static void conn_close_cb(uv_handle_t *h)
{
	struct http_conn *c = h->data;
	struct http_server *s = c->srv;
	if (c->dirty) {
		struct http_conn **pp = &s->dirty;
		while (*pp && *pp != c)
			pp = &(*pp)->dirty_next;
		if (*pp)
			*pp = c->dirty_next;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	s->stats.conns_open--;
	metric_add(M.conns, -1);
	if (c->ws) {
		if (s->cfg.ws_closed)
			s->cfg.ws_closed(c->ws, c->ws->data);
		http__ws_free(c->ws);
		s->stats.ws_open--;
		metric_add(M.ws, -1);
	}
	http__rx_free(&c->rx);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->wbuf);
	free(c);
	server_maybe_finish(s);
}

/* Closes now, dropping queued output. The struct lives until conn_close_cb. */
static void conn_close(struct http_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->reading = false;
	if (c->ws) {
		c->ws->closing = true;
		c->ws->rx.stop = true;
	}
	if (c->req) {
		c->req->conn = NULL; /* a late reply is dropped */
		c->req = NULL;
	}
	uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

static void reject_close_cb(uv_handle_t *h)
{
	free(h);
}

static void on_connection(uv_stream_t *ls, int status)
{
	struct http_server *s = ls->data;
	if (status < 0)
		return;
	if (s->stopping || s->nconns >= (uint64_t)s->lim.max_conns) {
		uv_tcp_t *t = xmalloc(sizeof *t);
		uv_tcp_init(s->loop, t);
		uv_accept(ls, (uv_stream_t *)t);
		uv_close((uv_handle_t *)t, reject_close_cb);
		if (!s->stopping)
			http__limit_hit(s);
		return;
	}
	struct http_conn *c = xcalloc(1, sizeof *c);
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	http__rx_init(&c->rx, &s->lim);
	buf_init(&c->in);
	buf_init(&c->out);
	buf_init(&c->wbuf);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	s->stats.conns_open++;
	metric_add(M.conns, 1);
	c->last_ms = uv_now(s->loop);
	if (uv_accept(ls, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			uv_ip4_name((struct sockaddr_in *)&ss, c->rx.remote, sizeof c->rx.remote);
		else if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, c->rx.remote, sizeof c->rx.remote);
	}
	conn_read_start(c);
}

/* ---- timeouts ----------------------------------------------------------------------------- */

static void sweep_cb(uv_timer_t *t)
{
	struct http_server *s = t->data;
	uint64_t now = uv_now(s->loop);
	uint64_t idle = (uint64_t)s->lim.idle_timeout_ms;
	for (struct http_conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->closing)
			continue;
		if ((c->draining || c->close_after_write) && now >= c->deadline_ms) {
			conn_close(c);
		} else if (c->close_after_write || c->draining) {
			continue;
		} else if (c->ws) {
			if (now - c->last_ms >= idle * HTTP_WS_IDLE_FACTOR)
				http__ws_going_away(c->ws, "idle timeout");
		} else if (c->req) {
			continue; /* the application owes a reply */
		} else if (c->in_request ? now - c->req_start_ms >= idle : now - c->last_ms >= idle) {
			conn_close(c);
		}
	}
}

/* ---- start and stop ----------------------------------------------------------------------- */

static int make_listener(const char *host, int port, int *fd_out, struct kefu_err *err)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sl;
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) == 0) {
		sl = sizeof(struct sockaddr_in);
	} else if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) == 0) {
		sl = sizeof(struct sockaddr_in6);
	} else {
		return KEFU_ERR(err, KEFU_EINVAL, "host", "listen address \"%s\" is not an IP address", host);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return KEFU_ERR(err, KEFU_EIO, "host", "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* One loop per core, each with its own listener on the same port (DESIGN §3). */
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, HTTP_BACKLOG) != 0) {
		int e = errno;
		close(fd);
		return KEFU_ERR(err, KEFU_EIO, "port", "cannot listen on %s:%d: %s", host, port, strerror(e));
	}
	*fd_out = fd;
	return 0;
}

int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg, struct http_server **out,
		      struct kefu_err *err)
{
	*out = NULL;
	int rc = http__router_check(cfg, err);
	if (rc)
		return rc;
	if (cfg->ws_path && (!cfg->ws_accept || cfg->ws_path[0] != '/'))
		return KEFU_ERR(err, KEFU_EINVAL, "ws_path",
				"ws_path needs a leading '/' and a ws_accept hook");
	int fd = -1;
	rc = make_listener(cfg->host ? cfg->host : "127.0.0.1", cfg->port, &fd, err);
	if (rc)
		return rc;
	register_metrics();
	struct http_server *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->cfg = *cfg;
	http__limits_resolve(&cfg->limits, &s->lim);
	s->rbuf = xmalloc(HTTP_READ_BUF);
	if (ws__rx_env_init(&s->ws_env, &s->lim) != 0)
		abort(); /* small fixed allocation */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						: ((struct sockaddr_in6 *)&ss)->sin6_port);

	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	uv_timer_init(loop, &s->sweep);
	s->sweep.data = s;
	uv_timer_init(loop, &s->stop_timer);
	s->stop_timer.data = s;
	uv_prepare_init(loop, &s->prepare);
	s->prepare.data = s;
	uv_check_init(loop, &s->check);
	s->check.data = s;
	uv_idle_init(loop, &s->idle);
	s->idle.data = s;
	s->handles = 6;
	int e = uv_tcp_open(&s->listener, fd);
	if (e)
		close(fd); /* not owned by the handle */
	else
		e = uv_listen((uv_stream_t *)&s->listener, HTTP_BACKLOG, on_connection);
	if (e) {
		s->stopping = true;
		server_maybe_finish(s); /* frees s from the close callbacks */
		return KEFU_ERR(err, KEFU_EIO, "port", "listen: %s", uv_strerror(e));
	}
	uv_prepare_start(&s->prepare, prepare_cb);
	uv_check_start(&s->check, check_cb);
	uint64_t every = (uint64_t)s->lim.idle_timeout_ms / 4;
	if (every > 1000)
		every = 1000;
	if (every < 10)
		every = 10;
	uv_timer_start(&s->sweep, sweep_cb, every, every);
	*out = s;
	return 0;
}

static void handle_closed_cb(uv_handle_t *h)
{
	struct http_server *s = h->data;
	if (--s->handles > 0)
		return;
	void (*done)(void *) = s->done;
	void *arg = s->done_arg;
	ws__rx_env_free(&s->ws_env);
	free(s->rbuf);
	free(s);
	if (done)
		done(arg);
}

static void server_maybe_finish(struct http_server *s)
{
	if (!s->stopping || s->finishing || s->conns)
		return;
	s->finishing = true;
	if (!s->listener_closed)
		uv_close((uv_handle_t *)&s->listener, handle_closed_cb);
	s->listener_closed = true;
	uv_close((uv_handle_t *)&s->sweep, handle_closed_cb);
	uv_close((uv_handle_t *)&s->stop_timer, handle_closed_cb);
	uv_close((uv_handle_t *)&s->prepare, handle_closed_cb);
	uv_close((uv_handle_t *)&s->check, handle_closed_cb);
	uv_close((uv_handle_t *)&s->idle, handle_closed_cb);
}

static void stop_timer_cb(uv_timer_t *t)
{
	struct http_server *s = t->data;
	for (struct http_conn *c = s->conns; c; c = c->next)
		conn_close(c);
}

void http_server_stop(struct http_server *s, void (*done)(void *arg), void *arg)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->done = done;
	s->done_arg = arg;
	s->listener_closed = true; /* stop accepting */
	uv_close((uv_handle_t *)&s->listener, handle_closed_cb);
	for (struct http_conn *c = s->conns; c; c = c->next) {
		if (c->closing)
			continue;
		if (c->ws) {
			http__ws_going_away(c->ws, "server stopping");
		} else if (c->req) {
			conn_close(c); /* the pending reply is dropped */
		} else if (http__conn_queued(c)) {
			http__conn_close_after_write(c);
		} else if (!c->close_after_write && !c->draining) {
			conn_close(c);
		}
	}
	uv_timer_start(&s->stop_timer, stop_timer_cb, HTTP_STOP_TIMEOUT_MS, 0);
	server_maybe_finish(s);
}

void http_server_stats(const struct http_server *s, struct http_stats *out)
{
	*out = s->stats;
	uint64_t q = 0;
	for (const struct http_conn *c = s->conns; c; c = c->next)
		q += http__conn_queued(c);
	out->out_bytes_queued = q;
}
