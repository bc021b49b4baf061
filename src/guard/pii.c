/* pii.c — personal data in a message (C-07): mobile and landline numbers, resident ID numbers,
 * bank cards, e-mail addresses, street addresses and names with an honorific; and their masks.
 * The fast vectorscan pass only says which detectors to run (digit, '@', road/number triggers,
 * honorific and division-name hits); the checks (carrier segment, GB 11643 checksum and birth date,
 * Luhn) are plain C here. Never keeps or logs the data it finds; spans live in the caller's scratch. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "guard/guard_int.h"

/* ---- validators ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_dcp(uint32_t c)
{
	return c >= '0' && c <= '9';
}

bool guard_luhn_valid(const char *s, size_t n)
{
	if (n < 2)
		return false;
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[n - 1 - i];
		if (!is_digit(c))
			return false;
		unsigned d = (unsigned)(c - '0');
		if (i & 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* Segments from the carriers' published number plans (facts summarised in
 * ../shared/data/cn_mobile_regex, MIT): 11-digit voice, data-only and MVNO numbers. */
bool guard_mobile_valid(const char *s, size_t n)
{
	if (n != 11 || s[0] != '1')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	int a = s[1] - '0', b = s[2] - '0', c = s[3] - '0', d = s[4] - '0';
	switch (a) {
	case 3:
	case 8:
		return true; /* 130–139, 180–189 */
	case 4:
		return b == 5 || b == 7 || b == 9; /* data-only; 140/141/144/146/148 are 13-digit IoT */
	case 5:
		return b != 4;
	case 6:
		return b == 2 || b == 5 || b == 6 || b == 7;
	case 7:
		if (b == 4) /* 1740x telecom/emergency, 17410–17412 emergency, 1749 satellite */
			return c == 0 || (c == 1 && d <= 2) || c == 9;
		return b != 9;
	case 9:
		return b != 4;
	}
	return false;
}

static const unsigned char province_codes[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
					       35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
					       53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91};

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool guard_id_valid(const char *s, size_t n)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
	if (n != 18)
		return false;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (!is_digit(s[i]))
			return false;
		sum += (s[i] - '0') * w[i];
	}
	char last = s[17] == 'x' ? 'X' : s[17];
	if (last != check[sum % 11])
		return false;
	/* Area code: retired county codes stay valid, so only the province part is checked. */
	int prov = (s[0] - '0') * 10 + (s[1] - '0');
	int ok = 0;
	for (size_t i = 0; i < sizeof province_codes; i++)
		ok |= province_codes[i] == prov;
	if (!ok)
		return false;
	int y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
	int m = (s[10] - '0') * 10 + (s[11] - '0');
	int d = (s[12] - '0') * 10 + (s[13] - '0');
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || y > 2099 || m < 1 || m > 12 || d < 1)
		return false;
	int md = mdays[m - 1] + (m == 2 && leap(y));
	return d <= md;
}

/* ---- spans ---- */

static void add_span(struct guard_scratch *s, uint32_t start, uint32_t end, uint8_t kind, uint32_t keep)
{
	for (size_t i = 0; i < s->nspans; i++) /* first detector wins an overlap */
		if (start < s->spans[i].end && s->spans[i].start < end)
			return;
	guard__grow((void **)&s->spans, &s->capspans, s->nspans, sizeof *s->spans);
	s->spans[s->nspans++] = (struct guard__span){.start = start, .end = end, .pii = kind, .keep = keep};
}

/* ---- numbers ---- */

#define MAX_GROUPS 12

struct group {
	size_t start, end; /* bytes of one digit group (may end with X for an ID) */
};

static int is_alnum(unsigned char c)
{
	return is_dcp(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Digits of groups [i..j] without separators into d (≤ 40). */
static size_t collect(const char *text, const struct group *g, int i, int j, char *d)
{
	size_t n = 0;
	for (int k = i; k <= j; k++)
		for (size_t p = g[k].start; p < g[k].end && n < 40; p++)
			d[n++] = text[p];
	return n;
}

static uint8_t classify(const char *d, size_t n, int first_group_len)
{
	int has_x = n && (d[n - 1] == 'X' || d[n - 1] == 'x');
	if (n == 18 && guard_id_valid(d, n))
		return GUARD_PII_ID;
	if (has_x)
		return GUARD_PII_NONE;
	if (n == 11 && guard_mobile_valid(d, n))
		return GUARD_PII_MOBILE;
	if (n == 13 && d[0] == '8' && d[1] == '6' && guard_mobile_valid(d + 2, 11))
		return GUARD_PII_MOBILE;
	if (d[0] == '0' && d[1] != '0' && n >= 10 && n <= 12 &&
	    (first_group_len == (int)n || first_group_len == 3 || first_group_len == 4)) {
		/* 400/800 service numbers start with 4/8, so they never get here */
		return GUARD_PII_LANDLINE;
	}
	if (n >= 13 && n <= 19 && d[0] >= '3' && d[0] <= '6' && guard_luhn_valid(d, n))
		return GUARD_PII_CARD;
	return GUARD_PII_NONE;
}

static void find_numbers(struct guard_scratch *s, const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (!is_digit(text[i]) ||
		    (i > 0 && (is_alnum((unsigned char)text[i - 1]) || text[i - 1] == '+'))) {
			/* "+86" is part of the number: handled as 13 digits starting 86 below */
			if (!(is_digit(text[i]) && i > 0 && text[i - 1] == '+' &&
			      (i < 2 || !is_alnum((unsigned char)text[i - 2])))) {
				i++;
				continue;
			}
		}
		/* groups: digits, joined by one space or '-' */
		struct group g[MAX_GROUPS];
		int ng = 0;
		size_t p = i;
		for (;;) {
			size_t q = p;
			while (q < len && is_digit(text[q]))
				q++;
			if (q < len && (text[q] == 'X' || text[q] == 'x') &&
			    (q + 1 >= len || !is_alnum((unsigned char)text[q + 1])))
				q++;
			g[ng].start = p, g[ng].end = q;
			ng++;
			if (ng == MAX_GROUPS || q + 1 >= len || (text[q] != ' ' && text[q] != '-') ||
			    !is_digit(text[q + 1]))
				break;
			p = q + 1;
		}
		size_t run_end = g[ng - 1].end;
		if (run_end < len &&
		    is_alnum((unsigned char)text[run_end])) { /* glued to letters: not a number */
			i = run_end;
			while (i < len && is_alnum((unsigned char)text[i]))
				i++;
			continue;
		}
		int a = 0;
		while (a < ng) {
			int found = -1;
			uint8_t kind = GUARD_PII_NONE;
			for (int b = ng - 1; b >= a; b--) {
				char d[40];
				size_t n = collect(text, g, a, b, d);
				kind =
				    n >= 10 ? classify(d, n, (int)(g[a].end - g[a].start)) : GUARD_PII_NONE;
				if (kind != GUARD_PII_NONE) {
					found = b;
					break;
				}
			}
			if (found < 0) {
				a++;
				continue;
			}
			size_t st = g[a].start;
			if (st > 0 && text[st - 1] == '+')
				st--;
			add_span(s, (uint32_t)st, (uint32_t)g[found].end, kind, 0);
			a = found + 1;
		}
		i = run_end;
	}
}

/* ---- e-mail ---- */

static int email_local(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static void find_emails(struct guard_scratch *s, const char *text, size_t len)
{
	for (size_t at = 1; at + 1 < len; at++) {
		if (text[at] != '@')
			continue;
		size_t a = at;
		while (a > 0 && email_local((unsigned char)text[a - 1]) && at - a < 64)
			a--;
		while (a < at && !is_alnum((unsigned char)text[a]))
			a++;
		if (a == at)
			continue;
		size_t e = at + 1, last_dot = 0;
		while (e < len && (is_alnum((unsigned char)text[e]) || text[e] == '.' || text[e] == '-') &&
		       e - at < 255) {
			if (text[e] == '.')
				last_dot = e;
			e++;
		}
		while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-'))
			e--;
		if (!last_dot || last_dot >= e || last_dot == at + 1)
			continue;
		size_t tld = 0;
		for (size_t k = last_dot + 1; k < e; k++)
			tld = ((unsigned char)text[k] | 0x20) >= 'a' && ((unsigned char)text[k] | 0x20) <= 'z'
			    ? tld + 1
			    : 0;
		if (tld < 2 || tld != e - last_dot - 1)
			continue;
		add_span(s, (uint32_t)a, (uint32_t)e, GUARD_PII_EMAIL, 0);
		at = e;
	}
}

/* ---- names ---- */

static uint32_t surname_rank(const struct guard *g, uint32_t cp)
{
	size_t lo = 0, hi = g->nsurname1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->surname1[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nsurname1 && g->surname1[lo].cp == cp ? g->surname1[lo].rank : 0;
}

static int compound_surname(const struct guard *g, uint32_t a, uint32_t b)
{
	uint64_t key = (uint64_t)a << 32 | b;
	size_t lo = 0, hi = g->nsurname2;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (g->surname2[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nsurname2 && g->surname2[lo] == key;
}

static int is_cjk(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* Characters that do not occur in a given name in running text (function words, courtesy). */
static int name_stop(uint32_t cp)
{
	static const char stops[] = "的了是在我你您他她们这那个位和与及或就都也还要请问好谢说给叫找让被把对向"
				    "跟为号啊呢吗吧哦嗯呀亲各感致尊敬各";
	size_t n;
	for (size_t i = 0; stops[i]; i += n)
		if (guard__cp(stops, i, &n) == cp)
			return 1;
	return 0;
}

/* Surname rank limits: a surname further down the list than this is taken only before a given
 * name ("李明先生") or alone ("王先生") respectively; rarer ones are usually ordinary words. */
#define NAME_RANK_WITH_GIVEN 400
#define NAME_RANK_ALONE 600
#define NAME_RANK_PREFER_ALONE 100

static void find_name(const struct guard *g, struct guard_scratch *s, const char *text, uint32_t hon_start,
		      uint32_t hon_end)
{
	uint32_t cp[4];
	size_t at[4];
	int k = 0;
	size_t pos = hon_start;
	while (k < 4 && pos > 0) {
		size_t p = guard__prev(text, pos), n;
		uint32_t c = guard__cp(text, p, &n);
		if (!is_cjk(c))
			break;
		cp[k] = c, at[k] = p, k++;
		pos = p;
	}
	/* cp[0] is the character just before the honorific. */
	if (k == 0)
		return;
	int best = 0, best_comp = 0; /* name length in characters; compound surname */
	uint32_t r0 = surname_rank(g, cp[0]);
	int alone_ok = r0 && !name_stop(cp[0]) && !(k > 1 && cp[1] == cp[0]);
	if (alone_ok && r0 <= NAME_RANK_PREFER_ALONE)
		best = 1;
	for (int L = 4; L >= 2 && !best; L--) {
		if (L > k)
			continue;
		int comp = compound_surname(g, cp[L - 1], cp[L - 2]);
		uint32_t r = surname_rank(g, cp[L - 1]);
		if (!comp && (L == 4 || !r || r > NAME_RANK_WITH_GIVEN || cp[L - 1] == cp[L - 2]))
			continue;
		int ok = 1;
		for (int j = 0; j < L - (comp ? 2 : 1); j++)
			ok &= !name_stop(cp[j]) && cp[j] != cp[L - 1];
		if (ok)
			best = L, best_comp = comp;
	}
	if (!best && alone_ok && r0 <= NAME_RANK_ALONE)
		best = 1;
	if (!best)
		return;
	size_t start = at[best - 1];
	size_t nb;
	guard__cp(text, best_comp ? at[best - 2] : at[best - 1], &nb);
	size_t keep_end = (best_comp ? at[best - 2] : at[best - 1]) + nb;
	add_span(s, (uint32_t)start, hon_end, GUARD_PII_NAME, (uint32_t)(keep_end - start));
}

/* ---- addresses ---- */

static int cp_in(uint32_t cp, const char *set)
{
	size_t n;
	for (size_t i = 0; set[i]; i += n)
		if (guard__cp(set, i, &n) == cp)
			return 1;
	return 0;
}

static const char NUMBER_MARKERS[] = "号室栋幢楼层弄座";
static const char ROAD_MARKERS[] = "路街巷道";
static const char CN_DIGITS[] = "一二三四五六七八九十";
static const char ADDR_STOPS[] = "的了吗呢吧啊哦呀么请帮您你我在是到寄送发给改成为和或及与从往住址";

/* Extends an address to the right from pos; returns the end of the last number or road marker
 * within reach, or pos when there is none. */
static size_t addr_detail_end(const char *text, size_t len, size_t pos, int allow_road)
{
	size_t end = pos, p = pos;
	int ncp = 0, digit_before = 0;
	while (p < len && ncp < 40) {
		size_t n;
		uint32_t c = guard__cp(text, p, &n);
		int dig = is_dcp(c) || cp_in(c, CN_DIGITS);
		if (c == '-' || c == '#' || dig || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
			/* part of a number */
		} else if (!is_cjk(c) || cp_in(c, ADDR_STOPS)) {
			break;
		}
		if (cp_in(c, NUMBER_MARKERS) && digit_before)
			end = p + n;
		else if (allow_road && ncp <= 12 && cp_in(c, ROAD_MARKERS) && p > pos)
			end = p + n;
		if (c == 0x5355 /* 单 */ && p + n < len) {
			size_t m;
			if (guard__cp(text, p + n, &m) == 0x5143 /* 元 */ && digit_before)
				end = p + n + m;
		}
		digit_before = dig ? 1 : (cp_in(c, NUMBER_MARKERS) ? digit_before : 0);
		if (dig)
			digit_before = 1;
		p += n;
		ncp++;
	}
	return end;
}

static int cmp_raw_start(const void *a, const void *b)
{
	const struct guard__raw *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

static void find_addresses(const struct guard *g, struct guard_scratch *s, const char *text, size_t len,
			   struct guard__raw *div, size_t ndiv)
{
	qsort(div, ndiv, sizeof *div, cmp_raw_start);
	size_t i = 0;
	while (i < ndiv) {
		/* chain of adjacent division names: 广东省深圳市南山区 */
		uint32_t start = div[i].start, end = div[i].end, keep = 0;
		int saw_district = g->pats[div[i].id].level == 3;
		if (!saw_district)
			keep = end;
		size_t j = i + 1;
		for (; j < ndiv; j++) {
			if (div[j].start < end)
				continue; /* overlapping shorter name */
			if (div[j].start != end)
				break;
			end = div[j].end;
			if (g->pats[div[j].id].level == 3)
				saw_district = 1;
			else if (!saw_district)
				keep = end;
		}
		size_t e = addr_detail_end(text, len, end, 1);
		if (e > end)
			add_span(s, start, (uint32_t)e, GUARD_PII_ADDRESS, keep ? keep - start : 0);
		i = j;
	}
	if (!(s->trig & (1u << GP_TRIG_ROAD)))
		return;
	/* Street addresses without a division name: 建国路88号, 阳光小区3栋2单元501室 */
	size_t p = 0;
	while (p < len) {
		{
			size_t n;
			uint32_t c = guard__cp(text, p, &n);
			if (!is_dcp(c) && !cp_in(c, CN_DIGITS)) {
				p += n;
				continue;
			}
		}
		/* a number: is it followed by a marker? */
		size_t q = p, n;
		while (q < len) {
			uint32_t c = guard__cp(text, q, &n);
			if (!(is_dcp(c) || cp_in(c, CN_DIGITS)))
				break;
			q += n;
		}
		int marked = 0;
		if (q < len) {
			uint32_t c = guard__cp(text, q, &n);
			marked = cp_in(c, NUMBER_MARKERS) || c == 0x5355;
		}
		if (!marked) {
			p = q;
			continue;
		}
		size_t a = p;
		int ncp = 0;
		while (a > 0 && ncp < 12) {
			size_t b = guard__prev(text, a), m;
			uint32_t c = guard__cp(text, b, &m);
			if (!(is_cjk(c) || is_dcp(c) || c == '-') || cp_in(c, ADDR_STOPS))
				break;
			a = b;
			ncp++;
		}
		size_t e = addr_detail_end(text, len, p, 0);
		int has_road = 0;
		for (size_t t = a; t < p; t += n)
			has_road |= cp_in(guard__cp(text, t, &n), "路街巷道村区苑园院厦");
		if (e > p && (has_road || e - p >= 9))
			add_span(s, (uint32_t)a, (uint32_t)e, GUARD_PII_ADDRESS, 0);
		p = e > q ? e : q;
	}
}

static int cmp_span(const void *a, const void *b)
{
	const struct guard__span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void guard__pii_find(const struct guard *g, struct guard_scratch *s, const char *text, size_t len)
{
	s->nspans = 0;
	if (s->trig & (1u << GP_TRIG_DIGITS))
		find_numbers(s, text, len);
	if (s->trig & (1u << GP_TRIG_EMAIL))
		find_emails(s, text, len);
	/* division and honorific hits: gather the divisions at the end of raw (scratch-owned) */
	size_t ndiv = 0, nhon = 0;
	for (size_t i = 0; i < s->nraw; i++) {
		uint8_t k = g->pats[s->raw[i].id].kind;
		ndiv += k == GP_DIVISION;
		nhon += k == GP_HONORIFIC;
	}
	if (nhon)
		for (size_t i = 0; i < s->nraw; i++)
			if (g->pats[s->raw[i].id].kind == GP_HONORIFIC)
				find_name(g, s, text, s->raw[i].start, s->raw[i].end);
	if (ndiv || (s->trig & (1u << GP_TRIG_ROAD))) {
		struct guard__raw stackdiv[64], *div = stackdiv;
		if (ndiv > 64)
			div = xmalloc(ndiv * sizeof *div);
		size_t k = 0;
		for (size_t i = 0; i < s->nraw; i++)
			if (g->pats[s->raw[i].id].kind == GP_DIVISION)
				div[k++] = s->raw[i];
		find_addresses(g, s, text, len, div, k);
		if (div != stackdiv)
			free(div);
	}
	if (s->nspans > 1)
		qsort(s->spans, s->nspans, sizeof *s->spans, cmp_span);
}

/* ---- masks ---- */

void guard__pii_mask_span(const struct guard__span *sp, const char *text, struct buf *b)
{
	const char *t = text + sp->start;
	size_t n = sp->end - sp->start;
	size_t ndig = 0;
	for (size_t i = 0; i < n; i++)
		ndig += is_digit(t[i]) || t[i] == 'X' || t[i] == 'x';
	switch (sp->pii) {
	case GUARD_PII_MOBILE:
	case GUARD_PII_ID:
	case GUARD_PII_LANDLINE: {
		/* mobile 138****5678 (a +86 prefix stays), ID 110***********1234, landline 010-****5678 */
		size_t skip = 0, keep_head = 3, keep_tail = 4;
		if (sp->pii == GUARD_PII_MOBILE && ndig == 13)
			skip = 2;
		if (sp->pii == GUARD_PII_LANDLINE) {
			keep_head = (t[1] == '1' || t[1] == '2') ? 3 : 4;
			for (size_t i = 0; i < n; i++)
				if (t[i] == '-' || t[i] == ' ') {
					keep_head = i;
					break;
				}
		}
		size_t di = 0;
		for (size_t i = 0; i < n; i++) {
			int d = is_digit(t[i]) || t[i] == 'X' || t[i] == 'x';
			if (d && di >= skip + keep_head && di < ndig - keep_tail)
				buf_append(b, "*", 1);
			else
				buf_append(b, &t[i], 1);
			di += d;
		}
		return;
	}
	case GUARD_PII_CARD: {
		/* ****1234 */
		buf_puts(b, "****");
		size_t di = 0;
		for (size_t i = 0; i < n; i++)
			if (is_digit(t[i]) && di++ >= ndig - 4)
				buf_append(b, &t[i], 1);
		return;
	}
	case GUARD_PII_EMAIL: {
		/* a***@example.com */
		const char *at = memchr(t, '@', n);
		buf_append(b, t, 1);
		buf_puts(b, "***");
		buf_append(b, at, (size_t)(t + n - at));
		return;
	}
	case GUARD_PII_NAME:
		/* 王** (surname kept; given name and honorific masked) */
		buf_append(b, t, sp->keep);
		buf_puts(b, "**");
		return;
	case GUARD_PII_ADDRESS:
		/* 北京市**** (province/city kept) */
		buf_append(b, t, sp->keep);
		buf_puts(b, "****");
		return;
	}
	buf_puts(b, "****");
}

void guard__pii_mask_text(const struct guard__span *spans, size_t n, const char *text, size_t len,
			  struct buf *b)
{
	size_t pos = 0;
	buf_reserve(b, len);
	for (size_t i = 0; i < n; i++) {
		if (spans[i].start < pos)
			continue;
		buf_append(b, text + pos, spans[i].start - pos);
		guard__pii_mask_span(&spans[i], text, b);
		pos = spans[i].end;
	}
	buf_append(b, text + pos, len - pos);
}
