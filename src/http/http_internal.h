/* http_internal.h — what the files of src/http share and nothing outside src/http may include:
 * the request representation (request.c), the connection and server (server.c), the router
 * (router.c), static files (static.c) and the WebSocket frame reader (ws.c). Parser-level pieces
 * (http__parse_feed, ws__rx_feed) work without sockets so unit tests and fuzzers can drive them.
 * Never thread-safe: everything here runs on the server's loop thread. */
#ifndef KEFU_HTTP_HTTP_INTERNAL_H
#define KEFU_HTTP_HTTP_INTERNAL_H

#include <http_parser.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <wslay/wslay.h>

#include "base/buf.h"
#include "http/http.h"

/* Defaults for zero fields of struct http_limits (documented in http.h). */
#define HTTP_DEF_MAX_HEADER (16u * 1024)
#define HTTP_DEF_MAX_BODY (1024u * 1024)
#define HTTP_DEF_MAX_WS_FRAME (64u * 1024)
#define HTTP_DEF_WS_RATE 50.0
#define HTTP_DEF_WS_BURST 100.0
#define HTTP_DEF_MAX_OUT (4u * 1024 * 1024)
#define HTTP_DEF_IDLE_MS 30000
#define HTTP_DEF_MAX_CONNS 100000
#define HTTP_WS_IDLE_FACTOR 4 /* WebSocket idle = 4 × idle_timeout_ms (120 s by default) */
#define HTTP_LINGER_MS 2000 /* drain after an error reply / close frame before closing */
#define HTTP_STOP_TIMEOUT_MS 5000 /* http_server_stop: longest wait for queued writes */
#define HTTP_READ_BUF (64u * 1024) /* the one shared read buffer per server */
#define HTTP_MAX_PARAMS 16 /* ":name" segments in one route pattern */

/* Fills every zero field of out from in with its default. */
void http__limits_resolve(const struct http_limits *in, struct http_limits *out);

/* ---- requests (request.c) ----------------------------------------------------------------- */

enum http_kv_kind { HTTP_KV_QUERY, HTTP_KV_PARAM, HTTP_KV_COOKIE };

struct http_hdr {
	uint32_t name; /* offset of the NUL-terminated name in req->store */
	uint32_t value; /* offset of the NUL-terminated value in req->store */
};

struct http_kv {
	uint32_t key; /* offset of the decoded key in req->store */
	uint32_t value; /* offset of the decoded value in req->store */
	uint8_t kind; /* enum http_kv_kind */
};

struct http_conn;

/* One request. store only grows while parsing and routing; once a handler sees the request no
 * more bytes are appended, so pointers into it stay valid until the reply. */
struct http_req {
	struct http_conn *conn; /* owning connection; NULL once the client went away */
	struct buf store; /* bytes: raw URL, header names/values, decoded strings, NUL-separated */
	uint32_t url; /* offset of the raw request target in store */
	uint32_t path; /* offset of the decoded path */
	uint32_t raw_path; /* offset of the raw (still percent-encoded) path */
	struct http_hdr *hdrs; /* headers in arrival order */
	uint32_t nhdrs; /* headers used */
	uint32_t caphdrs; /* headers allocated */
	struct http_kv *kv; /* query, route and cookie parameters */
	uint32_t nkv; /* entries used */
	uint32_t capkv; /* entries allocated */
	struct buf body; /* request body bytes */
	char method[16]; /* "GET", … */
	char remote[48]; /* peer IP as text */
	void *user; /* principal from http_req_set_user(); owned through free_user */
	void (*free_user)(void *); /* frees user with the request; may be NULL */
	bool keep_alive; /* connection stays open after the reply */
	bool upgrade; /* the client asked for a protocol upgrade */
	bool head; /* HEAD request: reply without body */
	bool expect_continue; /* "Expect: 100-continue" was sent */
	uint8_t http_major; /* HTTP version, major */
	uint8_t http_minor; /* HTTP version, minor */
};

/* Parser state for one connection, usable without a socket. */
struct http_rx {
	http_parser parser; /* http_parser state; parser.data points to this rx */
	const struct http_limits *lim; /* borrowed resolved limits */
	struct http_req *req; /* request being parsed; NULL between requests */
	size_t header_bytes; /* bytes of request line + headers so far */
	int status; /* HTTP status to answer after a parse error, else 0 */
	uint8_t hstate; /* 0 in URL, 1 in header name, 2 in header value */
	bool done; /* a request completed; parser is paused */
	bool send_continue; /* headers asked for "100 Continue"; the connection sends it */
	char remote[48]; /* peer IP copied into each request */
};

enum { HTTP_PARSE_MORE = 0, HTTP_PARSE_DONE = 1, HTTP_PARSE_ERROR = -1 };

void http__rx_init(struct http_rx *rx, const struct http_limits *resolved);
void http__rx_free(struct http_rx *rx);
/* Feeds bytes. Returns HTTP_PARSE_MORE (all consumed, need more), HTTP_PARSE_DONE (a request
 * completed after *used bytes; take it with http__rx_take) or HTTP_PARSE_ERROR (rx->status holds
 * 400, 413 or 431; the connection must be answered and closed). */
int http__parse_feed(struct http_rx *rx, const char *data, size_t len, size_t *used);
/* Detaches the completed request and unpauses the parser; caller frees with http__req_free(). */
struct http_req *http__rx_take(struct http_rx *rx);
void http__req_free(struct http_req *r);
/* Appends a NUL-terminated copy of s[0..n) to r->store; returns its offset. */
uint32_t http__store(struct http_req *r, const char *s, size_t n);
/* Percent-decodes s[0..n) into r->store (plus_space: '+' means ' '). Returns the offset, or -1
 * for a bad escape or an encoded NUL. */
int64_t http__store_decoded(struct http_req *r, const char *s, size_t n, bool plus_space);
void http__req_add_kv(struct http_req *r, uint8_t kind, uint32_t key, uint32_t value);

/* ---- router (router.c) -------------------------------------------------------------------- */

/* Start-up check: every route has a method, a pattern starting with '/', a valid perm that
 * perm_known accepts, and a handler. Returns 0 or -KEFU_EINVAL with err naming "METHOD pattern". */
int http__router_check(const struct http_server_config *cfg, struct kefu_err *err);
/* Finds the route for req (HEAD matches GET routes) and stores its ":name" parameters. Returns the
 * route, or NULL with *status 404 (no such path) or 405 (allow holds "GET, POST"). */
const struct http_route *http__router_match(const struct http_route *routes, size_t n, struct http_req *req,
					    int *status, char *allow, size_t allow_cap);
/* Routes a complete request: WebSocket path, route (authorize, handler), static file, 404/405. */
void http__dispatch(struct http_server *s, struct http_req *req);

/* http_reply_error with extra header lines ("Name: value\r\n…", may be NULL). */
void http__reply_error_ex(struct http_req *r, int status, const char *code, const char *msg,
			  const char *field, const char *extra_headers);

/* ---- static files (static.c) -------------------------------------------------------------- */

/* Serves req from dir (GET/HEAD only). Always replies. */
void http__static_serve(const char *dir, struct http_req *req);
/* Content type for a file name by extension; "application/octet-stream" when unknown. */
const char *http__content_type(const char *name);

/* ---- WebSocket frames (ws.c) -------------------------------------------------------------- */

/* Shared per server (per loop): the wslay frame context and the scratch buffer for large
 * messages. wslay's context embeds a 4 KB input buffer, so one per connection would break the
 * ≤ 4 KB idle-connection budget; it is only ever handed complete frames and so is idle between
 * frames and can be shared. */
struct ws_rx_env {
	wslay_frame_context_ptr fctx; /* wslay decoder, idle between frames */
	const uint8_t *src; /* bytes of the frame being decoded (recv callback source) */
	size_t src_len; /* bytes left in src */
	struct buf scratch; /* payload of one large unfragmented frame, reused */
	const struct http_limits *lim; /* borrowed resolved limits */
};

/* Per-connection receive state; empty buffers hold no memory. */
struct ws_rx {
	struct buf pending; /* bytes of a partly received frame; freed when it completes */
	struct buf msg; /* fragments of a text message being reassembled; freed when complete */
	bool in_msg; /* a fragmented message is in progress */
	bool stop; /* set by the owner to stop processing (connection closing) */
	double tokens; /* rate-limit bucket, messages */
	uint64_t last_ms; /* loop time of the last bucket refill, ms */
};

struct ws_rx_ops {
	/* A complete, valid UTF-8 text message; borrowed for the call. */
	void (*message)(void *arg, const char *text, size_t len);
	/* ping (9) or pong (10) with its payload. */
	void (*control)(void *arg, int opcode, const uint8_t *payload, size_t len);
	/* The peer's close frame: code (0 when none) and reason. */
	void (*peer_close)(void *arg, uint16_t code, const char *reason, size_t len);
};

int ws__rx_env_init(struct ws_rx_env *env, const struct http_limits *resolved);
void ws__rx_env_free(struct ws_rx_env *env);
void ws__rx_init(struct ws_rx *rx, const struct http_limits *resolved, uint64_t now_ms);
void ws__rx_free(struct ws_rx *rx);
/* Feeds received bytes. Returns 0, or the close code to close with (1002 protocol, 1003
 * binary, 1007 bad UTF-8, 1008 rate limit, 1009 too big). Leftover partial frames are kept in
 * rx->pending. now_ms drives the rate limiter. */
int ws__rx_feed(struct ws_rx_env *env, struct ws_rx *rx, const uint8_t *data, size_t len, uint64_t now_ms,
		const struct ws_rx_ops *ops, void *arg);
/* Writes a server frame header (FIN set, unmasked) for opcode and payload length into h (≥ 10
 * bytes). Returns its length. */
size_t ws__frame_header(uint8_t *h, int opcode, uint64_t len);

/* ---- connections and server (server.c) ---------------------------------------------------- */

struct ws_conn {
	struct http_conn *conn; /* the connection carrying this WebSocket */
	void *data; /* conn_data from ws_accept */
	struct ws_rx rx; /* frame reader state */
	bool closing; /* a close frame was queued; sends return -KEFU_ECLOSED */
};

/* Queues bytes on the connection's output and marks it for the next flush. */
void http__conn_queue(struct http_conn *c, const void *p, size_t n);
/* Bytes queued on the connection but not yet written by the kernel. */
size_t http__conn_queued(const struct http_conn *c);
/* Closes after the queued output is written (lingering close). */
void http__conn_close_after_write(struct http_conn *c);
/* Discards queued output that was not yet handed to the kernel (slow consumer). */
void http__conn_drop_output(struct http_conn *c);
/* Peer IP text of the connection. */
const char *http__conn_remote(const struct http_conn *c);
/* Upgrade: queues the 101 response resp, frees req, and turns its connection into a WebSocket
 * with conn_data; bytes already received after the request are fed to the frame reader. */
void http__conn_upgrade(struct http_req *req, void *conn_data, const char *resp, size_t resp_len);
struct http_server *http__conn_server(const struct http_conn *c);
const struct http_server_config *http__server_config(const struct http_server *s);
const struct http_limits *http__server_limits(const struct http_server *s);
/* Counts a limit hit on the server and the metric. */
void http__limit_hit(struct http_server *s);
/* The WebSocket handshake for a request on ws_path (ws.c). Always answers req. */
void http__ws_handshake(struct http_server *s, struct http_req *req);
/* Called by ws.c when a message was queued / received (stats and metrics). */
void http__count_ws_out(struct http_server *s);
void http__count_ws_in(struct http_server *s);
struct ws_rx_env *http__server_ws_env(struct http_server *s);
/* WebSocket side of a connection (ws.c). */
struct ws_conn *http__ws_new(struct http_conn *c, void *data, uint64_t now_ms);
void http__ws_free(struct ws_conn *w);
void http__ws_on_read(struct ws_conn *w, const char *data, size_t len, uint64_t now_ms);
/* Starts the close handshake with 1001 (server stopping, idle). */
void http__ws_going_away(struct ws_conn *w, const char *reason);

#endif
