/* request.c — turns request bytes into struct http_req through http_parser: method, raw and
 * percent-decoded path, query and cookie parameters, headers (max_header_bytes → 431), body
 * (max_body_bytes → 413, checked against Content-Length before any body byte arrives), and the
 * request accessors of http.h. Never touches sockets or replies; the connection layer decides
 * what to send. A request and everything it points to is owned by the request. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "http/http_internal.h"

#define HTTP_HDR_OVERHEAD 4 /* ": " and CRLF counted per header toward max_header_bytes */
#define HTTP_MAX_HEADERS 256 /* headers per request, → 431 beyond */

void http__limits_resolve(const struct http_limits *in, struct http_limits *out)
{
	*out = *in;
	if (!out->max_header_bytes)
		out->max_header_bytes = HTTP_DEF_MAX_HEADER;
	if (!out->max_body_bytes)
		out->max_body_bytes = HTTP_DEF_MAX_BODY;
	if (!out->max_ws_frame)
		out->max_ws_frame = HTTP_DEF_MAX_WS_FRAME;
	if (!(out->ws_msgs_per_sec > 0))
		out->ws_msgs_per_sec = HTTP_DEF_WS_RATE;
	if (!(out->ws_burst > 0))
		out->ws_burst = HTTP_DEF_WS_BURST;
	if (!out->max_out_bytes)
		out->max_out_bytes = HTTP_DEF_MAX_OUT;
	if (out->idle_timeout_ms <= 0)
		out->idle_timeout_ms = HTTP_DEF_IDLE_MS;
	if (out->max_conns <= 0)
		out->max_conns = HTTP_DEF_MAX_CONNS;
}

/* ---- request storage ---------------------------------------------------------------------- */

uint32_t http__store(struct http_req *r, const char *s, size_t n)
{
	uint32_t off = (uint32_t)r->store.len;
	buf_append(&r->store, s, n);
	buf_append(&r->store, "", 1);
	return off;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int64_t http__store_decoded(struct http_req *r, const char *s, size_t n, bool plus_space)
{
	size_t start = r->store.len;
	buf_reserve(&r->store, n + 1);
	char *o = r->store.data + start;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (i + 2 >= n) /* needs two hex digits after '%' */
				return -1;
			int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			ch = (char)(h * 16 + l);
			if (ch == '\0')
				return -1;
			i += 2;
		} else if (ch == '+' && plus_space) {
			ch = ' ';
		} else if (ch == '\0') {
			return -1;
		}
		o[k++] = ch;
	}
	o[k++] = '\0';
	r->store.len = start + k;
	return (int64_t)start;
}

void http__req_add_kv(struct http_req *r, uint8_t kind, uint32_t key, uint32_t value)
{
	if (r->nkv == r->capkv) {
		r->capkv = r->capkv ? r->capkv * 2 : 8;
		r->kv = xrealloc(r->kv, r->capkv * sizeof *r->kv);
	}
	r->kv[r->nkv++] = (struct http_kv){.key = key, .value = value, .kind = kind};
}

void http__req_free(struct http_req *r)
{
	if (!r)
		return;
	if (r->free_user && r->user)
		r->free_user(r->user);
	buf_free(&r->store);
	buf_free(&r->body);
	free(r->hdrs);
	free(r->kv);
	free(r);
}

/* ---- http_parser callbacks ---------------------------------------------------------------- */

static int fail(struct http_rx *rx, int status)
{
	rx->status = status;
	return -1; /* stops http_parser with a callback error (1 from on_headers_complete means "no body") */
}

static int count_header(struct http_rx *rx, size_t n)
{
	rx->header_bytes += n;
	if (rx->header_bytes > rx->lim->max_header_bytes)
		return fail(rx, 431);
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_rx *rx = p->data;
	rx->req = xcalloc(1, sizeof *rx->req);
	buf_init(&rx->req->store);
	buf_init(&rx->req->body);
	memcpy(rx->req->remote, rx->remote, sizeof rx->req->remote);
	rx->header_bytes = 0;
	rx->hstate = 0;
	rx->req->url = 0;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	struct http_rx *rx = p->data;
	if (count_header(rx, n))
		return -1;
	buf_append(&rx->req->store, at, n);
	return 0;
}

/* Ends the piece being collected (URL, name or value) with a NUL. */
static void end_piece(struct http_rx *rx)
{
	buf_append(&rx->req->store, "", 1);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
	struct http_rx *rx = p->data;
	struct http_req *r = rx->req;
	if (count_header(rx, n))
		return -1;
	if (rx->hstate != 1) {
		end_piece(rx); /* ends the URL or the previous value */
		if (r->nhdrs == HTTP_MAX_HEADERS)
			return fail(rx, 431);
		if (r->nhdrs == r->caphdrs) {
			r->caphdrs = r->caphdrs ? r->caphdrs * 2 : 16;
			r->hdrs = xrealloc(r->hdrs, r->caphdrs * sizeof *r->hdrs);
		}
		r->hdrs[r->nhdrs].name = (uint32_t)r->store.len;
		r->hdrs[r->nhdrs].value = 0;
		r->nhdrs++;
		rx->hstate = 1;
		if (count_header(rx, HTTP_HDR_OVERHEAD))
			return -1;
	}
	buf_append(&r->store, at, n);
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
	struct http_rx *rx = p->data;
	struct http_req *r = rx->req;
	if (count_header(rx, n))
		return -1;
	if (rx->hstate != 2) {
		end_piece(rx);
		r->hdrs[r->nhdrs - 1].value = (uint32_t)r->store.len;
		rx->hstate = 2;
	}
	buf_append(&r->store, at, n);
	return 0;
}

static void parse_query(struct http_req *r, const char *q, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && q[j] != '&')
			j++;
		if (j > i) {
			size_t eq = i;
			while (eq < j && q[eq] != '=')
				eq++;
			int64_t k = http__store_decoded(r, q + i, eq - i, true);
			int64_t v = eq < j ? http__store_decoded(r, q + eq + 1, j - eq - 1, true)
					   : (int64_t)http__store(r, "", 0);
			/* A bad escape in the query drops that pair rather than failing the request. */
			if (k >= 0 && v >= 0)
				http__req_add_kv(r, HTTP_KV_QUERY, (uint32_t)k, (uint32_t)v);
		}
		i = j + 1;
	}
}

static void parse_cookies(struct http_req *r, uint32_t hdr_off)
{
	/* Copy first: http__store may move store.data. */
	size_t n = strlen(r->store.data + hdr_off);
	char *h = xstrndup(r->store.data + hdr_off, n);
	size_t i = 0;
	while (i < n) {
		while (i < n && (h[i] == ' ' || h[i] == ';' || h[i] == '\t'))
			i++;
		size_t j = i;
		while (j < n && h[j] != ';')
			j++;
		size_t eq = i;
		while (eq < j && h[eq] != '=')
			eq++;
		if (eq < j && eq > i) {
			size_t ke = eq;
			while (ke > i && (h[ke - 1] == ' ' || h[ke - 1] == '\t'))
				ke--;
			size_t vs = eq + 1, ve = j;
			while (ve > vs && (h[ve - 1] == ' ' || h[ve - 1] == '\t'))
				ve--;
			if (ve - vs >= 2 && h[vs] == '"' && h[ve - 1] == '"') {
				vs++;
				ve--;
			}
			uint32_t k = http__store(r, h + i, ke - i);
			uint32_t v = http__store(r, h + vs, ve - vs);
			http__req_add_kv(r, HTTP_KV_COOKIE, k, v);
		}
		i = j + 1;
	}
	free(h);
}

static int on_headers_complete(http_parser *p)
{
	struct http_rx *rx = p->data;
	struct http_req *r = rx->req;
	if (rx->hstate == 0 || rx->hstate == 2)
		end_piece(rx); /* ends the URL (no headers) or the last value */
	else
		return fail(rx, 400); /* header name without value */
	rx->hstate = 0;

	const char *m = http_method_str((enum http_method)p->method);
	if (strlen(m) >= sizeof r->method || p->method == HTTP_CONNECT)
		return fail(rx, 400);
	strcpy(r->method, m);
	r->head = p->method == HTTP_HEAD;
	r->http_major = (uint8_t)p->http_major;
	r->http_minor = (uint8_t)p->http_minor;
	if (p->http_major != 1)
		return fail(rx, 400);
	if (p->http_minor >= 1 && !http_req_header(r, "Host"))
		return fail(rx, 400);
	/* Content-Length known up front: refuse before reading any of the body. */
	if ((p->flags & F_CHUNKED) == 0 && p->content_length != ULLONG_MAX &&
	    p->content_length > rx->lim->max_body_bytes)
		return fail(rx, 413);

	/* Target: origin-form "/path?query" or absolute-form "http://host/path?query". */
	const char *url = r->store.data + r->url;
	size_t ulen = strlen(url);
	struct http_parser_url u;
	http_parser_url_init(&u);
	if (http_parser_parse_url(url, ulen, 0, &u) != 0 || !(u.field_set & (1 << UF_PATH)))
		return fail(rx, 400);
	size_t poff = u.field_data[UF_PATH].off, plen = u.field_data[UF_PATH].len;
	if (plen == 0 || url[poff] != '/')
		return fail(rx, 400);
	/* Copies: storing into r->store may move url. */
	char *copy = xstrndup(url, ulen);
	r->raw_path = http__store(r, copy + poff, plen);
	int64_t dp = http__store_decoded(r, copy + poff, plen, false);
	if (dp < 0) {
		free(copy);
		return fail(rx, 400);
	}
	r->path = (uint32_t)dp;
	if (u.field_set & (1 << UF_QUERY))
		parse_query(r, copy + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
	free(copy);

	for (uint32_t i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->store.data + r->hdrs[i].name, "Cookie") == 0)
			parse_cookies(r, r->hdrs[i].value);
	const char *exp = http_req_header(r, "Expect");
	r->expect_continue = exp && strcasecmp(exp, "100-continue") == 0;
	rx->send_continue = r->expect_continue &&
	    ((p->flags & F_CHUNKED) || (p->content_length != ULLONG_MAX && p->content_length > 0));
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
	struct http_rx *rx = p->data;
	if (rx->req->body.len + n > rx->lim->max_body_bytes)
		return fail(rx, 413);
	buf_append(&rx->req->body, at, n);
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct http_rx *rx = p->data;
	rx->req->keep_alive = http_should_keep_alive(p) != 0;
	rx->req->upgrade = p->upgrade != 0;
	rx->done = true;
	http_parser_pause(p, 1); /* one request at a time: the rest waits for the reply */
	return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void http__rx_init(struct http_rx *rx, const struct http_limits *resolved)
{
	memset(rx, 0, sizeof *rx);
	http_parser_init(&rx->parser, HTTP_REQUEST);
	rx->parser.data = rx;
	rx->lim = resolved;
}

void http__rx_free(struct http_rx *rx)
{
	http__req_free(rx->req);
	rx->req = NULL;
}

int http__parse_feed(struct http_rx *rx, const char *data, size_t len, size_t *used)
{
	*used = 0;
	if (rx->status)
		return HTTP_PARSE_ERROR;
	if (rx->done) /* the completed request must be taken first */
		return HTTP_PARSE_DONE;
	if (len == 0)
		return HTTP_PARSE_MORE;
	size_t n = http_parser_execute(&rx->parser, &parser_settings, data, len);
	enum http_errno e = HTTP_PARSER_ERRNO(&rx->parser);
	*used = n;
	if (rx->done) {
		/* Paused in on_message_complete; http_parser counts the byte it stopped on. */
		return HTTP_PARSE_DONE;
	}
	if (e != HPE_OK) {
		if (!rx->status)
			rx->status = e == HPE_HEADER_OVERFLOW ? 431 : 400;
		return HTTP_PARSE_ERROR;
	}
	if (rx->parser.upgrade) /* upgrade with a body: not supported */
		return (rx->status = 400), HTTP_PARSE_ERROR;
	return HTTP_PARSE_MORE;
}

struct http_req *http__rx_take(struct http_rx *rx)
{
	struct http_req *r = rx->req;
	rx->req = NULL;
	rx->done = false;
	http_parser_pause(&rx->parser, 0);
	return r;
}

/* ---- accessors ---------------------------------------------------------------------------- */

const char *http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *http_req_path(const struct http_req *r)
{
	return r->store.data + r->path;
}

static const char *kv_find(const struct http_req *r, uint8_t kind, const char *name)
{
	for (uint32_t i = 0; i < r->nkv; i++)
		if (r->kv[i].kind == kind && strcmp(r->store.data + r->kv[i].key, name) == 0)
			return r->store.data + r->kv[i].value;
	return NULL;
}

const char *http_req_param(const struct http_req *r, const char *name)
{
	return kv_find(r, HTTP_KV_PARAM, name);
}

const char *http_req_query(const struct http_req *r, const char *name)
{
	return kv_find(r, HTTP_KV_QUERY, name);
}

const char *http_req_cookie(const struct http_req *r, const char *name)
{
	return kv_find(r, HTTP_KV_COOKIE, name);
}

const char *http_req_header(const struct http_req *r, const char *name)
{
	for (uint32_t i = 0; i < r->nhdrs; i++)
		if (r->hdrs[i].value && strcasecmp(r->store.data + r->hdrs[i].name, name) == 0)
			return r->store.data + r->hdrs[i].value;
	return NULL;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.data ? r->body.data : "";
}

const char *http_req_remote(const struct http_req *r)
{
	return r->remote;
}

void http_req_set_user(struct http_req *r, void *user, void (*free_user)(void *))
{
	if (r->free_user && r->user && r->user != user)
		r->free_user(r->user);
	r->user = user;
	r->free_user = free_user;
}

void *http_req_user(const struct http_req *r)
{
	return r->user;
}
