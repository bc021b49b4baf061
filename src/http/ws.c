/* ws.c — WebSocket (RFC 6455) on top of a server connection: the upgrade handshake (SHA-1 +
 * base64 from libcrypto), the frame reader (header checks here, decoding and unmasking by wslay's
 * frame API through one context shared per server), message reassembly with the size limit,
 * UTF-8 check, per-connection rate limit, ping/pong and the close handshake, and the send side
 * (server frames are unmasked; a broadcast frame is built once and its bytes copied per socket).
 * Never parses HTTP and never owns a socket: server.c does. Frames belong to their creator and
 * are shared by reference count. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "http/http_internal.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_OP_CONT 0x0
#define WS_OP_TEXT 0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE 0x8
#define WS_OP_PING 0x9
#define WS_OP_PONG 0xa
#define WS_MAX_CONTROL 125 /* control payload limit, bytes (RFC 6455 §5.5) */

/* ---- frame reader ------------------------------------------------------------------------- */

static ssize_t env_recv_cb(uint8_t *buf, size_t len, int flags, void *user)
{
	struct ws_rx_env *env = user;
	size_t n = len < env->src_len ? len : env->src_len;
	if (n == 0)
		return -1; /* wslay turns this into WSLAY_ERR_WANT_READ */
	memcpy(buf, env->src, n);
	env->src += n;
	env->src_len -= n;
	return (ssize_t)n;
}

static ssize_t env_send_cb(const uint8_t *data, size_t len, int flags, void *user)
{
	return -1; /* the shared context only decodes */
}

static int env_genmask_cb(uint8_t *buf, size_t len, void *user)
{
	memset(buf, 0, len);
	return 0;
}

static const struct wslay_frame_callbacks env_callbacks = {env_send_cb, env_recv_cb, env_genmask_cb};

int ws__rx_env_init(struct ws_rx_env *env, const struct http_limits *resolved)
{
	memset(env, 0, sizeof *env);
	buf_init(&env->scratch);
	env->lim = resolved;
	if (wslay_frame_context_init(&env->fctx, &env_callbacks, env) != 0)
		return -KEFU_ENOMEM;
	return 0;
}

void ws__rx_env_free(struct ws_rx_env *env)
{
	if (env->fctx)
		wslay_frame_context_free(env->fctx);
	env->fctx = NULL;
	buf_free(&env->scratch);
}

/* Brings the shared decoder back to its idle state after a failure. */
static void env_reset(struct ws_rx_env *env)
{
	wslay_frame_context_free(env->fctx);
	env->fctx = NULL;
	if (wslay_frame_context_init(&env->fctx, &env_callbacks, env) != 0)
		abort(); /* small fixed allocation: out of memory is fatal (STYLE 6) */
}

void ws__rx_init(struct ws_rx *rx, const struct http_limits *resolved, uint64_t now_ms)
{
	memset(rx, 0, sizeof *rx);
	buf_init(&rx->pending);
	buf_init(&rx->msg);
	rx->tokens = resolved->ws_burst;
	rx->last_ms = now_ms;
}

void ws__rx_free(struct ws_rx *rx)
{
	buf_free(&rx->pending);
	buf_free(&rx->msg);
}

/* Looks at a frame header. Returns 0 with *hlen (header incl. mask key) and *plen when complete,
 * 1 with *need (bytes needed to learn more) when short, or the close code for a bad header. */
static int frame_peek(const struct http_limits *lim, const uint8_t *p, size_t n, size_t *hlen, uint64_t *plen,
		      size_t *need)
{
	if (n < 2) {
		*need = 2;
		return 1;
	}
	int fin = p[0] >> 7, op = p[0] & 0x0f;
	if (p[0] & 0x70)
		return 1002; /* no extension negotiated: RSV bits must be 0 */
	if (!(p[1] & 0x80))
		return 1002; /* client frames must be masked */
	if (!(op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG)))
		return 1002;
	uint64_t len = p[1] & 0x7f;
	size_t h = 2;
	if (op >= WS_OP_CLOSE && (len > WS_MAX_CONTROL || !fin))
		return 1002;
	if (len == 126) {
		if (n < 4) {
			*need = 4;
			return 1;
		}
		len = ((uint64_t)p[2] << 8) | p[3];
		if (len < 126)
			return 1002; /* not the shortest encoding */
		h = 4;
	} else if (len == 127) {
		if (n < 10) {
			*need = 10;
			return 1;
		}
		len = 0;
		for (int i = 2; i < 10; i++)
			len = (len << 8) | p[i];
		if (len < 65536 || (len >> 63))
			return 1002;
		h = 10;
	}
	if (len > lim->max_ws_frame)
		return 1009;
	*hlen = h + 4;
	*plen = len;
	return 0;
}

/* Token bucket: one token per frame received. */
static bool rate_ok(const struct http_limits *lim, struct ws_rx *rx, uint64_t now_ms)
{
	if (now_ms > rx->last_ms) {
		rx->tokens += (double)(now_ms - rx->last_ms) * lim->ws_msgs_per_sec / 1000.0;
		if (rx->tokens > lim->ws_burst)
			rx->tokens = lim->ws_burst;
		rx->last_ms = now_ms;
	}
	if (rx->tokens < 1.0)
		return false;
	rx->tokens -= 1.0;
	return true;
}

static bool close_code_ok(unsigned code)
{
	if (code >= 3000 && code <= 4999)
		return true;
	return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

/* Decodes one complete frame (all total bytes present) and acts on it. Returns 0 or a close code. */
static int frame_process(struct ws_rx_env *env, struct ws_rx *rx, const uint8_t *frame, size_t total,
			 uint64_t plen, const struct ws_rx_ops *ops, void *arg)
{
	int fin = frame[0] >> 7, op = frame[0] & 0x0f;
	env->src = frame;
	env->src_len = total;
	const uint8_t *payload = NULL;
	uint64_t got = 0;
	buf_reset(&env->scratch);
	do {
		struct wslay_frame_iocb io;
		ssize_t r = wslay_frame_recv(env->fctx, &io);
		if (r < 0) {
			env_reset(env);
			return 1002;
		}
		if (got == 0 && (uint64_t)r == plen) {
			payload = io.data; /* whole payload in one piece: no copy */
		} else {
			buf_append(&env->scratch, io.data, (size_t)r);
			payload = (const uint8_t *)env->scratch.data;
		}
		got += (uint64_t)r;
	} while (got < plen);
	if (env->src_len != 0) { /* cannot happen: wslay consumed less than the frame */
		env_reset(env);
		return 1002;
	}
	if (!payload)
		payload = (const uint8_t *)"";
	size_t len = (size_t)plen;

	switch (op) {
	case WS_OP_CLOSE: {
		if (len == 1)
			return 1002;
		uint16_t code = len >= 2 ? (uint16_t)((payload[0] << 8) | payload[1]) : 0;
		if (len >= 2 && !close_code_ok(code))
			return 1002;
		const char *reason = len > 2 ? (const char *)payload + 2 : "";
		size_t rlen = len > 2 ? len - 2 : 0;
		if (!utf8_valid(reason, rlen, NULL))
			return 1007;
		ops->peer_close(arg, code, reason, rlen);
		return 0;
	}
	case WS_OP_PING:
	case WS_OP_PONG:
		ops->control(arg, op, payload, len);
		return 0;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (rx->in_msg)
			return 1002; /* a new message inside a fragmented one */
		if (op == WS_OP_BINARY)
			return 1003;
		if (fin) {
			if (!utf8_valid((const char *)payload, len, NULL))
				return 1007;
			ops->message(arg, (const char *)payload, len);
			return 0;
		}
		rx->in_msg = true;
		buf_append(&rx->msg, payload, len);
		return 0;
	default: /* continuation */
		if (!rx->in_msg)
			return 1002;
		if (rx->msg.len + len > env->lim->max_ws_frame)
			return 1009;
		buf_append(&rx->msg, payload, len);
		if (!fin)
			return 0;
		rx->in_msg = false;
		if (!utf8_valid(rx->msg.data, rx->msg.len, NULL))
			return 1007;
		ops->message(arg, rx->msg.data, rx->msg.len);
		buf_free(&rx->msg);
		return 0;
	}
}

int ws__rx_feed(struct ws_rx_env *env, struct ws_rx *rx, const uint8_t *data, size_t len, uint64_t now_ms,
		const struct ws_rx_ops *ops, void *arg)
{
	const struct http_limits *lim = env->lim;
	size_t hlen, need;
	uint64_t plen;
	int rc;
	/* Complete a frame started in an earlier read, taking only the bytes it needs. */
	while (rx->pending.len && len && !rx->stop) {
		rc = frame_peek(lim, (const uint8_t *)rx->pending.data, rx->pending.len, &hlen, &plen, &need);
		if (rc > 1)
			return rc;
		size_t target = rc == 0 ? hlen + (size_t)plen : need;
		size_t take = target - rx->pending.len < len ? target - rx->pending.len : len;
		buf_append(&rx->pending, data, take);
		data += take;
		len -= take;
		if (rc == 0 && rx->pending.len == target) {
			if (!rate_ok(lim, rx, now_ms))
				return 1008;
			rc =
			    frame_process(env, rx, (const uint8_t *)rx->pending.data, target, plen, ops, arg);
			buf_free(&rx->pending);
			if (rc)
				return rc;
		}
	}
	/* Whole frames straight from the (shared) read buffer; a partial tail is kept. */
	while (len && !rx->stop) {
		rc = frame_peek(lim, data, len, &hlen, &plen, &need);
		if (rc > 1)
			return rc;
		if (rc == 1 || hlen + plen > len) {
			buf_append(&rx->pending, data, len);
			break;
		}
		if (!rate_ok(lim, rx, now_ms))
			return 1008;
		size_t total = hlen + (size_t)plen;
		rc = frame_process(env, rx, data, total, plen, ops, arg);
		if (rc)
			return rc;
		data += total;
		len -= total;
	}
	return 0;
}

size_t ws__frame_header(uint8_t *h, int opcode, uint64_t len)
{
	h[0] = (uint8_t)(0x80 | (opcode & 0x0f));
	if (len < 126) {
		h[1] = (uint8_t)len;
		return 2;
	}
	if (len < 65536) {
		h[1] = 126;
		h[2] = (uint8_t)(len >> 8);
		h[3] = (uint8_t)len;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

/* ---- frames and sending ------------------------------------------------------------------- */

struct ws_frame {
	atomic_int refs; /* references; the last release frees */
	size_t len; /* bytes of the complete frame */
	uint8_t bytes[]; /* header + payload as sent on the wire */
};

struct ws_frame *ws_frame_text(const char *text, size_t len)
{
	struct ws_frame *f = xmalloc(sizeof *f + 10 + len);
	atomic_init(&f->refs, 1);
	size_t h = ws__frame_header(f->bytes, WS_OP_TEXT, len);
	memcpy(f->bytes + h, text, len);
	f->len = h + len;
	return f;
}

void ws_frame_release(struct ws_frame *f)
{
	if (f && atomic_fetch_sub(&f->refs, 1) == 1)
		free(f);
}

/* Queues a close frame and closes the connection once it is written. drop: discard queued
 * output first (slow consumer). */
static void ws_close_ex(struct ws_conn *w, uint16_t code, const char *reason, bool drop)
{
	if (w->closing)
		return;
	w->closing = true;
	w->rx.stop = true;
	if (drop)
		http__conn_drop_output(w->conn);
	uint8_t f[2 + 2 + WS_MAX_CONTROL];
	size_t rlen = reason ? strlen(reason) : 0;
	if (rlen > WS_MAX_CONTROL - 2)
		rlen = WS_MAX_CONTROL - 2;
	size_t plen = code ? 2 + rlen : 0;
	size_t h = ws__frame_header(f, WS_OP_CLOSE, plen);
	if (code) {
		f[h] = (uint8_t)(code >> 8);
		f[h + 1] = (uint8_t)code;
		memcpy(f + h + 2, reason, rlen);
	}
	http__conn_queue(w->conn, f, h + plen);
	http__conn_close_after_write(w->conn);
}

void ws_close(struct ws_conn *c, uint16_t code, const char *reason)
{
	ws_close_ex(c, code, reason, false);
}

static int after_queue(struct ws_conn *c)
{
	struct http_server *s = http__conn_server(c->conn);
	http__count_ws_out(s);
	if (http__conn_queued(c->conn) > http__server_limits(s)->max_out_bytes) {
		http__limit_hit(s);
		ws_close_ex(c, 1013, "slow consumer", true);
		return -KEFU_ELIMIT;
	}
	return 0;
}

int ws_send_text(struct ws_conn *c, const char *text, size_t len)
{
	if (c->closing)
		return -KEFU_ECLOSED;
	uint8_t h[10];
	size_t hl = ws__frame_header(h, WS_OP_TEXT, len);
	http__conn_queue(c->conn, h, hl);
	http__conn_queue(c->conn, text, len);
	return after_queue(c);
}

int ws_send_frame(struct ws_conn *c, struct ws_frame *f)
{
	/* The bytes are copied into the connection's output, so no reference outlives this call. */
	if (c->closing)
		return -KEFU_ECLOSED;
	http__conn_queue(c->conn, f->bytes, f->len);
	return after_queue(c);
}

void *ws_conn_data(const struct ws_conn *c)
{
	return c->data;
}

const char *ws_conn_remote(const struct ws_conn *c)
{
	return http__conn_remote(c->conn);
}

/* ---- connection glue ---------------------------------------------------------------------- */

static void on_message(void *arg, const char *text, size_t len)
{
	struct ws_conn *w = arg;
	struct http_server *s = http__conn_server(w->conn);
	const struct http_server_config *cfg = http__server_config(s);
	http__count_ws_in(s);
	if (cfg->ws_message)
		cfg->ws_message(w, w->data, text, len);
}

static void on_control(void *arg, int opcode, const uint8_t *payload, size_t len)
{
	struct ws_conn *w = arg;
	if (opcode != WS_OP_PING || w->closing)
		return;
	uint8_t h[10];
	size_t hl = ws__frame_header(h, WS_OP_PONG, len);
	http__conn_queue(w->conn, h, hl);
	http__conn_queue(w->conn, payload, len);
}

static void on_peer_close(void *arg, uint16_t code, const char *reason, size_t len)
{
	struct ws_conn *w = arg;
	ws_close_ex(w, code, "", false); /* echo the code (none → empty close frame) */
}

static const struct ws_rx_ops conn_ops = {on_message, on_control, on_peer_close};

static const char *close_reason(int code)
{
	switch (code) {
	case 1002:
		return "protocol error";
	case 1003:
		return "binary messages not supported";
	case 1007:
		return "invalid utf-8";
	case 1008:
		return "rate limit";
	case 1009:
		return "message too big";
	default:
		return "";
	}
}

void http__ws_on_read(struct ws_conn *w, const char *data, size_t len, uint64_t now_ms)
{
	if (w->closing)
		return; /* discard what follows our close frame */
	struct http_server *s = http__conn_server(w->conn);
	int rc =
	    ws__rx_feed(http__server_ws_env(s), &w->rx, (const uint8_t *)data, len, now_ms, &conn_ops, w);
	if (rc) {
		if (rc == 1008 || rc == 1009)
			http__limit_hit(s);
		ws_close_ex(w, (uint16_t)rc, close_reason(rc), false);
	}
}

void http__ws_going_away(struct ws_conn *w, const char *reason)
{
	ws_close_ex(w, 1001, reason, false);
}

/* ---- handshake ---------------------------------------------------------------------------- */

/* Does the comma-separated header value hold token (case-insensitive)? */
static bool has_token(const char *v, const char *token)
{
	size_t tl = strlen(token);
	while (v && *v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		size_t n = strcspn(v, ",");
		size_t e = n;
		while (e && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e == tl && strncasecmp(v, token, tl) == 0)
			return true;
		v += n;
	}
	return false;
}

/* Sec-WebSocket-Accept for key: base64(SHA-1(key + GUID)); out holds ≥ 29 bytes. */
static int accept_key(const char *key, char *out)
{
	char in[64 + sizeof WS_GUID];
	size_t kl = strlen(key);
	if (kl > 64)
		return -1;
	memcpy(in, key, kl);
	memcpy(in + kl, WS_GUID, sizeof WS_GUID - 1);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(in, kl + sizeof WS_GUID - 1, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return 0;
}

/* The key must be base64 of 16 bytes (RFC 6455 §4.1). */
static bool key_valid(const char *key)
{
	if (!key || strlen(key) != 24 || key[22] != '=' || key[23] != '=')
		return false;
	unsigned char raw[24];
	return EVP_DecodeBlock(raw, (const unsigned char *)key, 24) == 18;
}

void http__ws_handshake(struct http_server *s, struct http_req *req)
{
	const struct http_server_config *cfg = http__server_config(s);
	if (strcmp(req->method, "GET") != 0) {
		http__reply_error_ex(req, 405, "method_not_allowed", "WebSocket needs GET", NULL,
				     "Allow: GET\r\n");
		return;
	}
	if (!req->upgrade || !has_token(http_req_header(req, "Upgrade"), "websocket") ||
	    !has_token(http_req_header(req, "Connection"), "upgrade")) {
		req->keep_alive = false;
		http__reply_error_ex(req, 426, "upgrade_required", "WebSocket upgrade expected", NULL,
				     "Upgrade: websocket\r\nConnection: Upgrade\r\n");
		return;
	}
	const char *ver = http_req_header(req, "Sec-WebSocket-Version");
	if (!ver || strcmp(ver, "13") != 0) {
		req->keep_alive = false;
		http__reply_error_ex(req, 426, "upgrade_required", "WebSocket version 13 required",
				     "Sec-WebSocket-Version", "Sec-WebSocket-Version: 13\r\n");
		return;
	}
	const char *key = http_req_header(req, "Sec-WebSocket-Key");
	char acc[32];
	if (!key_valid(key) || accept_key(key, acc) != 0) {
		req->keep_alive = false;
		http_reply_error(req, 400, kefu_strerror(KEFU_EINVAL), "bad Sec-WebSocket-Key",
				 "Sec-WebSocket-Key");
		return;
	}
	if (!cfg->ws_accept) {
		http_reply_error(req, 404, kefu_strerror(KEFU_ENOTFOUND), "no such resource", NULL);
		return;
	}
	void *data = NULL;
	int rc = cfg->ws_accept(req, cfg->app, &data);
	if (rc != 0) {
		req->keep_alive = false;
		int st = rc == -KEFU_EAUTH ? 401 : rc == -KEFU_EPERM || rc > 0 ? 403 : http_status_for(-rc);
		http_reply_error(req, st, kefu_strerror(rc > 0 ? KEFU_EPERM : rc), "WebSocket refused", NULL);
		return;
	}
	char resp[160];
	int n = snprintf(resp, sizeof resp,
			 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: %s\r\n\r\n",
			 acc);
	http__conn_upgrade(req, data, resp, (size_t)n);
}

struct ws_conn *http__ws_new(struct http_conn *c, void *data, uint64_t now_ms)
{
	struct ws_conn *w = xcalloc(1, sizeof *w);
	w->conn = c;
	w->data = data;
	ws__rx_init(&w->rx, http__server_limits(http__conn_server(c)), now_ms);
	return w;
}

void http__ws_free(struct ws_conn *w)
{
	ws__rx_free(&w->rx);
	free(w);
}
