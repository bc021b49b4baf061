/* import.c — `kefu kb import` (kb.h, DESIGN §5.4): articles as JSON Lines, validated completely
 * before anything is stored (kinds, fields, types, sizes, ids reused with different content in the
 * file or the store), then written as kb.article_saved events in one transaction through
 * kb_store's bulk writer. Any error stores nothing; identical articles are no-ops, so a second
 * import of the same file changes nothing. Never prints; the CLI reports. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/map.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "kb/kb.h"
#include "store/projection.h"

static const char *const kinds[] = {"faq", "manual", "script", "risk", "case"};
static const char *const fields[] = {"kind", "id", "title", "body", "alternatives", "tags", "product"};

/* One validated article of the file. */
struct rec {
	json_t *content; /* {"kind","title","body","alternatives","tags","product"}: compared and stored */
	const char *id; /* borrowed from content's source object (kept in obj) */
	json_t *obj; /* the parsed line (owns id) */
	int line;
	bool store; /* new: append an event */
};

#define LINE_ERR(err, name, line, field, ...)                                                                \
	line_err_((err), __FILE__, __LINE__, (name), (line), (field), __VA_ARGS__)

static int line_err_(struct kefu_err *err, const char *file, int srcline, const char *name, int line,
		     const char *field, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int line_err_(struct kefu_err *err, const char *file, int srcline, const char *name, int line,
		     const char *field, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return kefu_err_set_(err, file, srcline, KEFU_EINVAL, field, "%s:%d: field '%s': %s", name, line,
			     field, why);
}

static bool is_kind(const char *s)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(s, kinds[i]) == 0)
			return true;
	return false;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return true;
	return false;
}

/* A string field: required or not, at most max bytes, non-empty when nonempty. */
static int check_str(json_t *obj, const char *key, bool required, bool nonempty, size_t max, const char *name,
		     int line, struct kefu_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return required ? LINE_ERR(err, name, line, key, "missing") : 0;
	if (!json_is_string(v))
		return LINE_ERR(err, name, line, key, "not a string");
	size_t n = json_string_length(v);
	if (n > max)
		return LINE_ERR(err, name, line, key, "longer than %zu bytes", max);
	if (nonempty && n == 0)
		return LINE_ERR(err, name, line, key, "empty");
	if (strlen(json_string_value(v)) != n)
		return LINE_ERR(err, name, line, key, "contains a NUL character");
	return 0;
}

static int check_list(json_t *obj, const char *key, const char *name, int line, struct kefu_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return LINE_ERR(err, name, line, key, "not an array");
	if (json_array_size(v) > KB_LIST_MAX)
		return LINE_ERR(err, name, line, key, "more than %d entries", KB_LIST_MAX);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) == 0)
			return LINE_ERR(err, name, line, key, "entry %zu is not a non-empty string", i);
		if (json_string_length(e) > KB_TEXT_MAX ||
		    strlen(json_string_value(e)) != json_string_length(e))
			return LINE_ERR(err, name, line, key, "entry %zu is too long or holds a NUL", i);
	}
	return 0;
}

static json_t *list_or_empty(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? json_deep_copy(v) : json_array();
}

static int check_obj(const char *name, int line, json_t *obj, struct rec *r, struct kefu_err *err);

/* Parses and validates one line into r. */
static int parse_line(const char *name, int line, const char *s, size_t n, struct rec *r,
		      struct kefu_err *err)
{
	size_t bad;
	if (!utf8_valid(s, n, &bad))
		return LINE_ERR(err, name, line, "-", "invalid UTF-8 at byte %zu", bad);
	json_error_t je;
	json_t *obj = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	if (!obj)
		return LINE_ERR(err, name, line, "-", "invalid JSON at column %d: %s", je.column, je.text);
	r->obj = obj;
	return check_obj(name, line, obj, r, err);
}

/* Validates one article object (r->obj) into r. */
static int check_obj(const char *name, int line, json_t *obj, struct rec *r, struct kefu_err *err)
{
	if (!json_is_object(obj))
		return LINE_ERR(err, name, line, "-", "not an object");
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			known = known || strcmp(key, fields[i]) == 0;
		if (!known)
			return LINE_ERR(err, name, line, key, "unknown field");
	}
	int rc;
	if ((rc = check_str(obj, "kind", true, true, 16, name, line, err)) < 0)
		return rc;
	if (!is_kind(json_string_value(json_object_get(obj, "kind"))))
		return LINE_ERR(err, name, line, "kind", "not faq, manual, script, risk or case");
	if ((rc = check_str(obj, "id", true, true, STORE_KB_ID_MAX, name, line, err)) < 0)
		return rc;
	if (has_control(json_string_value(json_object_get(obj, "id"))))
		return LINE_ERR(err, name, line, "id", "contains a control character");
	if ((rc = check_str(obj, "title", true, true, KB_TEXT_MAX, name, line, err)) < 0 ||
	    (rc = check_str(obj, "body", true, false, KB_TEXT_MAX, name, line, err)) < 0 ||
	    (rc = check_str(obj, "product", false, true, STORE_KB_ID_MAX, name, line, err)) < 0 ||
	    (rc = check_list(obj, "alternatives", name, line, err)) < 0 ||
	    (rc = check_list(obj, "tags", name, line, err)) < 0)
		return rc;
	json_t *product = json_object_get(obj, "product");
	r->id = json_string_value(json_object_get(obj, "id"));
	r->line = line;
	r->content = json_pack("{s:O,s:O,s:O,s:o,s:o,s:O}", "kind", json_object_get(obj, "kind"), "title",
			       json_object_get(obj, "title"), "body", json_object_get(obj, "body"),
			       "alternatives", list_or_empty(obj, "alternatives"), "tags",
			       list_or_empty(obj, "tags"), "product", product ? product : json_null());
	return 0;
}

/* The stored article's content in the form of rec.content. */
static json_t *stored_content(json_t *a)
{
	return json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "kind", json_object_get(a, "kind"), "title",
			 json_object_get(a, "title"), "body", json_object_get(a, "body"), "alternatives",
			 json_object_get(a, "alternatives"), "tags", json_object_get(a, "tags"), "product",
			 json_object_get(a, "product"));
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int add_seen(struct map *seen, struct rec *recs, size_t n, const char *name, struct kefu_err *err);
static void free_recs(struct rec *recs, size_t nrec);
static int store_recs(struct store_kb_writer *w, const char *name, struct rec *recs, size_t nrec,
		      struct kb_import_stats *st, struct kefu_err *err);

int kb_import_buffer(struct store_kb_writer *w, const char *name, const char *data, size_t len,
		     struct kb_import_stats *st, struct kefu_err *err)
{
	memset(st, 0, sizeof *st);
	struct rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	struct map seen; /* id → index + 1 into recs */
	map_init(&seen);
	int r = 0, line = 0;
	size_t p = 0;
	while (p < len) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t n = nl ? (size_t)(nl - (data + p)) : len - p;
		const char *s = data + p;
		p += n + (nl ? 1 : 0);
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > KB_LINE_MAX) {
			r = LINE_ERR(err, name, line, "-", "line longer than %d bytes", KB_LINE_MAX);
			goto out;
		}
		size_t lead = 0;
		while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
			lead++;
		if (lead == n)
			continue; /* blank line */
		if (nrec == cap) {
			cap = cap ? cap * 2 : 64;
			recs = xrealloc(recs, sizeof *recs * cap);
		}
		struct rec *rc = &recs[nrec++];
		memset(rc, 0, sizeof *rc);
		if ((r = parse_line(name, line, s, n, rc, err)) < 0)
			goto out;
		if ((r = add_seen(&seen, recs, nrec, name, err)) < 0)
			goto out;
	}
	r = store_recs(w, name, recs, nrec, st, err);
out:
	free_recs(recs, nrec);
	map_free(&seen);
	return r;
}

/* recs[n-1] was just read: an id seen before must have the same content (then it is stored once). */
static int add_seen(struct map *seen, struct rec *recs, size_t n, const char *name, struct kefu_err *err)
{
	struct rec *rc = &recs[n - 1];
	uintptr_t prev = (uintptr_t)map_get(seen, rc->id);
	if (prev) {
		if (!json_equal(recs[prev - 1].content, rc->content))
			return LINE_ERR(err, name, rc->line, "id",
					"'%s' reused with different content (line %d)", rc->id,
					recs[prev - 1].line);
		return 0; /* the same article twice: stored once */
	}
	map_put(seen, rc->id, (void *)(uintptr_t)n);
	rc->store = true;
	return 0;
}

static void free_recs(struct rec *recs, size_t nrec)
{
	for (size_t i = 0; i < nrec; i++) {
		json_decref(recs[i].content);
		json_decref(recs[i].obj);
	}
	free(recs);
}

/* Stores the validated articles in one transaction (nothing on any error). */
static int store_recs(struct store_kb_writer *w, const char *name, struct rec *recs, size_t nrec,
		      struct kb_import_stats *st, struct kefu_err *err)
{
	int r;
	st->lines = (int64_t)nrec;
	if ((r = store_kb_writer_begin(w, err)) < 0)
		goto out;
	for (size_t i = 0; i < nrec; i++) {
		if (!recs[i].store)
			continue;
		json_t *a = NULL;
		r = store_kb_writer_article(w, recs[i].id, &a, NULL);
		if (r == 0) {
			json_t *have = stored_content(a);
			bool same =
			    json_equal(have, recs[i].content) && !json_is_true(json_object_get(a, "deleted"));
			json_int_t version = json_integer_value(json_object_get(a, "version"));
			json_decref(have);
			json_decref(a);
			if (!same) {
				r = LINE_ERR(err, name, recs[i].line, "id",
					     "'%s' already stored (version %lld) with different content",
					     recs[i].id, (long long)version);
				goto out;
			}
			st->same++;
			continue;
		}
		if (r != -KEFU_ENOTFOUND) {
			r = KEFU_ERR(err, KEFU_ESTORE, "sqlite", "%s: cannot read the store", name);
			goto out;
		}
		char note[300];
		snprintf(note, sizeof note, "imported from %s", base_name(name));
		json_t *ev_data = json_deep_copy(recs[i].content);
		json_object_set_new(ev_data, "id", json_string(recs[i].id));
		json_object_set_new(ev_data, "version", json_integer(1));
		json_object_set_new(ev_data, "note", json_string(note));
		json_object_set_new(ev_data, "source", json_string("import"));
		json_object_set_new(ev_data, "deleted", json_false());
		struct store__ev ev = {"kb.article_saved", clock_now_ms(), NULL, NULL, ev_data};
		r = store_kb_writer_append(w, &ev, err);
		json_decref(ev_data);
		if (r < 0)
			goto out;
		st->stored++;
	}
	r = store_kb_writer_commit(w, err);
	/* a large import leaves kb_fts in many segments, each looked up per query token: merge them
	 * (best effort: the articles are committed either way) */
	if (r == 0 && st->stored >= KB_OPTIMIZE_MIN)
		store_kb_writer_optimize(w, NULL);
out:
	if (r < 0)
		store_kb_writer_rollback(w);
	return r;
}

/* ---- Markdown (docs/kb.md "Markdown") ------------------------------------------------------ */

/* A one-line Markdown value: "\\" → '\', "\n" → newline, "\r" → CR; a lone '\' stays. */
static json_t *md_unescape(const char *s, size_t n)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == 'n' || s[i + 1] == 'r')) {
			i++;
			buf_append(&b, s[i] == 'n' ? "\n" : s[i] == 'r' ? "\r" : "\\", 1);
		} else {
			buf_append(&b, s + i, 1);
		}
	}
	json_t *v = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return v;
}

struct md_line {
	const char *s;
	size_t n;
	int no;
};

static bool md_blank(const struct md_line *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	return true;
}

static bool md_heading(const struct md_line *l)
{
	return l->n >= 3 && memcmp(l->s, "## ", 3) == 0;
}

/* Parses the article whose heading is lines[*i] into r; *i moves past it. */
static int md_article(const char *name, const struct md_line *lines, size_t nl, size_t *i, struct rec *r,
		      struct kefu_err *err)
{
	const struct md_line *h = &lines[*i];
	int line = h->no;
	json_t *obj = json_object();
	r->obj = obj;
	json_object_set_new(obj, "title", md_unescape(h->s + 3, h->n - 3));
	size_t k = *i + 1;
	while (k < nl && md_blank(&lines[k]))
		k++;
	for (; k < nl && !md_blank(&lines[k]) && !md_heading(&lines[k]); k++) {
		const struct md_line *l = &lines[k];
		const char *colon = l->n > 2 ? memchr(l->s, ':', l->n) : NULL;
		if (l->n < 2 || memcmp(l->s, "- ", 2) != 0 || !colon)
			return LINE_ERR(err, name, l->no, "-",
					"expected a field line '- name: value' or a blank line");
		size_t klen = (size_t)(colon - l->s) - 2;
		const char *val = colon + 1;
		size_t vlen = l->n - (size_t)(val - l->s);
		if (vlen > 0 && *val == ' ')
			val++, vlen--;
		char key[16];
		if (klen == 0 || klen >= sizeof key)
			return LINE_ERR(err, name, l->no, "-", "unknown field");
		memcpy(key, l->s + 2, klen);
		key[klen] = '\0';
		json_t *v = md_unescape(val, vlen);
		const char *list = strcmp(key, "tag") == 0 ? "tags"
		    : strcmp(key, "alternative") == 0	   ? "alternatives"
							   : NULL;
		if (list) {
			json_t *arr = json_object_get(obj, list);
			if (!arr)
				json_object_set_new(obj, list, arr = json_array());
			json_array_append_new(arr, v);
		} else if (strcmp(key, "id") == 0 || strcmp(key, "kind") == 0 ||
			   strcmp(key, "product") == 0) {
			if (json_object_get(obj, key)) {
				json_decref(v);
				return LINE_ERR(err, name, l->no, key, "given twice");
			}
			json_object_set_new(obj, key, v);
		} else {
			json_decref(v);
			return LINE_ERR(err, name, l->no, key,
					"unknown field (id, kind, product, tag, alternative)");
		}
	}
	/* the body: up to the next heading, one leading '\' removed, blank lines around it trimmed */
	size_t from = k, to = k;
	while (to < nl && !md_heading(&lines[to]))
		to++;
	*i = to;
	while (from < to && md_blank(&lines[from]))
		from++;
	size_t end = to;
	while (end > from && md_blank(&lines[end - 1]))
		end--;
	struct buf b;
	buf_init(&b);
	for (size_t j = from; j < end; j++) {
		const char *s = lines[j].s;
		size_t n = lines[j].n;
		if (n > 0 && s[0] == '\\')
			s++, n--;
		buf_append(&b, s, n);
		if (j + 1 < end)
			buf_puts(&b, "\n");
	}
	json_object_set_new(obj, "body", json_stringn(b.data ? b.data : "", b.len));
	buf_free(&b);
	if (!json_object_get(obj, "id"))
		return LINE_ERR(err, name, line, "id", "missing (a line '- id: …' under the title)");
	if (!json_object_get(obj, "kind"))
		return LINE_ERR(err, name, line, "kind", "missing (a line '- kind: faq' under the title)");
	return check_obj(name, line, obj, r, err);
}

int kb_import_markdown(struct store_kb_writer *w, const char *name, const char *data, size_t len,
		       struct kb_import_stats *st, struct kefu_err *err)
{
	memset(st, 0, sizeof *st);
	size_t bad;
	if (!utf8_valid(data, len, &bad)) {
		int no = 1;
		for (size_t i = 0; i < bad; i++)
			no += data[i] == '\n';
		return LINE_ERR(err, name, no, "-", "invalid UTF-8");
	}
	struct md_line *lines = NULL;
	size_t nl = 0, lcap = 0;
	for (size_t p = 0; p < len;) {
		const char *e = memchr(data + p, '\n', len - p);
		size_t n = e ? (size_t)(e - (data + p)) : len - p;
		if (nl == lcap) {
			lcap = lcap ? lcap * 2 : 256;
			lines = xrealloc(lines, sizeof *lines * lcap);
		}
		lines[nl] =
		    (struct md_line){data + p, n > 0 && data[p + n - 1] == '\r' ? n - 1 : n, (int)nl + 1};
		nl++;
		p += n + (e ? 1 : 0);
	}
	struct rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	struct map seen;
	map_init(&seen);
	int r = 0;
	size_t i = 0;
	int text_at = 0; /* first line before the articles that is neither blank nor a "# " title */
	while (i < nl && !md_heading(&lines[i])) { /* the document's own title and any text before */
		if (!text_at && !md_blank(&lines[i]) &&
		    !(lines[i].n >= 2 && memcmp(lines[i].s, "# ", 2) == 0))
			text_at = lines[i].no;
		i++;
	}
	if (i == nl && text_at) { /* text but no article: not the Markdown form (e.g. "### " headings) */
		r = LINE_ERR(err, name, text_at, "-",
			     "no article in the file (each starts with a '## TITLE' line)");
		goto out;
	}
	while (i < nl) {
		if (nrec == cap) {
			cap = cap ? cap * 2 : 64;
			recs = xrealloc(recs, sizeof *recs * cap);
		}
		struct rec *rc = &recs[nrec++];
		memset(rc, 0, sizeof *rc);
		if ((r = md_article(name, lines, nl, &i, rc, err)) < 0 ||
		    (r = add_seen(&seen, recs, nrec, name, err)) < 0)
			goto out;
	}
	r = store_recs(w, name, recs, nrec, st, err);
out:
	free_recs(recs, nrec);
	map_free(&seen);
	free(lines);
	return r;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int kb_import_file(struct store_kb_writer *w, const char *path, struct kb_import_stats *st,
		   struct kefu_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return KEFU_ERR(err, KEFU_EIO, "file", "%s: %s", path, strerror(errno));
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, got);
	int bad = ferror(fp);
	fclose(fp);
	int r = bad ? KEFU_ERR(err, KEFU_EIO, "file", "%s: read error", path)
	    : ends_with(path, ".md") || ends_with(path, ".markdown")
	    ? kb_import_markdown(w, path, b.data ? b.data : "", b.len, st, err)
	    : kb_import_buffer(w, path, b.data ? b.data : "", b.len, st, err);
	buf_free(&b);
	return r;
}
