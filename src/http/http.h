/* http.h — the HTTP/1.1 + WebSocket server on a libuv loop (http_parser for requests, wslay for
 * frames). Owns sockets, parsing, limits, keep-alive, static files from a directory, routing by
 * method + path pattern, and the deny-by-default permission gate (every route names a
 * permission; the application's authorize hook decides). Knows nothing about customer service.
 *
 * Threading: everything runs on the loop thread given to http_server_start(); no function here
 * is thread-safe. Memory: request data is owned by the server and valid until the request is
 * answered (http_reply*). */
#ifndef KEFU_HTTP_HTTP_H
#define KEFU_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/err.h"

struct http_server;
struct http_req;
struct ws_conn;

/* Limits; going past one gives the documented error and never affects other clients
 * (docs/operations.md). Zero fields take the defaults in brackets. */
struct http_limits {
	size_t max_header_bytes; /* request line + headers [16384] → 431 and close */
	size_t max_body_bytes; /* request body [1 MiB] → 413 and close */
	size_t max_ws_frame; /* one WebSocket message [65536] → close 1009 */
	double ws_msgs_per_sec; /* sustained inbound WS messages per connection [50] … */
	double ws_burst; /* … with this burst [100] → close 1008 "rate limit" */
	size_t max_out_bytes; /* unsent bytes queued to one client [4 MiB] → close 1013 (slow consumer) */
	int idle_timeout_ms; /* keep-alive HTTP idle [30000]; WebSocket idle without ping [120000] */
	int max_conns; /* open connections [100000] → new ones closed at once */
};

typedef void (*http_handler_fn)(struct http_req *req, void *app);

/* One route. Path patterns are literal segments and ":name" parameters, e.g.
 * "/api/v1/sessions/:id/close". */
struct http_route {
	const char *method; /* "GET", "POST", … */
	const char *pattern; /* path pattern */
	const char *perm; /* permission name; NULL makes http_server_start() refuse */
	http_handler_fn fn;
};

struct http_server_config {
	const char *host; /* listen address, e.g. "127.0.0.1" */
	int port; /* 0 = pick a free port (see http_server_port) */
	const char *static_dir; /* files served for GET paths no route matches; NULL = none */
	struct http_limits limits;
	const struct http_route *routes;
	size_t nroutes;
	void *app; /* passed to every hook and handler */

	/* Is perm a permission the application knows? A route naming an unknown permission makes
	 * http_server_start() refuse. */
	bool (*perm_known)(const char *perm, void *app);
	/* Called before a route's handler: 0 = allowed, -KEFU_EAUTH (→ 401) or -KEFU_EPERM (→ 403).
	 * May attach the principal with http_req_set_user(). */
	int (*authorize)(struct http_req *req, const char *perm, void *app);

	/* WebSocket: GET ws_path with a valid Upgrade is offered to ws_accept before the handshake
	 * completes; return 0 and set *conn_data to accept, or a negative code to refuse (the
	 * client gets the matching HTTP error). ws_path must also be a GET route: its permission
	 * is authorized first (deny by default), and its handler answers a GET without Upgrade.
	 * http_server_start() refuses a ws_path without that route. */
	const char *ws_path;
	int (*ws_accept)(struct http_req *req, void *app, void **conn_data);
	/* One complete, UTF-8-valid text message (binary messages close with 1003). */
	void (*ws_message)(struct ws_conn *c, void *conn_data, const char *text, size_t len);
	/* The connection is gone (either side); c is invalid after return. */
	void (*ws_closed)(struct ws_conn *c, void *conn_data);
};

/* Binds, listens and starts serving on loop. Refuses (-KEFU_EINVAL, err names the route) when a
 * route has no permission or an unknown one. Returns 0 and *out, or a negative code. */
int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg, struct http_server **out,
		      struct kefu_err *err);
/* The port actually bound. */
int http_server_port(const struct http_server *s);
/* Graceful stop: stop accepting, finish queued writes (bounded by a 5 s timeout), close every
 * connection (WebSockets with 1001), then call done(arg) on the loop thread and free s. */
void http_server_stop(struct http_server *s, void (*done)(void *arg), void *arg);

/* Counters for /metrics. */
struct http_stats {
	uint64_t conns_open; /* currently open TCP connections */
	uint64_t ws_open; /* currently open WebSockets */
	uint64_t requests; /* HTTP requests handled */
	uint64_t ws_in, ws_out; /* WebSocket messages received / sent */
	uint64_t limit_hits; /* requests or connections stopped by a limit */
	uint64_t out_bytes_queued; /* bytes waiting in write queues */
};
void http_server_stats(const struct http_server *s, struct http_stats *out);

/* ---- requests ----------------------------------------------------------------------------- */

const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r); /* decoded path, no query */
/* Route parameter by name (":id"), NULL if absent. Percent-decoded. */
const char *http_req_param(const struct http_req *r, const char *name);
/* Query parameter, NULL if absent. Percent-decoded. */
const char *http_req_query(const struct http_req *r, const char *name);
/* Header by case-insensitive name, NULL if absent. */
const char *http_req_header(const struct http_req *r, const char *name);
/* Cookie value by name from the Cookie header, NULL if absent. Borrowed until reply. */
const char *http_req_cookie(const struct http_req *r, const char *name);
const char *http_req_body(const struct http_req *r, size_t *len);
/* Peer IP as text ("127.0.0.1"). */
const char *http_req_remote(const struct http_req *r);
void http_req_set_user(struct http_req *r, void *user, void (*free_user)(void *));
void *http_req_user(const struct http_req *r);

/* ---- replies: exactly one per request; after it, r is invalid. Safe to call after the client
 * went away (the reply is dropped). A handler may keep r and reply later, on the loop thread. */

/* extra_headers: NULL or "Name: value\r\n…" lines. Copies body. */
void http_reply(struct http_req *r, int status, const char *content_type, const char *body, size_t len,
		const char *extra_headers);
/* Serialises body (takes ownership of the reference) as application/json. */
void http_reply_json(struct http_req *r, int status, json_t *body, const char *extra_headers);
/* {"error":{"code":code,"message":msg,"field":field}} with status. field may be NULL. */
void http_reply_error(struct http_req *r, int status, const char *code, const char *msg, const char *field);
/* The HTTP status for a kefu error code (EINVAL→400, EAUTH→401, EPERM→403, ENOTFOUND→404,
 * EEXIST/ECONFLICT→409, ELIMIT→429, else 500). */
int http_status_for(int kefu_code);

/* ---- WebSocket connections ---------------------------------------------------------------- */

/* A frame built once and shared across connections (reference counted). */
struct ws_frame;
struct ws_frame *ws_frame_text(const char *text, size_t len); /* refcount 1; caller releases */
void ws_frame_release(struct ws_frame *f);

/* Queue a text message. Returns 0, or -KEFU_ECLOSED (connection closing), or -KEFU_ELIMIT when
 * the queued output passed max_out_bytes (the connection is then closed with 1013). */
int ws_send_text(struct ws_conn *c, const char *text, size_t len);
int ws_send_frame(struct ws_conn *c, struct ws_frame *f); /* takes its own reference */
/* Starts the close handshake with code and reason; ws_closed follows. */
void ws_close(struct ws_conn *c, uint16_t code, const char *reason);
void *ws_conn_data(const struct ws_conn *c);
const char *ws_conn_remote(const struct ws_conn *c);

#endif
