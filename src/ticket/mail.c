/* mail.c — the RFC 5322 / MIME reader of the email channel (see mail.h): header unfolding, the
 * few fields kefu needs, RFC 2047 encoded words, multipart walking to the first text/plain part,
 * transfer decodings and charset conversion with iconv. Everything is bounded by the caps in
 * mail.h; anything malformed is refused with the header or part that is wrong. */
#include "ticket/mail.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/utf8.h"

#define MAX_HEADERS 256 /* header fields in one message or part */
#define MAX_DEPTH 4 /* nested multiparts */

/* One header field, unfolded, pointing into a scratch copy. */
struct hdr {
	const char *name;
	char *value; /* owned copy, unfolded, trimmed */
	size_t len; /* strlen(value) while unfolding: each continuation line costs its own length */
};

struct hdrs {
	struct hdr h[MAX_HEADERS];
	int n;
};

static void hdrs_free(struct hdrs *h)
{
	for (int i = 0; i < h->n; i++) {
		free((char *)h->h[i].name);
		free(h->h[i].value);
	}
	h->n = 0;
}

static const char *hdr_get(const struct hdrs *h, const char *name)
{
	for (int i = 0; i < h->n; i++)
		if (strcasecmp(h->h[i].name, name) == 0)
			return h->h[i].value;
	return NULL;
}

static int hdr_count(const struct hdrs *h, const char *name)
{
	int n = 0;
	for (int i = 0; i < h->n; i++)
		n += strcasecmp(h->h[i].name, name) == 0;
	return n;
}

/* Finds the end of the header block in [p, end): *body gets the first body byte (end when the
 * message has no body). Returns the length of the header block. */
static size_t header_block(const char *p, const char *end, const char **body)
{
	for (const char *q = p; q < end; q++) {
		if (*q != '\n')
			continue;
		const char *n = q + 1;
		if (n < end && *n == '\r')
			n++;
		if (n < end && *n == '\n') {
			*body = n + 1;
			return (size_t)(q - p);
		}
		if (n >= end) {
			*body = end;
			return (size_t)(q - p);
		}
	}
	*body = end;
	return (size_t)(end - p);
}

/* Parses the header block [p, p+len) into h: continuation lines (leading SP/HT) are unfolded. */
static int parse_headers(const char *p, size_t len, struct hdrs *h, struct kefu_err *err)
{
	const char *end = p + len;
	int line = 0;
	h->n = 0;
	while (p < end) {
		line++;
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *next = eol ? eol + 1 : end;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p) {
			p = next;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			if (h->n == 0)
				return KEFU_ERR(err, KEFU_EINVAL, "header",
						"header line %d continues no header field", line);
			struct hdr *last = &h->h[h->n - 1];
			size_t ol = last->len, add = (size_t)(le - p);
			if (ol + add > MAIL_RAW_MAX)
				return KEFU_ERR(err, KEFU_ELIMIT, "header", "header line %d is too long",
						line);
			last->value = xrealloc(last->value, ol + add + 2);
			last->value[ol] = ' ';
			size_t k = 0;
			while (k < add && (p[k] == ' ' || p[k] == '\t'))
				k++;
			memcpy(last->value + ol + 1, p + k, add - k);
			last->value[ol + 1 + add - k] = '\0';
			last->len = ol + 1 + add - k;
			p = next;
			continue;
		}
		const char *colon = memchr(p, ':', (size_t)(le - p));
		if (!colon || colon == p)
			return KEFU_ERR(err, KEFU_EINVAL, "header",
					"header line %d has no field name and colon", line);
		for (const char *q = p; q < colon; q++)
			if (*q <= ' ' || *q >= 127)
				return KEFU_ERR(err, KEFU_EINVAL, "header",
						"header line %d: the field name has a space or control byte",
						line);
		if (h->n == MAX_HEADERS)
			return KEFU_ERR(err, KEFU_ELIMIT, "header", "more than %d header fields",
					MAX_HEADERS);
		struct hdr *x = &h->h[h->n++];
		x->name = xstrndup(p, (size_t)(colon - p));
		const char *v = colon + 1;
		while (v < le && (*v == ' ' || *v == '\t'))
			v++;
		x->value = xstrndup(v, (size_t)(le - v));
		x->len = strlen(x->value);
		p = next;
	}
	for (int i = 0; i < h->n; i++) { /* trim trailing blanks left by unfolding */
		char *v = h->h[i].value;
		size_t n = strlen(v);
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			v[--n] = '\0';
	}
	return 0;
}

/* ---- decodings ----------------------------------------------------------------------------- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 (whitespace ignored, '=' ends). Returns 0 or -1 on a bad character. */
static int b64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '=')
			break;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		int v = b64val(c);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char ch = (char)((acc >> bits) & 0xff);
			buf_append(out, &ch, 1);
		}
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable; in_header: '_' is a space (RFC 2047 Q). Soft line breaks removed. */
static void qp_decode(const char *s, size_t n, bool in_header, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=' && i + 1 < n &&
		    (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n'))) {
			i += s[i + 1] == '\r' ? 2 : 1;
			continue;
		}
		if (c == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			char ch = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			buf_append(out, &ch, 1);
			i += 2;
			continue;
		}
		if (in_header && c == '_')
			c = ' ';
		buf_append(out, &c, 1);
	}
}

/* Converts [s, s+n) from charset to UTF-8 appended to out. us-ascii / utf-8 are checked only.
 * Returns 0 or -1 (unknown charset or bytes that are not in it). */
static int to_utf8(const char *charset, const char *s, size_t n, struct buf *out)
{
	if (!charset || !*charset || strcasecmp(charset, "utf-8") == 0 || strcasecmp(charset, "utf8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0) {
		if (!utf8_valid(s, n, NULL))
			return -1;
		buf_append(out, s, n);
		return 0;
	}
	/* GB2312 mail is written in GBK (its superset) by most clients */
	const char *cs = strcasecmp(charset, "gb2312") == 0 ? "GBK" : charset;
	iconv_t cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return -1;
	char *in = (char *)s;
	size_t left = n;
	int r = 0;
	while (left > 0) {
		char tmp[1024];
		char *o = tmp;
		size_t room = sizeof tmp;
		size_t k = iconv(cd, &in, &left, &o, &room);
		buf_append(out, tmp, (size_t)(o - tmp));
		if (k == (size_t)-1 && errno != E2BIG) {
			r = -1;
			break;
		}
	}
	iconv_close(cd);
	return r;
}

/* RFC 2047: decodes the encoded words of a header value into UTF-8 (blanks between two encoded
 * words dropped). Returns 0 or -1. */
static int decode_words(const char *v, struct buf *out)
{
	const char *p = v;
	bool last_word = false;
	while (*p) {
		const char *w = strstr(p, "=?");
		const char *q1 = w ? strchr(w + 2, '?') : NULL;
		const char *q2 = q1 && q1[1] && q1[2] == '?' ? q1 + 2 : NULL;
		const char *e = q2 ? strstr(q2 + 1, "?=") : NULL;
		if (!e) {
			if (!utf8_valid(p, strlen(p), NULL))
				return -1;
			buf_puts(out, p);
			return 0;
		}
		size_t gap = (size_t)(w - p);
		bool blank = true;
		for (size_t i = 0; i < gap; i++)
			blank &= p[i] == ' ' || p[i] == '\t';
		if (!(last_word && blank)) {
			if (!utf8_valid(p, gap, NULL))
				return -1;
			buf_append(out, p, gap);
		}
		char charset[40];
		size_t cl = (size_t)(q1 - (w + 2));
		if (cl == 0 || cl >= sizeof charset)
			return -1;
		memcpy(charset, w + 2, cl);
		charset[cl] = '\0';
		char *star = strchr(charset, '*'); /* RFC 2231 language */
		if (star)
			*star = '\0';
		struct buf raw;
		buf_init(&raw);
		char enc = (char)toupper((unsigned char)q1[1]);
		int r = 0;
		if (enc == 'B')
			r = b64_decode(q2 + 1, (size_t)(e - q2 - 1), &raw);
		else if (enc == 'Q')
			qp_decode(q2 + 1, (size_t)(e - q2 - 1), true, &raw);
		else
			r = -1;
		if (r == 0)
			r = to_utf8(charset, raw.data ? raw.data : "", raw.len, out);
		buf_free(&raw);
		if (r < 0)
			return -1;
		p = e + 2;
		last_word = true;
	}
	return 0;
}

/* The value of parameter name in a Content-Type value ("boundary", "charset"), unquoted, into
 * out; "" when absent. */
static void param(const char *v, const char *name, char *out, size_t cap)
{
	out[0] = '\0';
	size_t nl = strlen(name);
	for (const char *p = strchr(v, ';'); p; p = strchr(p + 1, ';')) {
		const char *k = p + 1;
		while (*k == ' ' || *k == '\t')
			k++;
		if (strncasecmp(k, name, nl) != 0 || k[nl] != '=')
			continue;
		const char *s = k + nl + 1;
		size_t n = 0;
		if (*s == '"') {
			s++;
			while (s[n] && s[n] != '"')
				n++;
		} else {
			while (s[n] && s[n] != ';' && s[n] != ' ' && s[n] != '\t')
				n++;
		}
		if (n >= cap)
			n = cap - 1;
		memcpy(out, s, n);
		out[n] = '\0';
		return;
	}
}

/* The media type of a Content-Type value, lower case, into out. */
static void media_type(const char *v, char *out, size_t cap)
{
	size_t n = 0;
	while (v && v[n] && v[n] != ';' && v[n] != ' ' && n + 1 < cap) {
		out[n] = (char)tolower((unsigned char)v[n]);
		n++;
	}
	out[n] = '\0';
}

/* ---- body ---------------------------------------------------------------------------------- */

/* The text of one part (headers h, body [b, e)) decoded into out (UTF-8). */
static int decode_text(const struct hdrs *h, const char *b, const char *e, struct buf *out,
		       struct kefu_err *err)
{
	const char *cte = hdr_get(h, "Content-Transfer-Encoding");
	const char *ct = hdr_get(h, "Content-Type");
	char charset[40] = "";
	if (ct)
		param(ct, "charset", charset, sizeof charset);
	struct buf raw;
	buf_init(&raw);
	int r = 0;
	if (cte && strcasecmp(cte, "base64") == 0)
		r = b64_decode(b, (size_t)(e - b), &raw);
	else if (cte && strcasecmp(cte, "quoted-printable") == 0)
		qp_decode(b, (size_t)(e - b), false, &raw);
	else if (!cte || strcasecmp(cte, "7bit") == 0 || strcasecmp(cte, "8bit") == 0 ||
		 strcasecmp(cte, "binary") == 0)
		buf_append(&raw, b, (size_t)(e - b));
	else
		r = KEFU_ERR(err, KEFU_EINVAL, "body", "unknown Content-Transfer-Encoding '%.32s'", cte);
	if (r == -1)
		r = KEFU_ERR(err, KEFU_EINVAL, "body", "the base64 text has a character outside base64");
	if (r == 0 && raw.len > 4 * MAIL_BODY_MAX)
		r = KEFU_ERR(err, KEFU_ELIMIT, "body", "the text is longer than %d bytes", MAIL_BODY_MAX);
	if (r == 0 && to_utf8(charset, raw.data ? raw.data : "", raw.len, out) < 0)
		r = KEFU_ERR(err, KEFU_EINVAL, "body", "the text is not valid in its charset '%.32s'",
			     charset[0] ? charset : "utf-8");
	buf_free(&raw);
	return r;
}

/* Finds the first text/plain part of a part (headers h, body [b, e)); depth limits nesting.
 * Returns 1 found (text in out), 0 none, or a negative code. */
static int find_text(const struct hdrs *h, const char *b, const char *e, int depth, struct buf *out,
		     struct kefu_err *err)
{
	const char *ct = hdr_get(h, "Content-Type");
	char type[64];
	media_type(ct ? ct : "text/plain", type, sizeof type);
	if (strcmp(type, "text/plain") == 0) {
		int r = decode_text(h, b, e, out, err); /* keeps -KEFU_ELIMIT: a text too long is 413 */
		return r < 0 ? r : 1;
	}
	if (strncmp(type, "multipart/", 10) != 0)
		return 0;
	if (depth >= MAX_DEPTH)
		return KEFU_ERR(err, KEFU_ELIMIT, "body", "multipart nested deeper than %d", MAX_DEPTH);
	char boundary[80], delim[84];
	param(ct, "boundary", boundary, sizeof boundary);
	if (!boundary[0])
		return KEFU_ERR(err, KEFU_EINVAL, "body", "a multipart Content-Type without a boundary");
	snprintf(delim, sizeof delim, "--%s", boundary);
	size_t dl = strlen(delim);
	const char *part = NULL; /* start of the current part's headers */
	const char *p = b;
	while (p < e) {
		const char *eol = memchr(p, '\n', (size_t)(e - p));
		const char *next = eol ? eol + 1 : e;
		bool is_delim = (size_t)(e - p) >= dl && memcmp(p, delim, dl) == 0;
		if (is_delim) {
			if (part) {
				/* the part ends before the line break that precedes the delimiter */
				const char *pe = p;
				if (pe > part && pe[-1] == '\n')
					pe--;
				if (pe > part && pe[-1] == '\r')
					pe--;
				const char *pb;
				size_t hl = header_block(part, pe, &pb);
				struct hdrs ph = {0};
				int r = parse_headers(part, hl, &ph, err);
				if (r == 0)
					r = find_text(&ph, pb, pe, depth + 1, out, err);
				hdrs_free(&ph);
				if (r != 0)
					return r;
			}
			if ((size_t)(e - p) >= dl + 2 && p[dl] == '-' && p[dl + 1] == '-')
				return 0; /* closing delimiter */
			part = next;
		}
		p = next;
	}
	return KEFU_ERR(err, KEFU_EINVAL, "body", "the multipart body has no closing boundary");
}

/* A header text on one line: every control byte (CR, LF, TAB, … DEL), as an RFC 2047 word or a
 * JSON field may decode to, becomes a space, so a subject handed back to the relay in "Re: …"
 * can never break its header into another field (no header injection). */
static void one_line(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* ---- fields -------------------------------------------------------------------------------- */

/* An addr-spec: local@domain, printable ASCII without spaces, <> or quotes, one '@', a dot-free
 * domain allowed (local networks). Lower-cased into out. */
static int check_addr(const char *a, size_t n, char *out, struct kefu_err *err)
{
	if (n == 0 || n > MAIL_ADDR_MAX)
		return KEFU_ERR(err, KEFU_EINVAL, "from",
				"the sender address is empty or longer than %d bytes", MAIL_ADDR_MAX);
	int at = -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c <= ' ' || c >= 127 || strchr("<>()[]\\,;:\"", c))
			return KEFU_ERR(err, KEFU_EINVAL, "from",
					"the sender address has a character not allowed");
		if (c == '@') {
			if (at >= 0)
				return KEFU_ERR(err, KEFU_EINVAL, "from", "the sender address has two '@'");
			at = (int)i;
		}
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	if (at <= 0 || (size_t)at == n - 1)
		return KEFU_ERR(err, KEFU_EINVAL, "from", "the sender is not an address (local@domain)");
	return 0;
}

/* From: "Name <addr>", "<addr>", "addr", "addr (comment)". */
static int parse_from(const char *v, struct mail_msg *m, struct kefu_err *err)
{
	const char *lt = strrchr(v, '<');
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (!gt)
			return KEFU_ERR(err, KEFU_EINVAL, "from", "the sender address has no closing '>'");
		int r = check_addr(lt + 1, (size_t)(gt - lt - 1), m->from, err);
		if (r < 0)
			return r;
		size_t nl = (size_t)(lt - v);
		while (nl && (v[nl - 1] == ' ' || v[nl - 1] == '\t'))
			nl--;
		const char *ns = v;
		if (nl >= 2 && ns[0] == '"' && ns[nl - 1] == '"') {
			ns++;
			nl -= 2;
		}
		char *name = xstrndup(ns, nl);
		struct buf d;
		buf_init(&d);
		if (decode_words(name, &d) == 0)
			snprintf(m->name, sizeof m->name, "%.*s", (int)(d.len < sizeof m->name ? d.len : 0),
				 d.data ? d.data : "");
		one_line(m->name);
		buf_free(&d);
		free(name);
		return 0;
	}
	size_t n = 0;
	while (v[n] && v[n] != ' ' && v[n] != '\t' && v[n] != '(')
		n++;
	return check_addr(v, n, m->from, err);
}

/* The first "<id>" of v (or v itself when bare) into out. Returns the byte after it, or NULL. */
static const char *msg_id(const char *v, char *out, const char *field, struct kefu_err *err, int *r)
{
	*r = 0;
	while (*v == ' ' || *v == '\t' || *v == ',')
		v++;
	if (!*v)
		return NULL;
	const char *s = v, *e;
	if (*v == '<') {
		s = v + 1;
		e = strchr(s, '>');
		if (!e) {
			*r = KEFU_ERR(err, KEFU_EINVAL, field, "a message id has no closing '>'");
			return NULL;
		}
	} else {
		e = s;
		while (*e && *e != ' ' && *e != '\t')
			e++;
	}
	size_t n = (size_t)(e - s);
	if (n == 0 || n > MAIL_ID_MAX) {
		*r = KEFU_ERR(err, KEFU_EINVAL, field, "a message id is empty or longer than %d bytes",
			      MAIL_ID_MAX);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127 || s[i] == '<') {
			*r = KEFU_ERR(err, KEFU_EINVAL, field, "a message id has a space or non-ASCII byte");
			return NULL;
		}
	memcpy(out, s, n);
	out[n] = '\0';
	return *e == '>' ? e + 1 : e;
}

/* A Message-ID: exactly one id, nothing after it. */
static int one_id(const char *v, char *out, struct kefu_err *err)
{
	int r;
	const char *rest = msg_id(v, out, "message_id", err, &r);
	if (r < 0)
		return r;
	if (!rest)
		return KEFU_ERR(err, KEFU_EINVAL, "message_id", "the Message-ID is empty");
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest)
		return KEFU_ERR(err, KEFU_EINVAL, "message_id",
				"the Message-ID must be one id, nothing else");
	return 0;
}

/* Normalises the text: CRLF → LF, trailing blanks and lines trimmed. Checks size. */
static int finish_text(struct buf *b, const char *field, size_t max, char **out, struct kefu_err *err)
{
	size_t w = 0;
	for (size_t i = 0; i < b->len; i++)
		if (!(b->data[i] == '\r' && i + 1 < b->len && b->data[i + 1] == '\n'))
			b->data[w++] = b->data[i];
	while (w &&
	       (b->data[w - 1] == '\n' || b->data[w - 1] == ' ' || b->data[w - 1] == '\t' ||
		b->data[w - 1] == '\r'))
		w--;
	b->len = w;
	if (w > max)
		return KEFU_ERR(err, KEFU_ELIMIT, field, "the %s is longer than %zu bytes", field, max);
	if (memchr(b->data ? b->data : "", '\0', w))
		return KEFU_ERR(err, KEFU_EINVAL, field, "the %s has a NUL byte", field);
	buf_append(b, "", 1);
	b->len = w;
	*out = buf_detach(b);
	return 0;
}

void mail_msg_clear(struct mail_msg *m)
{
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof *m);
}

static int check_complete(struct mail_msg *m, struct kefu_err *err)
{
	if (!m->message_id[0])
		return KEFU_ERR(err, KEFU_EINVAL, "message_id", "the mail has no Message-ID");
	if (!*m->subject && !*m->body)
		return KEFU_ERR(err, KEFU_EINVAL, "body", "the mail has neither a subject nor any text");
	return 0;
}

int mail_parse(const char *raw, size_t len, struct mail_msg *out, struct kefu_err *err)
{
	memset(out, 0, sizeof *out);
	if (len > MAIL_RAW_MAX)
		return KEFU_ERR(err, KEFU_ELIMIT, "message", "the message is larger than %d bytes",
				MAIL_RAW_MAX);
	if (len == 0 || memchr(raw, '\0', len))
		return KEFU_ERR(err, KEFU_EINVAL, "message", "the message is empty or has a NUL byte");
	const char *end = raw + len, *body;
	size_t hl = header_block(raw, end, &body);
	struct hdrs h = {0};
	struct buf sb, bb;
	buf_init(&sb);
	buf_init(&bb);
	int r = parse_headers(raw, hl, &h, err);
	if (r < 0)
		goto done;
	const char *from = hdr_get(&h, "From");
	if (!from || hdr_count(&h, "From") != 1) {
		r = KEFU_ERR(err, KEFU_EINVAL, "from", "the message needs exactly one From header");
		goto done;
	}
	if ((r = parse_from(from, out, err)) < 0)
		goto done;
	if (hdr_count(&h, "Message-ID") > 1 || hdr_count(&h, "Subject") > 1) {
		r = KEFU_ERR(err, KEFU_EINVAL, "header", "Message-ID and Subject may appear once");
		goto done;
	}
	const char *mid = hdr_get(&h, "Message-ID");
	if (mid && (r = one_id(mid, out->message_id, err)) < 0)
		goto done;
	const char *irt = hdr_get(&h, "In-Reply-To");
	if (irt && (msg_id(irt, out->in_reply_to, "in_reply_to", err, &r), r < 0))
		goto done;
	/* References: the newest MAIL_REFS_MAX ids (a long thread's newest are the ones that thread),
	 * read into a ring and put back oldest first */
	const char *refs = hdr_get(&h, "References");
	size_t total = 0;
	for (const char *p = refs; p;) {
		p = msg_id(p, out->refs[total % MAIL_REFS_MAX], "references", err, &r);
		if (r < 0)
			goto done;
		if (!p)
			break;
		total++;
	}
	out->nrefs = total < MAIL_REFS_MAX ? (int)total : MAIL_REFS_MAX;
	if (total > MAIL_REFS_MAX) {
		static_assert(sizeof out->refs == MAIL_REFS_MAX * (MAIL_ID_MAX + 1), "refs is one block");
		char(*tmp)[MAIL_ID_MAX + 1] = xmalloc(sizeof out->refs);
		for (size_t i = 0; i < MAIL_REFS_MAX; i++)
			memcpy(tmp[i], out->refs[(total + i) % MAIL_REFS_MAX], MAIL_ID_MAX + 1);
		memcpy(out->refs, tmp, sizeof out->refs);
		free(tmp);
	}
	const char *subj = hdr_get(&h, "Subject");
	if (subj && decode_words(subj, &sb) < 0) {
		r = KEFU_ERR(err, KEFU_EINVAL, "subject", "the subject is not valid text in its charset");
		goto done;
	}
	if ((r = finish_text(&sb, "subject", MAIL_SUBJECT_MAX, &out->subject, err)) < 0)
		goto done;
	one_line(out->subject);
	int found = find_text(&h, body, end, 0, &bb, err);
	if (found < 0) {
		r = found;
		goto done;
	}
	if ((r = finish_text(&bb, "body", MAIL_BODY_MAX, &out->body, err)) < 0)
		goto done;
	r = check_complete(out, err);
done:
	hdrs_free(&h);
	buf_free(&sb);
	buf_free(&bb);
	if (r < 0)
		mail_msg_clear(out);
	return r;
}

int mail_from_fields(const char *from, const char *subject, const char *body, const char *message_id,
		     const char *in_reply_to, struct mail_msg *out, struct kefu_err *err)
{
	memset(out, 0, sizeof *out);
	int r;
	struct buf sb, bb;
	buf_init(&sb);
	buf_init(&bb);
	if (!from || !message_id) {
		r = KEFU_ERR(err, KEFU_EINVAL, from ? "message_id" : "from", "%s is required",
			     from ? "message_id" : "from");
		goto done;
	}
	if ((r = parse_from(from, out, err)) < 0)
		goto done;
	if ((r = one_id(message_id, out->message_id, err)) < 0)
		goto done;
	if (in_reply_to && (msg_id(in_reply_to, out->in_reply_to, "in_reply_to", err, &r), r < 0))
		goto done;
	buf_puts(&sb, subject ? subject : "");
	buf_puts(&bb, body ? body : "");
	if ((r = finish_text(&sb, "subject", MAIL_SUBJECT_MAX, &out->subject, err)) < 0 ||
	    (r = finish_text(&bb, "body", MAIL_BODY_MAX, &out->body, err)) < 0)
		goto done;
	one_line(out->subject);
	r = check_complete(out, err);
done:
	buf_free(&sb);
	buf_free(&bb);
	if (r < 0)
		mail_msg_clear(out);
	return r;
}

int mail_subject_ticket(const char *subject, char *id, size_t cap)
{
	for (const char *p = subject ? strstr(subject, "[#tk_") : NULL; p; p = strstr(p + 1, "[#tk_")) {
		const char *h = p + 5;
		size_t n = 0;
		while (n < 16 && isxdigit((unsigned char)h[n]) && !isupper((unsigned char)h[n]))
			n++;
		if (n == 16 && h[16] == ']' && cap > 19) {
			snprintf(id, cap, "tk_%.16s", h);
			return 0;
		}
	}
	return -KEFU_ENOTFOUND;
}
