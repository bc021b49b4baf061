/* jsonl.c — strict flat-object JSON line parser for `kefu import` (jsonl.h). It accepts exactly
 * RFC 8259 syntax for one object of scalar values, checks UTF-8 and escapes, and refuses
 * duplicate keys; it never allocates and never interprets values beyond their token class. */
#include "kpi/jsonl.h"

#include <stdint.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

struct cur {
	const char *s;
	size_t n, i;
	const char *why;
};

static void ws(struct cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r'))
		c->i++;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* nonzero if a byte of w is zero / below b (b <= 0x80) */
static inline uint64_t has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}
static inline uint64_t has_below(uint64_t w, unsigned b)
{
	return (w - ONES * b) & ~w & HIGHS;
}

/* A string token at c->i (the opening quote). Sets *escaped. */
static int str_token(struct cur *c, bool *escaped)
{
	*escaped = false;
	c->i++;
	while (c->i < c->n) {
		/* skip the bytes that need no look: not a quote, a backslash or a control character */
		const unsigned char *u = (const unsigned char *)c->s;
		size_t i = c->i;
		for (uint64_t w; c->n - i >= 8; i += 8) { /* eight bytes at a time while none of them */
			memcpy(&w, u + i, 8);
			if (has_below(w, 0x20) | has_zero(w ^ (ONES * '"')) | has_zero(w ^ (ONES * '\\')))
				break;
		}
		while (i < c->n && u[i] >= 0x20 && u[i] != '"' && u[i] != '\\')
			i++;
		c->i = i;
		if (i >= c->n)
			break;
		unsigned char ch = u[i];
		if (ch == '"') {
			c->i++;
			return 0;
		}
		if (ch < 0x20) {
			c->why = "control character in string";
			return -1;
		}
		if (ch == '\\') {
			*escaped = true;
			if (c->i + 1 >= c->n) {
				c->why = "unterminated escape";
				return -1;
			}
			char e = c->s[c->i + 1];
			if (e == 'u') {
				if (c->i + 6 > c->n) {
					c->why = "bad \\u escape";
					return -1;
				}
				for (int k = 2; k < 6; k++)
					if (hexval(c->s[c->i + k]) < 0) {
						c->why = "bad \\u escape";
						return -1;
					}
				c->i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0') {
				c->why = "bad escape";
				return -1;
			}
			c->i += 2;
			continue;
		}
		c->i++;
	}
	c->why = "unterminated string";
	return -1;
}

static int num_token(struct cur *c)
{
	size_t i = c->i;
	if (i < c->n && c->s[i] == '-')
		i++;
	if (i >= c->n)
		goto bad;
	if (c->s[i] == '0')
		i++;
	else if (c->s[i] >= '1' && c->s[i] <= '9')
		while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9')
			i++;
	else
		goto bad;
	if (i < c->n && c->s[i] == '.') {
		i++;
		if (i >= c->n || c->s[i] < '0' || c->s[i] > '9')
			goto bad;
		while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9')
			i++;
	}
	if (i < c->n && (c->s[i] == 'e' || c->s[i] == 'E')) {
		i++;
		if (i < c->n && (c->s[i] == '+' || c->s[i] == '-'))
			i++;
		if (i >= c->n || c->s[i] < '0' || c->s[i] > '9')
			goto bad;
		while (i < c->n && c->s[i] >= '0' && c->s[i] <= '9')
			i++;
	}
	c->i = i;
	return 0;
bad:
	c->why = "bad number";
	return -1;
}

static bool word(struct cur *c, const char *w)
{
	size_t k = strlen(w);
	if (c->n - c->i >= k && memcmp(c->s + c->i, w, k) == 0) {
		c->i += k;
		return true;
	}
	return false;
}

int jsonl_parse(const char *s, size_t n, struct jsonl_field *f, int max, int *nf, size_t *off,
		const char **why)
{
	struct cur c = {s, n, 0, NULL};
	size_t bad = 0;
	*nf = 0;
	if (!utf8_valid(s, n, &bad)) {
		*off = bad;
		*why = "invalid UTF-8";
		return -KEFU_EINVAL;
	}
	ws(&c);
	if (c.i >= n || s[c.i] != '{') {
		c.why = "not a JSON object";
		goto fail;
	}
	c.i++;
	ws(&c);
	if (c.i < n && s[c.i] == '}') {
		c.i++;
		goto end;
	}
	for (;;) {
		ws(&c);
		if (c.i >= n || s[c.i] != '"') {
			c.why = "expected a key";
			goto fail;
		}
		size_t k0 = c.i;
		bool esc;
		if (str_token(&c, &esc) < 0)
			goto fail;
		if (esc) {
			c.i = k0;
			c.why = "escaped key";
			goto fail;
		}
		const char *key = s + k0 + 1;
		size_t key_len = c.i - k0 - 2;
		for (int j = 0; j < *nf; j++)
			if (f[j].key_len == key_len && memcmp(f[j].key, key, key_len) == 0) {
				c.i = k0;
				c.why = "duplicate key";
				goto fail;
			}
		if (*nf >= max) {
			c.i = k0;
			c.why = "too many fields";
			goto fail;
		}
		ws(&c);
		if (c.i >= n || s[c.i] != ':') {
			c.why = "expected ':'";
			goto fail;
		}
		c.i++;
		ws(&c);
		struct jsonl_field *x = &f[*nf];
		x->key = key;
		x->key_len = key_len;
		x->escaped = false;
		size_t v0 = c.i;
		if (c.i >= n) {
			c.why = "expected a value";
			goto fail;
		}
		char ch = s[c.i];
		if (ch == '"') {
			x->type = JSONL_STR;
			if (str_token(&c, &x->escaped) < 0)
				goto fail;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			x->type = JSONL_NUM;
			if (num_token(&c) < 0)
				goto fail;
		} else if (word(&c, "true")) {
			x->type = JSONL_TRUE;
		} else if (word(&c, "false")) {
			x->type = JSONL_FALSE;
		} else if (word(&c, "null")) {
			x->type = JSONL_NULL;
		} else {
			c.why = ch == '{' || ch == '[' ? "nested value" : "bad value";
			goto fail;
		}
		x->raw = s + v0;
		x->raw_len = c.i - v0;
		(*nf)++;
		ws(&c);
		if (c.i < n && s[c.i] == ',') {
			c.i++;
			continue;
		}
		if (c.i < n && s[c.i] == '}') {
			c.i++;
			break;
		}
		c.why = "expected ',' or '}'";
		goto fail;
	}
end:
	ws(&c);
	if (c.i != n) {
		c.why = "text after the object";
		goto fail;
	}
	return 0;
fail:
	*off = c.i;
	*why = c.why;
	return -KEFU_EINVAL;
}

static void put_utf8(struct buf *out, unsigned cp)
{
	char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	buf_append(out, b, k);
}

static unsigned hex4(const char *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

int jsonl_unescape(const char *raw, size_t raw_len, struct buf *out)
{
	size_t i = 1, end = raw_len - 1; /* inside the quotes; jsonl_parse checked the grammar */
	while (i < end) {
		size_t j = i;
		while (j < end && raw[j] != '\\')
			j++;
		buf_append(out, raw + i, j - i);
		if (j >= end)
			break;
		char e = raw[j + 1];
		i = j + 2;
		switch (e) {
		case 'b':
			buf_append(out, "\b", 1);
			break;
		case 'f':
			buf_append(out, "\f", 1);
			break;
		case 'n':
			buf_append(out, "\n", 1);
			break;
		case 'r':
			buf_append(out, "\r", 1);
			break;
		case 't':
			buf_append(out, "\t", 1);
			break;
		case 'u': {
			unsigned cp = hex4(raw + i);
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -KEFU_EINVAL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 > end || raw[i] != '\\' || raw[i + 1] != 'u')
					return -KEFU_EINVAL;
				unsigned lo = hex4(raw + i + 2);
				if (lo < 0xdc00 || lo > 0xdfff)
					return -KEFU_EINVAL;
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp == 0)
				return -KEFU_EINVAL; /* NUL would cut the text short in the store */
			put_utf8(out, cp);
			break;
		}
		default: /* '"', '\\', '/' */
			buf_append(out, &e, 1);
		}
	}
	return 0;
}
