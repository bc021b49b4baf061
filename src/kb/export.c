/* export.c — the knowledge base going out (issue 7): `kefu kb export` as JSON Lines in exactly the
 * import format (DESIGN §5.4) or as one Markdown document a person can read and kb_import_markdown
 * reads back (docs/kb.md "Markdown"); plus the small pure helpers of the weekly high-frequency
 * question list (N-25): query normalisation and ISO weeks at +08:00. Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "guard/guard.h"
#include "kb/kb.h"
#include "kb/tokenizer.h"

enum { EXPORT_PAGE = 500 };

/* One article as an import line: kind, id, title, body, alternatives, tags, product (if any). */
static void jsonl_article(json_t *a, struct buf *out)
{
	json_t *o = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "kind", json_object_get(a, "kind"), "id",
			      json_object_get(a, "id"), "title", json_object_get(a, "title"), "body",
			      json_object_get(a, "body"), "alternatives", json_object_get(a, "alternatives"),
			      "tags", json_object_get(a, "tags"));
	json_t *product = json_object_get(a, "product");
	if (json_is_string(product))
		json_object_set(o, "product", product);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf_puts(out, s);
	buf_puts(out, "\n");
	free(s);
	json_decref(o);
}

/* A one-line value of the Markdown form: '\' → "\\", newline → "\n", CR → "\r". */
static void md_value(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else if (*s == '\r')
			buf_puts(out, "\\r");
		else
			buf_append(out, s, 1);
	}
}

static void md_list(json_t *a, const char *key, const char *label, struct buf *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(a, key), i, v)
	{
		buf_printf(out, "- %s: ", label);
		md_value(json_string_value(v), out);
		buf_puts(out, "\n");
	}
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* "## title", the fields as "- name: value" lines, a blank line, the body, a blank line. So that
 * kb_import_markdown reads back exactly the body: a body line that starts with "## " or "\", and a
 * blank first or last line (the import trims blank lines around the body), gets a leading "\"; a
 * line ending in CR gets one more CR (the import takes one CR before the newline as the line end);
 * a body ending in a newline ends with a "\" line (its empty last line). */
static void md_article(json_t *a, struct buf *out)
{
	buf_puts(out, "## ");
	md_value(json_string_value(json_object_get(a, "title")), out);
	buf_puts(out, "\n\n- id: ");
	md_value(json_string_value(json_object_get(a, "id")), out);
	buf_puts(out, "\n- kind: ");
	md_value(json_string_value(json_object_get(a, "kind")), out);
	buf_puts(out, "\n");
	const char *product = json_string_value(json_object_get(a, "product"));
	if (product) {
		buf_puts(out, "- product: ");
		md_value(product, out);
		buf_puts(out, "\n");
	}
	md_list(a, "tags", "tag", out);
	md_list(a, "alternatives", "alternative", out);
	buf_puts(out, "\n");
	const char *body = json_string_value(json_object_get(a, "body"));
	size_t n = strlen(body);
	for (size_t p = 0; n > 0 && p <= n;) {
		const char *nl = memchr(body + p, '\n', n - p);
		size_t len = nl ? (size_t)(nl - (body + p)) : n - p;
		bool first = p == 0, last = !nl;
		if ((len >= 3 && memcmp(body + p, "## ", 3) == 0) || (len >= 1 && body[p] == '\\') ||
		    ((first || last) && blank(body + p, len)))
			buf_puts(out, "\\");
		buf_append(out, body + p, len);
		if (len > 0 && body[p + len - 1] == '\r')
			buf_puts(out, "\r");
		buf_puts(out, "\n");
		if (!nl)
			break;
		p += len + 1;
	}
	buf_puts(out, "\n");
}

int kb_export(struct store_kb *k, enum kb_format f, struct buf *out, int64_t *count, struct kefu_err *err)
{
	int64_t after = 0, n = 0;
	if (f == KB_FORMAT_MARKDOWN)
		buf_puts(out, "# 知识库 / Knowledge base\n\n");
	for (;;) {
		json_t *page = NULL;
		int64_t last = 0;
		int r = store_kb_articles_page(k, after, NULL, false, EXPORT_PAGE, &page, &last, err);
		if (r < 0)
			return r;
		size_t i;
		json_t *a;
		json_array_foreach(page, i, a)
		{
			if (f == KB_FORMAT_MARKDOWN)
				md_article(a, out);
			else
				jsonl_article(a, out);
			n++;
		}
		size_t got = json_array_size(page);
		json_decref(page);
		if (got < EXPORT_PAGE)
			break;
		after = last;
	}
	if (count)
		*count = n;
	return 0;
}

/* ---- N-25 helpers ----------------------------------------------------------------------------- */

struct norm {
	const char *text;
	size_t done; /* input bytes up to here are already kept */
	struct buf kept; /* bytes of the input that belong to a token */
};

static int norm_cb(void *arg, enum kb_tok_kind kind, const char *tok, size_t len, size_t start, size_t end,
		   bool colocated)
{
	struct norm *n = arg;
	(void)kind, (void)tok, (void)len, (void)colocated;
	if (end > n->done) {
		size_t from = start > n->done ? start : n->done;
		buf_append(&n->kept, n->text + from, end - from);
		n->done = end;
	}
	return 0;
}

size_t kb_normalise_query(const char *q, size_t len, char *out, size_t cap)
{
	struct norm n = {.text = q};
	buf_init(&n.kept);
	kb_tokenize(q, len, KB_TOK_BIGRAMS, norm_cb, &n);
	struct buf folded;
	buf_init(&folded);
	kb_normalize(n.kept.data ? n.kept.data : "", n.kept.len, &folded);
	size_t k = folded.len;
	size_t max = cap - 1 < KB_NORM_MAX ? cap - 1 : KB_NORM_MAX;
	if (k > max) { /* whole characters only */
		k = max;
		while (k > 0 && ((unsigned char)folded.data[k] & 0xC0) == 0x80)
			k--;
	}
	if (k)
		memcpy(out, folded.data, k);
	out[k] = '\0';
	buf_free(&n.kept);
	buf_free(&folded);
	return k;
}

/* The proleptic Gregorian date of z days since 1970-01-01 (clock_days_from_civil backwards). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Monday (days since the epoch) of ISO week 1 of year y. */
static int64_t iso_week1(int64_t y)
{
	int64_t jan4 = clock_days_from_civil(y, 1, 4);
	int64_t wd = ((jan4 % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
	return jan4 - wd;
}

static void day_str(int64_t days, char *out)
{
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
}

#define DAY_MS 86400000LL
#define OFFSET_MS (8 * 3600000LL) /* +08:00 */

int kb_week_parse(const char *week, int64_t *from_ms, int64_t *to_ms, char *mon, char *sun,
		  struct kefu_err *err)
{
	int y = 0, w = 0, used = 0;
	if (!week || strlen(week) != 8 || sscanf(week, "%4d-W%2d%n", &y, &w, &used) != 2 || used != 8 ||
	    y < 1970 || y > 9999 || w < 1)
		return KEFU_ERR(err, KEFU_EINVAL, "week", "a week is written 2026-W47");
	int64_t start = iso_week1(y) + (int64_t)(w - 1) * 7;
	if (w > 52 && start >= iso_week1(y + 1))
		return KEFU_ERR(err, KEFU_EINVAL, "week", "%d has no week %d", y, w);
	*from_ms = start * DAY_MS - OFFSET_MS;
	*to_ms = *from_ms + 7 * DAY_MS;
	if (mon)
		day_str(start, mon);
	if (sun)
		day_str(start + 6, sun);
	return 0;
}

void kb_week_of(int64_t ms, char *out, size_t cap)
{
	int64_t days =
	    (ms + OFFSET_MS) >= 0 ? (ms + OFFSET_MS) / DAY_MS : ((ms + OFFSET_MS) - DAY_MS + 1) / DAY_MS;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int64_t year = y;
	if (days < iso_week1(year))
		year--;
	else if (days >= iso_week1(year + 1))
		year++;
	snprintf(out, cap, "%04d-W%02d", (int)year, (int)((days - iso_week1(year)) / 7 + 1));
}

/* ---- reports: the weekly list (N-25) and the bot's rates (KB-6) --------------------------------- */

int kb_report_week(struct store_kb *k, const char *week, int top, json_t **out, struct kefu_err *err)
{
	int64_t from = 0, to = 0, pfrom = 0, pto = 0;
	char mon[11], sun[11], pmon[11], psun[11], prev[16];
	int r = kb_week_parse(week, &from, &to, mon, sun, err);
	if (r < 0)
		return r;
	kb_week_of(from - DAY_MS, prev, sizeof prev);
	if ((r = kb_week_parse(prev, &pfrom, &pto, pmon, psun, err)) < 0)
		return r;
	json_t *queries = NULL, *categories = NULL;
	if ((r = store_kb_top_queries(k, mon, sun, pmon, psun, NULL, top, &queries, err)) < 0)
		return r;
	if ((r = store_kb_top_categories(k, pfrom, from, to, top, &categories, err)) < 0) {
		json_decref(queries);
		return r;
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "week", week, "from", mon, "to", sun, "previous_week",
			 prev, "queries", queries, "categories", categories);
	return 0;
}

static json_t *rate_row(const char *period, int64_t seen, int64_t deflected, int64_t handed)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:f,s:f}", "period", period, "seen", (json_int_t)seen, "deflected",
			 (json_int_t)deflected, "handed_over", (json_int_t)handed, "deflection_rate",
			 seen ? (double)deflected / (double)seen : 0.0, "handover_rate",
			 seen ? (double)handed / (double)seen : 0.0);
}

int kb_bot_rates(struct store_kb *k, int64_t from_ms, int64_t to_ms, bool weekly, json_t **out,
		 struct kefu_err *err)
{
	json_t *days = NULL;
	int r = store_kb_bot_days(k, from_ms, to_ms, &days, err);
	if (r < 0)
		return r;
	json_t *rows = json_array();
	char cur[16] = "";
	int64_t s = 0, d = 0, h = 0, ts = 0, td = 0, th = 0;
	size_t i;
	json_t *day;
	json_array_foreach(days, i, day)
	{
		const char *ds = json_string_value(json_object_get(day, "day"));
		char period[16];
		snprintf(period, sizeof period, "%s", ds ? ds : "");
		if (weekly && ds) {
			int64_t ms = 0;
			char at[40];
			snprintf(at, sizeof at, "%sT12:00:00+08:00", ds);
			clock_parse_rfc3339(at, strlen(at), &ms);
			kb_week_of(ms, period, sizeof period);
		}
		if (cur[0] && strcmp(cur, period) != 0) {
			json_array_append_new(rows, rate_row(cur, s, d, h));
			s = d = h = 0;
		}
		snprintf(cur, sizeof cur, "%s", period);
		int64_t ns = json_integer_value(json_object_get(day, "seen"));
		int64_t nd = json_integer_value(json_object_get(day, "deflected"));
		int64_t nh = json_integer_value(json_object_get(day, "handed_over"));
		s += ns, d += nd, h += nh, ts += ns, td += nd, th += nh;
	}
	if (cur[0])
		json_array_append_new(rows, rate_row(cur, s, d, h));
	json_decref(days);
	json_t *total = rate_row("total", ts, td, th);
	json_object_del(total, "period");
	*out = json_pack("{s:s,s:o,s:o}", "by", weekly ? "week" : "day", "rows", rows, "total", total);
	return 0;
}

/* ---- cases (KB-1, KB-5) ----------------------------------------------------------------------- */

int kb_case_text(const struct guard *g, json_t *msgs, struct buf *out, struct kefu_err *err)
{
	struct guard_scratch *s = guard_scratch_new(g);
	int r = 0;
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *from = json_string_value(json_object_get(m, "from"));
		const char *text = json_string_value(json_object_get(m, "text"));
		const char *who = !from		    ? NULL
		    : strcmp(from, "customer") == 0 ? "客户"
		    : strcmp(from, "agent") == 0    ? "客服"
		    : strcmp(from, "bot") == 0	    ? "机器人"
						    : NULL;
		if (!who || !text)
			continue;
		char *masked = NULL;
		if ((r = guard_mask(g, s, text, strlen(text), &masked, err)) < 0)
			break;
		buf_printf(out, "%s：%s\n", who, masked);
		free(masked);
	}
	guard_scratch_free(s);
	return r;
}
