/* lexicon.c — loads the guard's data files (data/lexicons/NAME.tsv) and compiles them into vectorscan
 * databases: one fast database for every message, a start-of-match database for lexicon regexes,
 * and an emotion database for customer messages. A bad entry refuses the whole load with
 * "file:line" and the reason, so the rules in force stay in force. Owns the guard's lifetime
 * (reference counting, the hot-reload slot). Never scans messages and never writes files. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "guard/guard_int.h"

/* A lexicon file larger than this is refused (the konsheng stress list is ~2 MB). */
#define LEX_MAX_FILE (32u * 1024u * 1024u)
/* Longest pattern in bytes (pattern lengths are stored in 16 bits). */
#define LEX_MAX_PATTERN 1024u

static const char *const family_rules[GF_COUNT] = {"C-01", "C-02", "C-03", "C-04",
						   "C-05", "C-06", "C-07", "C-08"};
static const char *const family_names[GF_COUNT] = {"absolute", "refusal",   "buck_passing", "over_promise",
						   "command",  "impatient", "pii",	    "fraud"};
static const char *const pii_names[GUARD_PII_COUNT] = {"none",	    "mobile", "landline", "id_card",
						       "bank_card", "email",  "address",  "name"};

const char *guard__family_rule(int family)
{
	return family >= 0 && family < GF_COUNT ? family_rules[family] : "C-??";
}

const char *guard__family_name(int family)
{
	return family >= 0 && family < GF_COUNT ? family_names[family] : "unknown";
}

const char *guard_pii_name(enum guard_pii p)
{
	return (unsigned)p < GUARD_PII_COUNT ? pii_names[p] : "unknown";
}

const char *guard_verdict_name(enum guard_verdict v)
{
	switch (v) {
	case GUARD_PASS:
		return "pass";
	case GUARD_WARN:
		return "warn";
	case GUARD_BLOCK:
		return "block";
	}
	return "unknown";
}

const char *guard_severity_name(enum guard_severity s)
{
	switch (s) {
	case GUARD_SEV_RECORD:
		return "record";
	case GUARD_SEV_WARN:
		return "warn";
	case GUARD_SEV_BLOCK:
		return "block";
	}
	return "unknown";
}

void guard__grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return;
	size_t c = *cap ? *cap * 2 : 16;
	*arr = xrealloc(*arr, c * elem);
	*cap = c;
}

/* ---- the guard under construction ---- */

struct pat_src {
	const char *expr; /* vectorscan expression (escaped literal or regex) */
	unsigned flags;
	uint8_t db; /* 0 fast, 1 emotion */
};

struct loader {
	struct guard *g;
	struct pat_src *src; /* parallel to g->pats */
	size_t capsrc, cappats, caprules, capexcs;
	size_t capsur1, capsur2;
	struct buf version;
	struct kefu_err *err;
	char field[64]; /* "file:line" of the entry being parsed */
};

static const char *own(struct guard *g, char *s)
{
	guard__grow((void **)&g->strings, &g->capstrings, g->nstrings, sizeof *g->strings);
	g->strings[g->nstrings++] = s;
	return s;
}

static const char *own_n(struct guard *g, const char *s, size_t n)
{
	return own(g, xstrndup(s, n));
}

/* Escapes a literal for hs_compile_multi: ASCII punctuation and controls as \xHH, the rest as is. */
static char *escape_literal(const char *s, size_t n, int *has_alpha)
{
	struct buf b;
	buf_init(&b);
	*has_alpha = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9')) {
			buf_append(&b, &s[i], 1);
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			*has_alpha = 1;
			buf_append(&b, &s[i], 1);
		} else {
			buf_printf(&b, "\\x%02x", c);
		}
	}
	return buf_detach(&b);
}

static uint32_t add_pat(struct loader *L, uint8_t kind, const char *expr_owned, unsigned flags, uint8_t db,
			uint16_t len, uint32_t ref)
{
	struct guard *g = L->g;
	guard__grow((void **)&g->pats, &L->cappats, g->npats, sizeof *g->pats);
	guard__grow((void **)&L->src, &L->capsrc, g->npats, sizeof *L->src);
	g->pats[g->npats] = (struct guard__pat){.kind = kind, .len = len, .ref = ref};
	L->src[g->npats] = (struct pat_src){.expr = expr_owned, .flags = flags, .db = db};
	return (uint32_t)g->npats++;
}

static uint32_t add_literal(struct loader *L, uint8_t kind, const char *s, size_t n, uint8_t db, uint32_t ref)
{
	int alpha;
	char *e = escape_literal(s, n, &alpha);
	own(L->g, e);
	return add_pat(L, kind, e, HS_FLAG_UTF8 | (alpha ? HS_FLAG_CASELESS : 0), db, (uint16_t)n, ref);
}

/* ---- line parsing ---- */

#define MAX_FIELDS 8

struct line {
	const char *f[MAX_FIELDS];
	size_t n[MAX_FIELDS];
	int nf;
};

static int split_tabs(const char *s, size_t n, struct line *ln)
{
	ln->nf = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (ln->nf == MAX_FIELDS)
				return -1;
			ln->f[ln->nf] = s + start;
			ln->n[ln->nf] = i - start;
			ln->nf++;
			start = i + 1;
		}
	}
	return 0;
}

static int feq(const struct line *ln, int i, const char *lit)
{
	size_t k = strlen(lit);
	return ln->n[i] == k && memcmp(ln->f[i], lit, k) == 0;
}

static int bad(struct loader *L, const char *fmt, const char *detail)
{
	return KEFU_ERR(L->err, KEFU_EINVAL, L->field, fmt, detail);
}

static int check_text(struct loader *L, const char *what, const char *s, size_t n, int allow_empty)
{
	if (!allow_empty && n == 0)
		return bad(L, "%s is empty", what);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return bad(L, "%s contains a control character", what);
	return 0;
}

static int parse_severity(const struct line *ln, int i, uint8_t *out)
{
	if (feq(ln, i, "block"))
		*out = GUARD_SEV_BLOCK;
	else if (feq(ln, i, "warn"))
		*out = GUARD_SEV_WARN;
	else if (feq(ln, i, "record"))
		*out = GUARD_SEV_RECORD;
	else
		return -1;
	return 0;
}

static int parse_family(const char *s, size_t n)
{
	for (int f = 0; f < GF_COUNT; f++)
		if (n == 4 && memcmp(s, family_rules[f], 4) == 0)
			return f;
	return -1;
}

/* rules: pattern kind rule severity reason suggestion */
static int line_rule(struct loader *L, const struct line *ln)
{
	struct guard *g = L->g;
	if (ln->nf != 6)
		return bad(L,
			   "expected 6 tab-separated fields (pattern kind rule severity reason suggestion)%s",
			   "");
	int rc;
	if ((rc = check_text(L, "pattern", ln->f[0], ln->n[0], 0)) ||
	    (rc = check_text(L, "reason", ln->f[4], ln->n[4], 0)) ||
	    (rc = check_text(L, "suggestion", ln->f[5], ln->n[5], 0)))
		return rc;
	if (ln->n[0] > LEX_MAX_PATTERN)
		return bad(L, "pattern longer than 1024 bytes%s", "");
	int is_regex;
	if (feq(ln, 1, "literal"))
		is_regex = 0;
	else if (feq(ln, 1, "regex"))
		is_regex = 1;
	else
		return bad(L, "unknown kind '%.40s' (literal|regex)",
			   own_n(g, ln->f[1], ln->n[1] > 40 ? 40 : ln->n[1]));
	int fam = parse_family(ln->f[2], ln->n[2]);
	if (fam < 0 || fam == GF_PII)
		return bad(L, "unknown rule '%.20s' (C-01…C-06, C-08)",
			   own_n(g, ln->f[2], ln->n[2] > 20 ? 20 : ln->n[2]));
	uint8_t sev;
	if (parse_severity(ln, 3, &sev))
		return bad(L, "unknown severity '%.20s' (block|warn|record)",
			   own_n(g, ln->f[3], ln->n[3] > 20 ? 20 : ln->n[3]));
	guard__grow((void **)&g->rules, &L->caprules, g->nrules, sizeof *g->rules);
	struct guard__rule *r = &g->rules[g->nrules];
	r->family = (uint8_t)fam;
	r->severity = sev;
	r->is_regex = (uint8_t)is_regex;
	r->pattern = own_n(g, ln->f[0], ln->n[0]);
	r->reason = own_n(g, ln->f[4], ln->n[4]);
	const char *sg = ln->f[5];
	size_t sn = ln->n[5];
	r->drop_in = 0;
	if (sn > 1 && sg[0] == '=') { /* "=wording": replaces the matched text as is */
		r->drop_in = 1;
		sg++, sn--;
	}
	r->suggestion = own_n(g, sg, sn);
	r->where = own_n(g, L->field, strlen(L->field));
	uint32_t ri = (uint32_t)g->nrules++;
	if (is_regex)
		add_pat(L, GP_RULE_RE, r->pattern, HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH, 0, 0, ri);
	else
		add_literal(L, GP_RULE_LIT, ln->f[0], ln->n[0], 0, ri);
	return 0;
}

/* exceptions: phrase rules("*" or "C-01,C-04") */
static int line_exception(struct loader *L, const struct line *ln)
{
	struct guard *g = L->g;
	if (ln->nf != 2)
		return bad(L, "expected 2 tab-separated fields (phrase rules)%s", "");
	int rc = check_text(L, "phrase", ln->f[0], ln->n[0], 0);
	if (rc)
		return rc;
	if (ln->n[0] > LEX_MAX_PATTERN)
		return bad(L, "phrase longer than 1024 bytes%s", "");
	uint32_t mask = 0;
	if (feq(ln, 1, "*")) {
		mask = ~0u;
	} else {
		const char *s = ln->f[1], *e = s + ln->n[1];
		while (s < e) {
			const char *c = memchr(s, ',', (size_t)(e - s));
			if (!c)
				c = e;
			int fam = parse_family(s, (size_t)(c - s));
			if (fam < 0)
				return bad(L, "unknown rule in '%.40s'",
					   own_n(g, ln->f[1], ln->n[1] > 40 ? 40 : ln->n[1]));
			mask |= 1u << fam;
			s = c + 1;
		}
		if (!mask)
			return bad(L, "no rule named%s", "");
	}
	guard__grow((void **)&g->excs, &L->capexcs, g->nexcs, sizeof *g->excs);
	g->excs[g->nexcs] =
	    (struct guard__exception){.families = mask, .where = own_n(g, L->field, strlen(L->field))};
	add_literal(L, GP_EXCEPTION, ln->f[0], ln->n[0], 0, (uint32_t)g->nexcs++);
	return 0;
}

/* pii: kind severity reason suggestion */
static int line_pii(struct loader *L, const struct line *ln)
{
	struct guard *g = L->g;
	if (ln->nf != 4)
		return bad(L, "expected 4 tab-separated fields (kind severity reason suggestion)%s", "");
	int kind = -1;
	for (int k = 1; k < GUARD_PII_COUNT; k++)
		if (feq(ln, 0, pii_names[k]))
			kind = k;
	if (kind < 0)
		return bad(L, "unknown PII kind '%.30s'", own_n(g, ln->f[0], ln->n[0] > 30 ? 30 : ln->n[0]));
	uint8_t sev;
	if (parse_severity(ln, 1, &sev))
		return bad(L, "unknown severity (block|warn|record)%s", "");
	int rc;
	if ((rc = check_text(L, "reason", ln->f[2], ln->n[2], 0)) ||
	    (rc = check_text(L, "suggestion", ln->f[3], ln->n[3], 0)))
		return rc;
	if (g->pii[kind].where)
		return bad(L, "PII kind already set at %s", g->pii[kind].where);
	g->pii[kind] = (struct guard__pii_policy){.severity = sev,
						  .reason = own_n(g, ln->f[2], ln->n[2]),
						  .suggestion = own_n(g, ln->f[3], ln->n[3]),
						  .where = own_n(g, L->field, strlen(L->field))};
	return 0;
}

static int parse_float(const char *s, size_t n, float lo, float hi, float *out)
{
	char tmp[32];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return -1;
	*out = (float)v;
	return 0;
}

/* emotion: word class(pos|neg|negation|degree|contrast) weight; or 'neutral' band line */
static int line_emotion(struct loader *L, const struct line *ln)
{
	struct guard *g = L->g;
	if (ln->nf != 3)
		return bad(L, "expected 3 tab-separated fields (word class weight)%s", "");
	int rc = check_text(L, "word", ln->f[0], ln->n[0], 0);
	if (rc)
		return rc;
	if (ln->n[0] > 64)
		return bad(L, "word longer than 64 bytes%s", "");
	uint8_t kind;
	float lo = 0, hi = 5;
	if (feq(ln, 1, "pos"))
		kind = GP_EMO_POS;
	else if (feq(ln, 1, "neg"))
		kind = GP_EMO_NEG;
	else if (feq(ln, 1, "negation"))
		kind = GP_EMO_NEGATION;
	else if (feq(ln, 1, "degree"))
		kind = GP_EMO_DEGREE;
	else if (feq(ln, 1, "contrast"))
		kind = GP_EMO_CONTRAST;
	else if (feq(ln, 1, "neutral")) { /* policy line: the neutral band */
		float v;
		if (parse_float(ln->f[2], ln->n[2], 0, 1, &v))
			return bad(L, "neutral band must be a number in [0, 1]%s", "");
		g->emo_neutral = v;
		return 0;
	} else
		return bad(L, "unknown class '%.20s' (pos|neg|negation|degree|contrast|neutral)",
			   own_n(g, ln->f[1], ln->n[1] > 20 ? 20 : ln->n[1]));
	float w;
	if (parse_float(ln->f[2], ln->n[2], lo, hi, &w))
		return bad(L, "weight must be a number in [0, 5]%s", "");
	uint32_t id = add_literal(L, kind, ln->f[0], ln->n[0], 1, 0);
	g->pats[id].weight = w;
	return 0;
}

/* Decodes exactly one or two CJK code points. */
static int cps_of(const char *s, size_t n, uint32_t *cp, int max)
{
	int k = 0;
	size_t i = 0;
	while (i < n) {
		if (k == max)
			return -1;
		size_t m;
		cp[k++] = guard__cp(s, i, &m);
		i += m;
	}
	return k;
}

/* surnames: surname [weight] */
static int line_surname(struct loader *L, const struct line *ln)
{
	struct guard *g = L->g;
	if (ln->nf < 1 || ln->nf > 2)
		return bad(L, "expected surname [weight]%s", "");
	uint32_t cp[2];
	int k = cps_of(ln->f[0], ln->n[0], cp, 2);
	if (k < 1 || cp[0] < 0x3400 || (k == 2 && cp[1] < 0x3400))
		return bad(L, "a surname is one or two Chinese characters%s", "");
	if (k == 1) {
		guard__grow((void **)&g->surname1, &L->capsur1, g->nsurname1, sizeof *g->surname1);
		g->surname1[g->nsurname1].cp = cp[0];
		g->surname1[g->nsurname1].rank = (uint32_t)(g->nsurname1 + g->nsurname2 + 1);
		g->nsurname1++;
	} else {
		guard__grow((void **)&g->surname2, &L->capsur2, g->nsurname2, sizeof *g->surname2);
		g->surname2[g->nsurname2++] = (uint64_t)cp[0] << 32 | cp[1];
	}
	return 0;
}

/* divisions: name level(province|city|district) */
static int line_division(struct loader *L, const struct line *ln)
{
	if (ln->nf != 2)
		return bad(L, "expected 2 tab-separated fields (name level)%s", "");
	uint8_t level;
	if (feq(ln, 1, "province"))
		level = 1;
	else if (feq(ln, 1, "city"))
		level = 2;
	else if (feq(ln, 1, "district"))
		level = 3;
	else
		return bad(L, "unknown level (province|city|district)%s", "");
	if (utf8_count(ln->f[0], ln->n[0]) < 2 || ln->n[0] > 64)
		return bad(L, "a division name has 2–20 characters%s", "");
	int rc = check_text(L, "name", ln->f[0], ln->n[0], 0);
	if (rc)
		return rc;
	uint32_t id = add_literal(L, GP_DIVISION, ln->f[0], ln->n[0], 0, 0);
	L->g->pats[id].level = level;
	return 0;
}

enum file_type { FT_RULES, FT_EXCEPTIONS, FT_PII, FT_EMOTION, FT_SURNAMES, FT_DIVISIONS };
static const char *const type_names[] = {"rules", "exceptions", "pii", "emotion", "surnames", "divisions"};

static int load_file(struct loader *L, const char *dir, const char *name)
{
	struct guard *g = L->g;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(L->field, sizeof L->field, "%.50s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return KEFU_ERR(L->err, KEFU_EIO, L->field, "cannot open %s: %s", path, strerror(errno));
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + r > LEX_MAX_FILE) {
			fclose(f);
			buf_free(&b);
			return KEFU_ERR(L->err, KEFU_ELIMIT, L->field, "lexicon file larger than 32 MiB");
		}
		buf_append(&b, chunk, r);
	}
	int ioerr = ferror(f);
	fclose(f);
	if (ioerr) {
		buf_free(&b);
		return KEFU_ERR(L->err, KEFU_EIO, L->field, "read error on %s", path);
	}
	int rc = 0;
	size_t bad_at;
	if (!utf8_valid(b.data ? b.data : "", b.len, &bad_at)) {
		int lineno = 1;
		for (size_t i = 0; i < bad_at; i++)
			lineno += b.data[i] == '\n';
		snprintf(L->field, sizeof L->field, "%.50s:%d", name, lineno);
		rc = KEFU_ERR(L->err, KEFU_EINVAL, L->field, "invalid UTF-8");
		goto out;
	}
	int type = -1, lineno = 0;
	size_t pos = 0;
	while (pos < b.len && rc == 0) {
		const char *s = b.data + pos;
		const char *nl = memchr(s, '\n', b.len - pos);
		size_t n = nl ? (size_t)(nl - s) : b.len - pos;
		pos += n + 1;
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		snprintf(L->field, sizeof L->field, "%.50s:%d", name, lineno);
		if (type < 0) {
			/* Header: "#kefu-lexicon TYPE VERSION" */
			static const char magic[] = "#kefu-lexicon ";
			size_t m = sizeof magic - 1;
			if (n < m || memcmp(s, magic, m) != 0) {
				rc = bad(L, "first line must be '#kefu-lexicon TYPE VERSION'%s", "");
				break;
			}
			const char *t = s + m, *e = s + n;
			const char *sp = memchr(t, ' ', (size_t)(e - t));
			if (!sp || sp + 1 >= e) {
				rc = bad(L, "header lacks a version%s", "");
				break;
			}
			for (int k = 0; k < (int)(sizeof type_names / sizeof type_names[0]); k++)
				if ((size_t)(sp - t) == strlen(type_names[k]) &&
				    memcmp(t, type_names[k], (size_t)(sp - t)) == 0)
					type = k;
			if (type < 0) {
				rc = bad(L, "unknown lexicon type%s",
					 " (rules|exceptions|pii|emotion|surnames|divisions)");
				break;
			}
			if (check_text(L, "version", sp + 1, (size_t)(e - sp - 1), 0)) {
				rc = -KEFU_EINVAL;
				break;
			}
			buf_printf(&L->version, "%s%s@%.*s", L->version.len ? " " : "", name,
				   (int)(e - sp - 1), sp + 1);
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		struct line ln;
		if (split_tabs(s, n, &ln)) {
			rc = bad(L, "too many fields%s", "");
			break;
		}
		g->nentries++;
		switch (type) {
		case FT_RULES:
			rc = line_rule(L, &ln);
			break;
		case FT_EXCEPTIONS:
			rc = line_exception(L, &ln);
			break;
		case FT_PII:
			rc = line_pii(L, &ln);
			break;
		case FT_EMOTION:
			rc = line_emotion(L, &ln);
			break;
		case FT_SURNAMES:
			rc = line_surname(L, &ln);
			break;
		case FT_DIVISIONS:
			rc = line_division(L, &ln);
			break;
		}
	}
	if (rc == 0 && type < 0) {
		snprintf(L->field, sizeof L->field, "%.50s:1", name);
		rc = bad(L, "empty file: first line must be '#kefu-lexicon TYPE VERSION'%s", "");
	}
out:
	buf_free(&b);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_surname(const void *a, const void *b)
{
	uint32_t x = ((const struct guard__surname *)a)->cp, y = ((const struct guard__surname *)b)->cp;
	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Built-in patterns: PII triggers and honorifics (their meaning lives in pii.c). */
static void add_builtins(struct loader *L)
{
	add_pat(L, GP_TRIG_DIGITS, "[0-9]{4}", HS_FLAG_SINGLEMATCH, 0, 0, 0);
	add_pat(L, GP_TRIG_EMAIL, "[A-Za-z0-9_]@[A-Za-z0-9]", HS_FLAG_SINGLEMATCH, 0, 0, 0);
	add_pat(L, GP_TRIG_ROAD,
		"(?:路|街|巷|弄|道|胡同|村|里)[0-9一二三四五六七八九十]{1,5}(?:号|弄|巷)|[0-9]{1,4}(?:栋|幢|"
		"号楼|单元|室)",
		HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH, 0, 0, 0);
	static const char *const hon[] = {"先生", "女士", "小姐", "老师", "太太", "阿姨", "师傅"};
	for (size_t i = 0; i < sizeof hon / sizeof hon[0]; i++)
		add_literal(L, GP_HONORIFIC, hon[i], strlen(hon[i]), 0, 0);
}

/* Where pattern i came from, for compile errors. */
static const char *pat_where(const struct guard *g, size_t i)
{
	const struct guard__pat *p = &g->pats[i];
	if (p->kind == GP_RULE_LIT || p->kind == GP_RULE_RE)
		return g->rules[p->ref].where;
	if (p->kind == GP_EXCEPTION)
		return g->excs[p->ref].where;
	return "built-in";
}

static int compile(struct loader *L, int which, hs_database_t **db)
{
	struct guard *g = L->g;
	size_t n = 0;
	const char **ex = xmalloc((g->npats + 1) * sizeof *ex);
	unsigned *fl = xmalloc((g->npats + 1) * sizeof *fl);
	unsigned *ids = xmalloc((g->npats + 1) * sizeof *ids);
	for (size_t i = 0; i < g->npats; i++) {
		const struct guard__pat *p = &g->pats[i];
		if (which == 0 && L->src[i].db == 0) {
			ex[n] = L->src[i].expr, fl[n] = L->src[i].flags, ids[n] = (unsigned)i, n++;
		} else if (which == 1 && p->kind == GP_RULE_RE) {
			ex[n] = L->src[i].expr, fl[n] = HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST,
			ids[n] = (unsigned)n;
			g->som_ids[n] = (uint32_t)i;
			n++;
		} else if (which == 2 && L->src[i].db == 1) {
			ex[n] = L->src[i].expr, fl[n] = L->src[i].flags, ids[n] = (unsigned)i, n++;
		}
	}
	int rc = 0;
	*db = NULL;
	if (n > 0) {
		hs_compile_error_t *ce = NULL;
		if (hs_compile_multi(ex, fl, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &ce) != HS_SUCCESS) {
			const char *where = "built-in";
			if (ce && ce->expression >= 0 && (size_t)ce->expression < n) {
				size_t pi = which == 1 ? g->som_ids[ce->expression] : ids[ce->expression];
				where = pat_where(g, pi);
			}
			rc = KEFU_ERR(L->err, KEFU_EINVAL, where, "pattern refused by vectorscan: %s",
				      ce && ce->message ? ce->message : "unknown error");
			hs_free_compile_error(ce);
			*db = NULL;
		}
	}
	free(ex);
	free(fl);
	free(ids);
	return rc;
}

static const struct guard *dup_g; /* qsort has no context argument; loads are rare */
static pthread_mutex_t dup_mu = PTHREAD_MUTEX_INITIALIZER;

static int cmp_rule_idx(const void *a, const void *b)
{
	const struct guard__rule *x = &dup_g->rules[*(const uint32_t *)a],
				 *y = &dup_g->rules[*(const uint32_t *)b];
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->is_regex != y->is_regex)
		return x->is_regex < y->is_regex ? -1 : 1;
	int c = strcmp(x->pattern, y->pattern);
	if (c)
		return c;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	return i < j ? -1 : i > j;
}

/* The same pattern twice for one rule is an editing mistake: refuse the later entry. */
static int check_duplicates(const struct guard *g, struct kefu_err *err)
{
	if (g->nrules < 2)
		return 0;
	uint32_t *idx = xmalloc(g->nrules * sizeof *idx);
	for (size_t i = 0; i < g->nrules; i++)
		idx[i] = (uint32_t)i;
	pthread_mutex_lock(&dup_mu);
	dup_g = g;
	qsort(idx, g->nrules, sizeof *idx, cmp_rule_idx);
	dup_g = NULL;
	pthread_mutex_unlock(&dup_mu);
	int rc = 0;
	for (size_t i = 1; i < g->nrules && !rc; i++) {
		const struct guard__rule *x = &g->rules[idx[i - 1]], *y = &g->rules[idx[i]];
		if (x->family == y->family && x->is_regex == y->is_regex &&
		    strcmp(x->pattern, y->pattern) == 0)
			rc = KEFU_ERR(err, KEFU_EINVAL, y->where, "duplicate of the entry at %s", x->where);
	}
	free(idx);
	return rc;
}

static atomic_uint_fast64_t next_serial = 1;

static void guard_destroy(struct guard *g)
{
	hs_free_database(g->fast);
	hs_free_database(g->som);
	hs_free_database(g->emotion);
	for (size_t i = 0; i < g->nstrings; i++)
		free(g->strings[i]);
	free(g->strings);
	free(g->pats);
	free(g->som_ids);
	free(g->rules);
	free(g->excs);
	free(g->surname1);
	free(g->surname2);
	free(g->version);
	free(g);
}

static const struct {
	enum guard_pii kind;
	uint8_t severity;
	const char *reason;
	const char *suggestion;
} pii_defaults[] = {
    {GUARD_PII_MOBILE, GUARD_SEV_WARN, "手机号属于客户个人信息(C-07)", "请使用脱敏号码:"},
    {GUARD_PII_LANDLINE, GUARD_SEV_WARN, "电话号码属于客户个人信息(C-07)", "请使用脱敏号码:"},
    {GUARD_PII_ID, GUARD_SEV_BLOCK, "身份证号不得明文发送(C-07)", "请使用脱敏证件号:"},
    {GUARD_PII_CARD, GUARD_SEV_BLOCK, "银行卡号不得明文发送(C-07)", "请使用脱敏卡号:"},
    {GUARD_PII_EMAIL, GUARD_SEV_WARN, "邮箱属于客户个人信息(C-07)", "请使用脱敏邮箱:"},
    {GUARD_PII_ADDRESS, GUARD_SEV_WARN, "详细地址属于客户个人信息(C-07)", "请使用脱敏地址:"},
    {GUARD_PII_NAME, GUARD_SEV_WARN, "客户姓名属于个人信息(C-07)", "请使用订单号或脱敏姓名:"},
};

int guard_load(const char *dir, struct guard **out, struct kefu_err *err)
{
	*out = NULL;
	if (!dir)
		dir = GUARD_DEFAULT_DIR;
	if (hs_valid_platform() != HS_SUCCESS)
		return KEFU_ERR(err, KEFU_EINTERNAL, "",
				"vectorscan does not support this CPU (needs SSSE3)");
	DIR *d = opendir(dir);
	if (!d)
		return KEFU_ERR(err, KEFU_EIO, "", "cannot open lexicon directory %s: %s", dir,
				strerror(errno));
	char **names = NULL;
	size_t nnames = 0, capnames = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t k = strlen(de->d_name);
		if (k > 4 && strcmp(de->d_name + k - 4, ".tsv") == 0 && de->d_name[0] != '.') {
			guard__grow((void **)&names, &capnames, nnames, sizeof *names);
			names[nnames++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (nnames > 1)
		qsort(names, nnames, sizeof *names, cmp_str);

	struct guard *g = xcalloc(1, sizeof *g);
	atomic_init(&g->refs, 1);
	g->serial = atomic_fetch_add(&next_serial, 1);
	g->emo_neutral = 0.15f;
	struct loader L = {.g = g, .err = err};
	buf_init(&L.version);
	int rc = 0;
	if (nnames == 0) {
		rc = KEFU_ERR(err, KEFU_ENOTFOUND, "", "no *.tsv lexicon files in %s", dir);
		goto fail;
	}
	add_builtins(&L);
	for (size_t i = 0; i < nnames && rc == 0; i++)
		rc = load_file(&L, dir, names[i]);
	if (rc)
		goto fail;
	if ((rc = check_duplicates(g, err)))
		goto fail;
	for (size_t i = 0; i < sizeof pii_defaults / sizeof pii_defaults[0]; i++) {
		struct guard__pii_policy *p = &g->pii[pii_defaults[i].kind];
		if (!p->where)
			*p = (struct guard__pii_policy){.severity = pii_defaults[i].severity,
							.reason = pii_defaults[i].reason,
							.suggestion = pii_defaults[i].suggestion,
							.where = ""};
	}
	if (g->nsurname1 > 1)
		qsort(g->surname1, g->nsurname1, sizeof *g->surname1, cmp_surname);
	if (g->nsurname2 > 1)
		qsort(g->surname2, g->nsurname2, sizeof *g->surname2, cmp_u64);
	g->som_ids = xcalloc(g->npats + 1, sizeof *g->som_ids);
	if ((rc = compile(&L, 0, &g->fast)) || (rc = compile(&L, 1, &g->som)) ||
	    (rc = compile(&L, 2, &g->emotion)))
		goto fail;
	g->version = buf_detach(&L.version);
	free(L.src);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	*out = g;
	return 0;
fail:
	buf_free(&L.version);
	free(L.src);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	guard_destroy(g);
	return rc;
}

struct guard *guard_ref(struct guard *g)
{
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
	return g;
}

void guard_unref(struct guard *g)
{
	if (g && atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
		guard_destroy(g);
}

void guard_free(struct guard *g)
{
	guard_unref(g);
}

const char *guard_version(const struct guard *g)
{
	return g->version;
}

size_t guard_entry_count(const struct guard *g)
{
	return g->nentries;
}

/* ---- hot reload ---- */

struct guard_slot {
	pthread_mutex_t mu; /* held only to copy the pointer and take a reference */
	struct guard *g;
};

struct guard_slot *guard_slot_new(struct guard *g)
{
	struct guard_slot *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	s->g = g;
	return s;
}

struct guard *guard_slot_get(struct guard_slot *slot)
{
	pthread_mutex_lock(&slot->mu);
	struct guard *g = slot->g ? guard_ref(slot->g) : NULL;
	pthread_mutex_unlock(&slot->mu);
	return g;
}

void guard_slot_swap(struct guard_slot *slot, struct guard *g)
{
	pthread_mutex_lock(&slot->mu);
	struct guard *old = slot->g;
	slot->g = g;
	pthread_mutex_unlock(&slot->mu);
	guard_unref(old); /* readers holding references keep it alive */
}

int guard_slot_reload(struct guard_slot *slot, const char *dir, struct kefu_err *err)
{
	struct guard *g;
	int rc = guard_load(dir, &g, err);
	if (rc)
		return rc;
	guard_slot_swap(slot, g);
	return 0;
}

void guard_slot_free(struct guard_slot *slot)
{
	if (!slot)
		return;
	guard_unref(slot->g);
	pthread_mutex_destroy(&slot->mu);
	free(slot);
}
