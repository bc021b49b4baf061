/* import.c — `kefu import` (import.h, DESIGN §5.1). Two passes over the mapped file: the first
 * parses and checks every line and collects the ids it defines (so references resolve in any line
 * order); the second resolves references against the file and the store, compares reused ids and
 * writes new records through assess_store in one transaction. Per-row work uses the flat parser of
 * jsonl.c, not a JSON tree. It never prints and never writes outside that transaction. */
#include "kpi/import.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/mem.h"
#include "kpi/jsonl.h"
#include "guard/guard.h"
#include "kpi/rollup.h"
#include "store/ticket_kpi_store.h"
#include "ticket/ticket.h"

enum kind {
	K_AGENT,
	K_CUSTOMER,
	K_SESSION,
	K_MESSAGE,
	K_RATING,
	K_ORDER,
	K_COMPLAINT,
	K_PRESENCE,
	K_EXAM, /* people and quality kinds (people_store.c) */
	K_CONTRIB,
	K_CITATION,
	K_COLLAB,
	K_REVIEW,
	K_TICKET, /* issue 6: tickets, returns, exchanges (tickets table, ticket.* events) */
	K_RETURN,
	K_EXCHANGE,
	K_COUNT
};

static const char *const kind_names[K_COUNT] = {"agent",  "customer",	     "session",	      "message",
						"rating", "order",	     "complaint",     "presence",
						"exam",	  "kb_contribution", "case_citation", "collab_rating",
						"review", "ticket",	     "return",	      "exchange"};
/* docs/events.md type of the event each kind appends */
static const char *const event_types[K_COUNT] = {
    "agent.imported",  "customer.upserted",	   "session.imported",	     "message",
    "session.rated",   "order.recorded",	   "complaint.recorded",     "presence.interval",
    "exam.recorded",   "kb_contribution.imported", "case_citation.imported", "collab.rated",
    "review.recorded", "ticket.created",	   "ticket.created",	     "ticket.created"};
/* the id'd kinds and their assess_store kind (-1: records without id) */
static const int store_kind[K_COUNT] = {ASSESS_AGENT,
					ASSESS_CUSTOMER,
					ASSESS_SESSION,
					-1,
					-1,
					ASSESS_ORDER,
					ASSESS_COMPLAINT,
					-1,
					-1,
					-1,
					-1,
					-1,
					-1,
					ASSESS_TICKET,
					ASSESS_TICKET,
					ASSESS_TICKET};
/* the kinds stored by people_store.c and their people_kind (-1: not one) */
static const int people_of[K_COUNT] = {-1,
				       -1,
				       -1,
				       -1,
				       -1,
				       -1,
				       -1,
				       -1,
				       PEOPLE_EXAM,
				       PEOPLE_CONTRIB,
				       PEOPLE_CITATION,
				       PEOPLE_COLLAB,
				       PEOPLE_REVIEW,
				       -1,
				       -1,
				       -1};

enum ftype { F_STR, F_ENUM, F_TIME, F_BOOL, F_SCORE, F_NUM };

struct fdef {
	const char *name;
	enum ftype t;
	bool req;
	const char *enums; /* "a|b|c" for F_ENUM */
	int ref; /* enum assess_kind the value names, or -1 */
};

enum { MAX_FIELDS = 24, MAX_LINE = 1 << 20 };

/* field order = the order of the canonical form (assess_store.c canon statements) */
static const struct fdef f_agent[] = {{"id", F_STR, true, NULL, -1},
				      {"name", F_STR, true, NULL, -1},
				      {"team", F_STR, true, NULL, -1},
				      {"post", F_ENUM, true, "presale|aftersale|complaint", -1},
				      {"level", F_ENUM, false, "junior|senior|lead|supervisor|manager", -1},
				      {NULL, 0, 0, NULL, 0}};
static const struct fdef f_customer[] = {{"id", F_STR, true, NULL, -1},
					 {"type", F_ENUM, false, "new|returning|vip", -1},
					 {"region", F_STR, false, NULL, -1},
					 {NULL, 0, 0, NULL, 0}};
static const struct fdef f_session[] = {{"id", F_STR, true, NULL, -1},
					{"channel", F_ENUM, true, "web|app|im|phone|email|form", -1},
					{"customer", F_STR, true, NULL, ASSESS_CUSTOMER},
					{"agent", F_STR, true, NULL, ASSESS_AGENT},
					{"start", F_TIME, true, NULL, -1},
					{"end", F_TIME, false, NULL, -1},
					{"category", F_ENUM, false, "product|order|aftersale|policy", -1},
					{"complex", F_BOOL, false, NULL, -1},
					{NULL, 0, 0, NULL, 0}};
static const struct fdef f_message[] = {{"session", F_STR, true, NULL, ASSESS_SESSION},
					{"from", F_ENUM, true, "customer|agent|bot|system", -1},
					{"at", F_TIME, true, NULL, -1},
					{"text", F_STR, true, NULL, -1},
					{"agent", F_STR, false, NULL, ASSESS_AGENT},
					{NULL, 0, 0, NULL, 0}};
static const struct fdef f_rating[] = {{"session", F_STR, true, NULL, ASSESS_SESSION},
				       {"at", F_TIME, true, NULL, -1},
				       {"score", F_SCORE, true, NULL, -1},
				       {"solved", F_BOOL, false, NULL, -1},
				       {NULL, 0, 0, NULL, 0}};
static const struct fdef f_order[] = {{"id", F_STR, true, NULL, -1},
				      {"customer", F_STR, true, NULL, ASSESS_CUSTOMER},
				      {"at", F_TIME, true, NULL, -1},
				      {"amount", F_NUM, false, NULL, -1},
				      {"new_product", F_BOOL, false, NULL, -1},
				      {"recommended", F_BOOL, false, NULL, -1},
				      {NULL, 0, 0, NULL, 0}};
static const struct fdef f_complaint[] = {{"id", F_STR, true, NULL, -1},
					  {"customer", F_STR, true, NULL, ASSESS_CUSTOMER},
					  {"at", F_TIME, true, NULL, -1},
					  {"agent", F_STR, false, NULL, ASSESS_AGENT},
					  {"order", F_STR, false, NULL, ASSESS_ORDER},
					  {"session", F_STR, false, NULL, ASSESS_SESSION},
					  {"escalated", F_BOOL, false, NULL, -1},
					  {NULL, 0, 0, NULL, 0}};
static const struct fdef f_presence[] = {{"agent", F_STR, true, NULL, ASSESS_AGENT},
					 {"from", F_TIME, true, NULL, -1},
					 {"to", F_TIME, true, NULL, -1},
					 {NULL, 0, 0, NULL, 0}};
/* people and quality kinds: field order = the columns of their table (007_people.sql) */
static const struct fdef f_exam[] = {{"id", F_STR, true, NULL, -1},
				     {"agent", F_STR, true, NULL, ASSESS_AGENT},
				     {"at", F_TIME, true, NULL, -1},
				     {"score", F_NUM, true, NULL, -1},
				     {"pass_mark", F_NUM, false, NULL, -1},
				     {"passed", F_BOOL, false, NULL, -1},
				     {"topic", F_ENUM, false, "product|policy|new_product|service", -1},
				     {NULL, 0, 0, NULL, 0}};
static const struct fdef f_contrib[] = {{"id", F_STR, true, NULL, -1},
					{"agent", F_STR, true, NULL, ASSESS_AGENT},
					{"at", F_TIME, true, NULL, -1},
					{"article", F_STR, false, NULL, -1},
					{"state", F_ENUM, true, "accepted|rejected|pending", -1},
					{NULL, 0, 0, NULL, 0}};
static const struct fdef f_citation[] = {{"case", F_STR, true, NULL, -1},
					 {"author", F_STR, true, NULL, ASSESS_AGENT},
					 {"by", F_STR, true, NULL, ASSESS_AGENT},
					 {"at", F_TIME, true, NULL, -1},
					 {"session", F_STR, false, NULL, ASSESS_SESSION},
					 {NULL, 0, 0, NULL, 0}};
static const struct fdef f_collab[] = {
    {"id", F_STR, true, NULL, -1},	   {"agent", F_STR, true, NULL, ASSESS_AGENT},
    {"department", F_STR, true, NULL, -1}, {"at", F_TIME, true, NULL, -1},
    {"score", F_SCORE, true, NULL, -1},	   {NULL, 0, 0, NULL, 0}};
static const struct fdef f_review[] = {{"id", F_STR, true, NULL, -1},
				       {"agent", F_STR, true, NULL, ASSESS_AGENT},
				       {"at", F_TIME, true, NULL, -1},
				       {"type", F_ENUM, true, "qa|peer|self", -1},
				       {"score", F_NUM, true, NULL, -1},
				       {"session", F_STR, false, NULL, ASSESS_SESSION},
				       {"reviewer", F_STR, false, NULL, ASSESS_AGENT},
				       {NULL, 0, 0, NULL, 0}};
/* ticket, return, exchange: the fields they share come first, at the same index (TK_*) */
#define TICKET_FIELDS                                                                                        \
	{"id", F_STR, true, NULL, -1}, {"agent", F_STR, true, NULL, ASSESS_AGENT},                           \
	    {"created", F_TIME, true, NULL, -1}, {"type", F_STR, false, NULL, -1},                           \
	    {"priority", F_ENUM, false, "P1|P2|P3", -1},                                                     \
	    {"department", F_ENUM, false, "logistics|warehouse|tech|legal|product|service", -1},             \
	    {"order", F_STR, false, NULL, -1}, {"description", F_STR, false, NULL, -1},                      \
	    {"plan", F_STR, false, NULL, -1}, {"complex", F_BOOL, false, NULL, -1},                          \
	    {"customer", F_STR, false, NULL, ASSESS_CUSTOMER},                                               \
	    {"session", F_STR, false, NULL, ASSESS_SESSION},                                                 \
	    {"channel", F_ENUM, false, "chat|api|form|email", -1}, {"region", F_STR, false, NULL, -1},       \
	    {"claimed", F_TIME, false, NULL, -1}, {"resolved", F_TIME, false, NULL, -1},                     \
	{                                                                                                    \
		"steps", F_STR, false, NULL, -1                                                              \
	}
enum {
	TK_ID,
	TK_AGENT,
	TK_CREATED,
	TK_TYPE,
	TK_PRIORITY,
	TK_DEPARTMENT,
	TK_ORDER,
	TK_DESCRIPTION,
	TK_PLAN,
	TK_COMPLEX,
	TK_CUSTOMER,
	TK_SESSION,
	TK_CHANNEL,
	TK_REGION,
	TK_CLAIMED,
	TK_RESOLVED,
	TK_STEPS,
	TK_X1, /* ticket: complaint; return, exchange: audited */
	TK_X2, /* return: completed; exchange: shipped */
	TK_MAX_STEPS = 32
};
static const struct fdef f_ticket[] = {
    TICKET_FIELDS, {"complaint", F_BOOL, false, NULL, -1}, {NULL, 0, 0, NULL, 0}};
static const struct fdef f_return[] = {TICKET_FIELDS,
				       {"audited", F_TIME, false, NULL, -1},
				       {"completed", F_TIME, false, NULL, -1},
				       {NULL, 0, 0, NULL, 0}};
static const struct fdef f_exchange[] = {TICKET_FIELDS,
					 {"audited", F_TIME, false, NULL, -1},
					 {"shipped", F_TIME, false, NULL, -1},
					 {NULL, 0, 0, NULL, 0}};
static const struct fdef *const kind_fields[K_COUNT] = {
    f_agent, f_customer, f_session,  f_message, f_rating, f_order,  f_complaint, f_presence,
    f_exam,  f_contrib,	 f_citation, f_collab,	f_review, f_ticket, f_return,	 f_exchange};

const char *kpi_import_kind_name(int k)
{
	return k >= 0 && k < K_COUNT ? kind_names[k] : "?";
}

/* One parsed value. */
struct val {
	bool present; /* given and not null */
	struct assess_str s; /* F_STR/F_ENUM decoded text (points into the line or ctx->scratch) */
	const char *raw; /* the token as written */
	size_t raw_len;
	int64_t i; /* F_TIME ms, F_SCORE, integer F_NUM */
	int b; /* F_BOOL 0/1 */
	double d; /* real F_NUM */
	bool is_int;
};

/* An id defined by the file or found in the store. */
struct ent {
	const char *id; /* borrowed: the file mapping, or ids (store-found) */
	uint32_t len;
	uint32_t hash;
	int64_t line; /* defining line, 0 = found in the store */
	int64_t seq; /* sessions: last message seq assigned */
	int64_t start_ms; /* sessions: start */
	bool seq_init; /* sessions: seq holds the store's last_seq (or 0) */
	int64_t seq_written; /* sessions new to the store: the last_seq their row was inserted with */
	const char *line_p; /* the defining line (file ids) */
	size_t line_n;
};

struct idset {
	struct ent *v; /* cap slots, id NULL = empty */
	size_t cap, n;
};

struct ctx {
	struct assess_store *a;
	const struct kpi_rules *r;
	const char *name;
	const char *data;
	size_t len;
	struct idset sets[ASSESS_KINDS];
	struct idset psets[PEOPLE_KINDS]; /* ids of the people kinds (people_of) */
	struct idset msgs; /* per session id as written in message lines: their count (ent.seq) */
	bool ppresent[PEOPLE_KINDS]; /* people kinds with stored rows at the start */
	struct guard_scratch *gs; /* the compliance guard over imported agent messages, or NULL */
	struct buf gdata; /* guard.hit payload */
	struct buf scratch; /* decoded strings of the current line */
	struct buf canon, canon2; /* canonical forms being compared */
	struct buf ev; /* event payload */
	char **store_ids; /* copies of ids found in the store (freed at the end) */
	size_t n_store_ids, cap_store_ids;
	int64_t min_ms, max_ms; /* time span of the file */
	bool days_done; /* the first pass saw every time: the second does not collect them again */
	int64_t *days; /* local days of the file's times (consecutive repeats dropped), for mark_days */
	size_t n_days, cap_days;
	bool present[ASSESS_KINDS]; /* kinds with stored rows at the start (else no store lookups) */
	struct tkpi_writer *tw; /* imported tickets' events (ticket_kpi_store.c), made on first use */
	int64_t *extra_days; /* start days of store sessions the file touches */
	size_t n_extra, cap_extra;
	struct kefu_err *err;
};

static int fail(struct ctx *c, int64_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct ctx *c, int64_t line, const char *field, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (field)
		return KEFU_ERR(c->err, KEFU_EINVAL, field, "%s:%lld: field '%s': %s", c->name,
				(long long)line, field, why);
	return KEFU_ERR(c->err, KEFU_EINVAL, "line", "%s:%lld: %s", c->name, (long long)line, why);
}

/* ---- id sets ------------------------------------------------------------------------------- */

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static struct ent *set_find(struct idset *s, const char *id, size_t len, uint32_t h)
{
	if (!s->cap)
		return NULL;
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct ent *e = &s->v[i];
		if (!e->id)
			return NULL;
		if (e->hash == h && e->len == len && memcmp(e->id, id, len) == 0)
			return e;
	}
}

static struct ent *set_add(struct idset *s, const char *id, size_t len, uint32_t h)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct ent *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->v[i].id)
				continue;
			size_t j = s->v[i].hash & (ncap - 1);
			while (nv[j].id)
				j = (j + 1) & (ncap - 1);
			nv[j] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	size_t i = h & (s->cap - 1);
	while (s->v[i].id)
		i = (i + 1) & (s->cap - 1);
	struct ent *e = &s->v[i];
	memset(e, 0, sizeof *e);
	e->id = id;
	e->len = (uint32_t)len;
	e->hash = h;
	s->n++;
	return e;
}

/* ---- one line ------------------------------------------------------------------------------ */

static bool enum_has(const char *list, const char *s, size_t n)
{
	const char *p = list;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t k = bar ? (size_t)(bar - p) : strlen(p);
		if (k == n && memcmp(p, s, n) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static int ticket_check(struct ctx *c, int64_t line, int k, const struct val *v, struct tkpi_step_in *out,
			size_t *n);

/* name (NUL-terminated) equals the n bytes at p */
static inline bool name_is(const char *name, const char *p, size_t n)
{
	return n > 0 && name[0] == p[0] && strncmp(name, p, n) == 0 && name[n] == '\0';
}

/* Parses and checks one line: *kind and v[] (indexed like the kind's fdef). */
static int parse_line(struct ctx *c, const char *s, size_t n, int64_t line, int *kind, struct val *v)
{
	struct jsonl_field f[MAX_FIELDS + 1];
	int nf = 0;
	size_t off = 0;
	const char *why = NULL;
	if (n > MAX_LINE)
		return fail(c, line, NULL, "line longer than %d bytes", MAX_LINE);
	if (jsonl_parse(s, n, f, MAX_FIELDS + 1, &nf, &off, &why) < 0)
		return fail(c, line, NULL, "%s at byte %zu", why, off + 1);
	if (nf == 0 || f[0].key_len != 4 || memcmp(f[0].key, "kind", 4) != 0)
		return fail(c, line, "kind", "the first field must be \"kind\"");
	if (f[0].type != JSONL_STR || f[0].escaped)
		return fail(c, line, "kind", "not a kind name");
	int k = -1;
	for (int i = 0; i < K_COUNT && k < 0; i++)
		if (name_is(kind_names[i], f[0].raw + 1, f[0].raw_len - 2))
			k = i;
	if (k < 0)
		return fail(c, line, "kind", "unknown kind %.*s",
			    (int)(f[0].raw_len > 40 ? 40 : f[0].raw_len), f[0].raw);
	*kind = k;
	const struct fdef *defs = kind_fields[k];
	int nd = 0;
	while (defs[nd].name)
		nd++;
	memset(v, 0, sizeof *v * (size_t)nd);
	buf_reset(&c->scratch);
	buf_reserve(&c->scratch, n + 1); /* decoded text is never longer than the line: no realloc */
	for (int i = 1; i < nf; i++) {
		int d = -1;
		if (i - 1 < nd && name_is(defs[i - 1].name, f[i].key, f[i].key_len))
			d = i - 1; /* fields in table order (as kefu demo writes them) */
		for (int j = 0; j < nd && d < 0; j++)
			if (name_is(defs[j].name, f[i].key, f[i].key_len))
				d = j;
		if (d < 0) {
			char key[48];
			snprintf(key, sizeof key, "%.*s", (int)(f[i].key_len > 40 ? 40 : f[i].key_len),
				 f[i].key);
			return fail(c, line, key, "unknown field for kind %s", kind_names[k]);
		}
		const struct fdef *fd = &defs[d];
		struct val *x = &v[d];
		if (f[i].type == JSONL_NULL)
			continue; /* null = not given */
		x->raw = f[i].raw;
		x->raw_len = f[i].raw_len;
		switch (fd->t) {
		case F_STR:
		case F_ENUM:
		case F_TIME:
			if (f[i].type != JSONL_STR)
				return fail(c, line, fd->name,
					    fd->t == F_TIME ? "not a time string" : "not a string");
			if (f[i].escaped) {
				size_t at = c->scratch.len;
				if (jsonl_unescape(f[i].raw, f[i].raw_len, &c->scratch) < 0)
					return fail(c, line, fd->name, "bad escape");
				buf_append(&c->scratch, "", 1);
				x->s.p = c->scratch.data + at;
				x->s.n = c->scratch.len - at - 1;
			} else {
				x->s.p = f[i].raw + 1;
				x->s.n = f[i].raw_len - 2;
			}
			if (fd->t == F_ENUM && !enum_has(fd->enums, x->s.p, x->s.n))
				return fail(c, line, fd->name, "must be one of %s", fd->enums);
			if (fd->t == F_STR && x->s.n == 0 && (fd->ref >= 0 || d == 0))
				return fail(c, line, fd->name, "empty");
			if (fd->t == F_TIME) {
				if (clock_parse_rfc3339(x->s.p, x->s.n, &x->i) < 0)
					return fail(c, line, fd->name, "not an RFC 3339 time with offset");
				if (c->days_done)
					break;
				if (x->i < c->min_ms)
					c->min_ms = x->i;
				if (x->i > c->max_ms)
					c->max_ms = x->i;
				int64_t day = kpi_day(c->r, x->i);
				if (!c->n_days || c->days[c->n_days - 1] != day) {
					if (c->n_days == c->cap_days) {
						c->cap_days = c->cap_days ? c->cap_days * 2 : 256;
						c->days = xrealloc(c->days, c->cap_days * sizeof *c->days);
					}
					c->days[c->n_days++] = day;
				}
			}
			break;
		case F_BOOL:
			if (f[i].type != JSONL_TRUE && f[i].type != JSONL_FALSE)
				return fail(c, line, fd->name, "not a boolean");
			x->b = f[i].type == JSONL_TRUE;
			break;
		case F_SCORE:
		case F_NUM: {
			if (f[i].type != JSONL_NUM)
				return fail(c, line, fd->name, "not a number");
			char tmp[64];
			if (f[i].raw_len >= sizeof tmp)
				return fail(c, line, fd->name, "number too long");
			memcpy(tmp, f[i].raw, f[i].raw_len);
			tmp[f[i].raw_len] = '\0';
			x->is_int = !strpbrk(tmp, ".eE");
			errno = 0;
			if (x->is_int) {
				x->i = strtoll(tmp, NULL, 10);
				if (errno)
					return fail(c, line, fd->name, "out of range");
				x->d = (double)x->i;
			} else {
				x->d = strtod(tmp, NULL);
				if (errno)
					return fail(c, line, fd->name, "out of range");
			}
			if (fd->t == F_SCORE && (!x->is_int || x->i < 1 || x->i > 5))
				return fail(c, line, fd->name, "must be an integer 1-5");
			break;
		}
		}
		x->present = true;
	}
	for (int j = 0; j < nd; j++)
		if (defs[j].req && !v[j].present)
			return fail(c, line, defs[j].name, "missing");
	if (k == K_PRESENCE && v[2].i <= v[1].i)
		return fail(c, line, "to", "not after from");
	if (k == K_SESSION && v[5].present && v[5].i < v[4].i)
		return fail(c, line, "end", "before start");
	if (k == K_EXAM) { /* score, pass_mark 0-100; passed given or implied by pass_mark */
		if (v[3].d < 0 || v[3].d > 100)
			return fail(c, line, "score", "must be 0-100");
		if (v[4].present && (v[4].d < 0 || v[4].d > 100))
			return fail(c, line, "pass_mark", "must be 0-100");
		if (!v[4].present && !v[5].present)
			return fail(c, line, "pass_mark", "missing (give pass_mark or passed)");
		if (v[4].present && v[5].present && v[5].b != (v[3].d >= v[4].d))
			return fail(c, line, "passed", "contradicts score and pass_mark");
	}
	if (k == K_REVIEW && (!v[4].is_int || v[4].i < 1 || v[4].i > 10))
		return fail(c, line, "score", "must be an integer 1-10");
	if (store_kind[k] == ASSESS_TICKET) {
		struct tkpi_step_in steps[TK_MAX_STEPS];
		size_t ns;
		return ticket_check(c, line, k, v, steps, &ns);
	}
	return 0;
}

/* The canonical form of an id'd record (matches assess_store_canon). */
static void canon_of(int k, const struct val *v, struct buf *out)
{
	const struct fdef *defs = kind_fields[k];
	buf_reset(out);
	for (int j = 1; defs[j].name; j++) {
		if (j > 1)
			buf_append(out, "\x1f", 1);
		const struct val *x = &v[j];
		if (!x->present) {
			buf_append(out, "~", 1);
			continue;
		}
		switch (defs[j].t) {
		case F_STR:
		case F_ENUM:
			buf_append(out, x->s.p, x->s.n);
			break;
		case F_TIME:
		case F_SCORE:
			buf_printf(out, "%lld", (long long)x->i);
			break;
		case F_BOOL:
			buf_printf(out, "%d", x->b);
			break;
		case F_NUM:
			if (x->is_int)
				buf_printf(out, "%lld", (long long)x->i);
			else
				buf_printf(out, "%.17g", x->d);
			break;
		}
	}
}

/* Splits a canonical form into fields (in place, into ptr/len pairs). */
static int canon_split(const char *s, size_t n, struct assess_str *f, int max)
{
	int k = 0;
	size_t i0 = 0;
	for (size_t i = 0; i <= n && k < max; i++) {
		if (i == n || s[i] == '\x1f') {
			f[k].p = s + i0;
			f[k].n = i - i0;
			k++;
			i0 = i + 1;
		}
	}
	return k;
}

/* ---- the two passes ------------------------------------------------------------------------ */

struct lines {
	const char *p, *end;
	int64_t no;
};

/* Next line (without newline); false at the end. A final newline ends the last line. */
static bool next_line(struct lines *it, const char **s, size_t *n)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *e = nl ? nl : it->end;
	*s = it->p;
	*n = (size_t)(e - it->p);
	it->p = nl ? nl + 1 : it->end;
	it->no++;
	return true;
}

/* The id set of an id'd kind; NULL for kinds without id (message, rating, presence, citation). */
static struct idset *id_set(struct ctx *c, int k)
{
	if (store_kind[k] >= 0)
		return &c->sets[store_kind[k]];
	if (people_of[k] >= 0 && people_of[k] != PEOPLE_CITATION)
		return &c->psets[people_of[k]];
	return NULL;
}

static int pass1(struct ctx *c, struct kpi_import_stats *st)
{
	struct lines it = {c->data, c->data + c->len, 0};
	const char *s;
	size_t n;
	struct val v[MAX_FIELDS], w[MAX_FIELDS];
	while (next_line(&it, &s, &n)) {
		int k, r;
		if ((r = parse_line(c, s, n, it.no, &k, v)) < 0)
			return r;
		st->lines++;
		st->read[k]++;
		if (k == K_MESSAGE &&
		    !(v[0].s.p >= c->scratch.data && v[0].s.p < c->scratch.data + c->scratch.cap)) {
			/* the messages of each session (an escaped reference is not counted: its
			 * session then gets its last_seq by an update after the messages) */
			uint32_t h = hash_bytes(v[0].s.p, v[0].s.n);
			struct ent *m = set_find(&c->msgs, v[0].s.p, v[0].s.n, h);
			if (!m)
				m = set_add(&c->msgs, v[0].s.p, v[0].s.n, h);
			m->seq++;
			continue;
		}
		struct idset *set = id_set(c, k);
		if (!set)
			continue;
		uint32_t h = hash_bytes(v[0].s.p, v[0].s.n);
		if (v[0].s.p >= c->scratch.data && v[0].s.p < c->scratch.data + c->scratch.cap)
			return fail(c, it.no, "id", "escapes are not allowed in ids");
		struct ent *e = set_find(set, v[0].s.p, v[0].s.n, h);
		if (!e) {
			e = set_add(set, v[0].s.p, v[0].s.n, h);
			e->line = it.no;
			e->line_p = s;
			e->line_n = n;
			e->start_ms = k == K_SESSION ? v[4].i : 0;
			continue;
		}
		/* the id again in this file: identical content is a no-op, different is an error */
		canon_of(k, v, &c->canon2);
		int k0;
		if ((r = parse_line(c, e->line_p, e->line_n, e->line, &k0, w)) < 0)
			return r;
		canon_of(k0, w, &c->canon);
		if (k0 != k || c->canon.len != c->canon2.len ||
		    memcmp(c->canon.data, c->canon2.data, c->canon.len) != 0)
			return fail(c, it.no, "id",
				    "%s %.*s already defined on line %lld with different content",
				    kind_names[k], (int)(v[0].s.n > 60 ? 60 : v[0].s.n), v[0].s.p,
				    (long long)e->line);
	}
	return 0;
}

/* Resolves a reference: the file's ids, else the store (cached). */
static int resolve(struct ctx *c, int sk, const struct val *x, int64_t line, const char *field,
		   struct ent **out)
{
	uint32_t h = hash_bytes(x->s.p, x->s.n);
	struct ent *e = set_find(&c->sets[sk], x->s.p, x->s.n, h);
	if (!e) {
		bool found = false;
		int64_t last_seq = 0;
		buf_reset(&c->canon);
		int r = assess_store_canon(c->a, sk, x->s.p, x->s.n, &c->canon, &found, &last_seq, c->err);
		if (r < 0)
			return r;
		if (!found)
			return fail(c, line, field, "unknown %s %.*s",
				    sk == ASSESS_AGENT		? "agent"
					: sk == ASSESS_CUSTOMER ? "customer"
					: sk == ASSESS_SESSION	? "session"
					: sk == ASSESS_ORDER	? "order"
								: "complaint",
				    (int)(x->s.n > 60 ? 60 : x->s.n), x->s.p);
		if (c->n_store_ids == c->cap_store_ids) {
			c->cap_store_ids = c->cap_store_ids ? c->cap_store_ids * 2 : 64;
			c->store_ids = xrealloc(c->store_ids, c->cap_store_ids * sizeof *c->store_ids);
		}
		char *copy = xstrndup(x->s.p, x->s.n);
		c->store_ids[c->n_store_ids++] = copy;
		e = set_add(&c->sets[sk], copy, x->s.n, h);
		e->line = 0;
		if (sk == ASSESS_SESSION) {
			struct assess_str f[8];
			if (canon_split(c->canon.data, c->canon.len, f, 8) >= 4)
				e->start_ms = strtoll(f[3].p, NULL, 10);
			e->seq = last_seq;
			e->seq_init = true;
			if (c->n_extra == c->cap_extra) {
				c->cap_extra = c->cap_extra ? c->cap_extra * 2 : 64;
				c->extra_days = xrealloc(c->extra_days, c->cap_extra * sizeof *c->extra_days);
			}
			c->extra_days[c->n_extra++] = kpi_day(c->r, e->start_ms);
		}
	}
	*out = e;
	return 0;
}

static void append_i64(struct buf *b, int64_t x)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (x < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* "name": or "name_ms": */
static void append_key(struct buf *b, const char *name, bool ms)
{
	buf_append(b, "\"", 1);
	buf_append(b, name, strlen(name));
	if (ms)
		buf_append(b, "_ms", 3);
	buf_append(b, "\":", 2);
}

/* The event payload: the line's fields in table order, times as *_ms, plus the message seq. Built
 * by appends (no printf per field: this runs once per imported record). */
static void event_data(struct ctx *c, int k, const struct val *v, int64_t seq)
{
	const struct fdef *defs = kind_fields[k];
	struct buf *b = &c->ev;
	buf_reset(b);
	buf_append(b, "{", 1);
	bool first = true;
	if (k == K_MESSAGE) {
		append_key(b, "seq", false);
		append_i64(b, seq);
		first = false;
	}
	for (int j = 0; defs[j].name; j++) {
		if (!v[j].present)
			continue;
		if (!first)
			buf_append(b, ",", 1);
		first = false;
		if (defs[j].t == F_TIME) {
			append_key(b, defs[j].name, true);
			append_i64(b, v[j].i);
		} else {
			append_key(b, defs[j].name, false);
			buf_append(b, v[j].raw, v[j].raw_len);
		}
	}
	buf_append(b, "}", 1);
}

/* ---- tickets, returns, exchanges (issue 6) -------------------------------------------------- */

/* The tickets.kind of a line: a ticket is general unless complaint:true. */
static const char *ticket_kind_of(int k, const struct val *v)
{
	if (k == K_RETURN)
		return "return";
	if (k == K_EXCHANGE)
		return "exchange";
	return v[TK_X1].present && v[TK_X1].b ? "complaint" : "general";
}

/* The flow step a dedicated time field records (return: audited, completed; exchange: audited,
 * shipped), or NULL. */
static const char *step_field(int k, int idx)
{
	if (k == K_RETURN)
		return idx == TK_X1 ? "audit" : idx == TK_X2 ? "refunded" : NULL;
	if (k == K_EXCHANGE)
		return idx == TK_X1 ? "audit" : idx == TK_X2 ? "shipped" : NULL;
	return NULL;
}

static bool in_flow(const char *const *flow, const char *p, size_t n)
{
	for (size_t i = 0; flow && flow[i]; i++)
		if (strlen(flow[i]) == n && memcmp(flow[i], p, n) == 0)
			return true;
	return false;
}

/* Checks a ticket line (times not before created; the steps "name@time,name@time…" with names of
 * the kind's steps) and gives its steps in time order (equal times: the dedicated fields first,
 * then the order of the steps field). */
static int ticket_check(struct ctx *c, int64_t line, int k, const struct val *v, struct tkpi_step_in *out,
			size_t *n)
{
	const char *kind = ticket_kind_of(k, v);
	const char *const *flow = ticket_flow(kind);
	int64_t created = v[TK_CREATED].i;
	size_t m = 0, dedicated;
	for (int idx = TK_CLAIMED; kind_fields[k][idx].name; idx++) {
		if (idx == TK_STEPS || !v[idx].present || kind_fields[k][idx].t != F_TIME)
			continue;
		if (v[idx].i < created)
			return fail(c, line, kind_fields[k][idx].name, "before created");
		const char *name = step_field(k, idx);
		if (name)
			out[m++] = (struct tkpi_step_in){{name, strlen(name)}, v[idx].i, true};
	}
	dedicated = m;
	if (v[TK_STEPS].present) {
		const char *p = v[TK_STEPS].s.p, *end = p + v[TK_STEPS].s.n;
		while (p < end) {
			const char *comma = memchr(p, ',', (size_t)(end - p));
			const char *e = comma ? comma : end;
			const char *at = memchr(p, '@', (size_t)(e - p));
			if (!at || at == p)
				return fail(c, line, "steps", "each step is name@time, separated by commas");
			if (m == TK_MAX_STEPS)
				return fail(c, line, "steps", "more than %d steps", TK_MAX_STEPS);
			size_t nl = (size_t)(at - p);
			char name[32];
			snprintf(name, sizeof name, "%.*s", (int)(nl < sizeof name ? nl : sizeof name - 1),
				 p);
			if (nl >= sizeof name || !ticket_step_known(kind, name))
				return fail(c, line, "steps", "'%s' is not a step of a %s ticket", name,
					    kind);
			for (size_t i = 0; i < dedicated; i++)
				if (out[i].step.n == nl && memcmp(out[i].step.p, p, nl) == 0)
					return fail(c, line, "steps",
						    "step %s is also given as its own field", name);
			int64_t ms;
			if (clock_parse_rfc3339(at + 1, (size_t)(e - at - 1), &ms) < 0)
				return fail(c, line, "steps", "step %s: not an RFC 3339 time with offset",
					    name);
			if (ms < created)
				return fail(c, line, "steps", "step %s before created", name);
			out[m++] = (struct tkpi_step_in){{p, nl}, ms, in_flow(flow, p, nl)};
			if (!comma)
				break;
			p = comma + 1;
			if (p == end)
				return fail(c, line, "steps", "empty step after the last comma");
		}
	}
	for (size_t i = 1; i < m; i++) /* stable insertion sort by time */
		for (size_t j = i; j > 0 && out[j - 1].at_ms > out[j].at_ms; j--) {
			struct tkpi_step_in t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	*n = m;
	return 0;
}

/* The hex hash of a ticket line's kind and canonical form (stored as tickets.import_hash). */
static void ticket_hash(struct ctx *c, int k, const struct val *v, char hex[33])
{
	canon_of(k, v, &c->canon2);
	unsigned char h[16];
	crypto_generichash_state gs;
	crypto_generichash_init(&gs, NULL, 0, sizeof h);
	crypto_generichash_update(&gs, (const unsigned char *)kind_names[k], strlen(kind_names[k]) + 1);
	crypto_generichash_update(&gs, (const unsigned char *)c->canon2.data, c->canon2.len);
	crypto_generichash_final(&gs, h, sizeof h);
	sodium_bin2hex(hex, 33, h, sizeof h);
}

/* 1 = new, 0 = the same ticket imported before, or an error (the id is taken otherwise). */
static int check_stored_ticket(struct ctx *c, int k, const struct val *v, int64_t line)
{
	if (!c->present[ASSESS_TICKET])
		return 1;
	bool found = false;
	buf_reset(&c->canon);
	int r = assess_store_canon(c->a, ASSESS_TICKET, v[0].s.p, v[0].s.n, &c->canon, &found, NULL, c->err);
	if (r < 0 || !found)
		return r < 0 ? r : 1;
	char hex[33];
	ticket_hash(c, k, v, hex);
	if (c->canon.len == 32 && memcmp(c->canon.data, hex, 32) == 0)
		return 0;
	return fail(c, line, "id", "ticket %.*s already exists with different content",
		    (int)(v[0].s.n > 60 ? 60 : v[0].s.n), v[0].s.p);
}

/* Appends the ticket's events (ticket.created, .claimed, .step…, .resolved; no sla.* events, so
 * no live deadline starts) through the ticket projection. */
static int put_ticket(struct ctx *c, int k, const struct val *v)
{
	struct tkpi_step_in steps[TK_MAX_STEPS];
	size_t ns = 0;
	int r = ticket_check(c, 0, k, v, steps, &ns);
	if (r == 0 && !c->tw)
		r = tkpi_writer_new(c->a, &c->tw, c->err);
	if (r < 0)
		return r;
	char hex[33];
	ticket_hash(c, k, v, hex);
	const char *kind = ticket_kind_of(k, v);
	static const int n14_idx[6] = {TK_TYPE,	 TK_PRIORITY,	 TK_DEPARTMENT,
				       TK_ORDER, TK_DESCRIPTION, TK_PLAN};
	const char *n14[6];
	for (int i = 0; i < 6; i++)
		n14[i] = v[n14_idx[i]].present && v[n14_idx[i]].s.n > 0 ? v[n14_idx[i]].s.p : NULL;
#define S(i) (v[i].present ? v[i].s : (struct assess_str){NULL, 0})
	struct tkpi_ticket_in t = {
	    .id = S(TK_ID),
	    .kind = {kind, strlen(kind)},
	    .type = S(TK_TYPE),
	    .priority = S(TK_PRIORITY),
	    .department = S(TK_DEPARTMENT),
	    .order = S(TK_ORDER),
	    .customer = S(TK_CUSTOMER),
	    .session = S(TK_SESSION),
	    /* as the live API: a ticket from a chat session, else one made through the API */
	    .channel = v[TK_CHANNEL].present ? v[TK_CHANNEL].s
		: v[TK_SESSION].present	     ? (struct assess_str){"chat", 4}
					     : (struct assess_str){"api", 3},
	    .description = S(TK_DESCRIPTION),
	    .plan = S(TK_PLAN),
	    .region = S(TK_REGION),
	    .agent = S(TK_AGENT),
	    .import_hash = hex,
	    .complex = v[TK_COMPLEX].present && v[TK_COMPLEX].b,
	    .created_ms = v[TK_CREATED].i,
	    .claimed_ms = v[TK_CLAIMED].present ? v[TK_CLAIMED].i : -1,
	    .resolved_ms = v[TK_RESOLVED].present ? v[TK_RESOLVED].i : -1,
	    .steps = steps,
	    .n_steps = ns,
	};
#undef S
	ticket_completeness(kind, n14, &t.fields_required, &t.fields_filled);
	return tkpi_writer_put(c->tw, &t, c->err);
}

/* A record of a people kind: its fields bound in table order (people_store.c). */
static int put_people(struct ctx *c, int k, const struct val *v)
{
	const struct fdef *defs = kind_fields[k];
	struct people_val pv[MAX_FIELDS];
	int n = 0;
	int64_t at = 0;
	struct assess_str session = {NULL, 0};
	for (; defs[n].name; n++) {
		struct people_val *x = &pv[n];
		const struct val *y = &v[n];
		memset(x, 0, sizeof *x);
		if (!y->present)
			continue;
		switch (defs[n].t) {
		case F_STR:
		case F_ENUM:
			x->t = 1, x->p = y->s.p, x->n = y->s.n;
			break;
		case F_TIME:
		case F_SCORE:
			x->t = 2, x->i = y->i;
			break;
		case F_BOOL:
			x->t = 2, x->i = y->b;
			break;
		case F_NUM:
			if (y->is_int)
				x->t = 2, x->i = y->i;
			else
				x->t = 3, x->d = y->d;
			break;
		}
		if (strcmp(defs[n].name, "at") == 0)
			at = y->i;
		else if (strcmp(defs[n].name, "session") == 0)
			session = y->s;
	}
	return people_store_put(assess_store_people(c->a), people_of[k], at, event_types[k], c->ev.data,
				c->ev.len, session.p, session.n, pv, n, c->err);
}

static const struct guard *import_guard; /* kpi_import_set_guard */

void kpi_import_set_guard(const struct guard *g)
{
	import_guard = g;
}

/* K-30…K-32: the compliance guard over an imported agent message (as live chat runs it before
 * sending); a message with hits gets a guard.hit event and a kpi_violations row. A text the guard
 * refuses as too long is not scanned. */
static int scan_message(struct ctx *c, const struct val *v, int64_t seq)
{
	if (v[1].s.n != 5 || memcmp(v[1].s.p, "agent", 5) != 0)
		return 0;
	struct guard_result res = {0};
	struct kefu_err gerr = {0};
	int r = guard_scan(import_guard, c->gs, GUARD_ROLE_AGENT, v[3].s.p, v[3].s.n, &res, &gerr);
	if (r == -KEFU_ELIMIT || r == -KEFU_EINVAL || (r == 0 && res.nhits == 0)) {
		guard_result_clear(&res);
		return 0;
	}
	if (r < 0)
		return KEFU_ERR(c->err, r, "guard", "compliance guard: %s", gerr.msg);
	struct buf *b = &c->gdata;
	char rules[256] = "";
	size_t rl = 0;
	bool security = false;
	buf_reset(b);
	buf_printf(b, "{\"verdict\":\"%s\",\"role\":\"agent\",\"hits\":[", guard_verdict_name(res.verdict));
	for (size_t i = 0; i < res.nhits; i++) {
		const struct guard_hit *h = &res.hits[i];
		buf_printf(b, "%s{\"rule\":\"%s\",\"start\":%zu,\"end\":%zu,\"severity\":\"%s\"}",
			   i ? "," : "", h->rule, h->start, h->end, guard_severity_name(h->severity));
		if (rl + strlen(h->rule) + 2 < sizeof rules && !strstr(rules, h->rule))
			rl += (size_t)snprintf(rules + rl, sizeof rules - rl, "%s%s", rl ? "," : "", h->rule);
		rules[rl] = '\0';
		security |= strcmp(h->rule, "C-08") == 0 ||
		    (strcmp(h->rule, "C-07") == 0 && h->severity == GUARD_SEV_BLOCK);
	}
	buf_printf(b, "],\"delivered\":true,\"seq\":%lld,\"imported\":true}", (long long)seq);
	guard_result_clear(&res);
	return people_store_put_violation(assess_store_people(c->a), v[0].s.p, v[0].s.n, seq, v[2].i,
					  v[4].present ? v[4].s.p : NULL, v[4].s.n, security, rules, b->data,
					  b->len, c->err);
}

static int put(struct ctx *c, int k, const struct val *v, int64_t seq)
{
	struct assess_rec r;
	memset(&r, 0, sizeof r);
	r.end_ms = -1;
	r.complex = r.solved = r.new_product = r.recommended = r.escalated = -1;
	event_data(c, k, v, seq);
	r.event_type = event_types[k];
	r.event_data = c->ev.data;
	r.event_data_len = c->ev.len;
	if (people_of[k] >= 0)
		return put_people(c, k, v);
	if (store_kind[k] == ASSESS_TICKET)
		return put_ticket(c, k, v);
#define S(i) (v[i].present ? v[i].s : (struct assess_str){NULL, 0})
#define B(i) (v[i].present ? v[i].b : -1)
	switch (k) {
	case K_AGENT:
		r.id = S(0), r.name = S(1), r.team = S(2), r.post = S(3), r.level = S(4);
		r.at_ms = clock_now_ms();
		return assess_store_put_agent(c->a, &r, c->err);
	case K_CUSTOMER:
		r.id = S(0), r.type = S(1), r.region = S(2);
		r.at_ms = clock_now_ms();
		return assess_store_put_customer(c->a, &r, c->err);
	case K_SESSION:
		r.id = S(0), r.channel = S(1), r.customer = S(2), r.agent = S(3), r.at_ms = v[4].i;
		r.seq = seq; /* last_seq */
		r.end_ms = v[5].present ? v[5].i : -1;
		r.category = S(6), r.complex = B(7);
		return assess_store_put_session(c->a, &r, c->err);
	case K_MESSAGE:
		r.session = S(0), r.from = S(1), r.at_ms = v[2].i, r.text = S(3), r.agent = S(4), r.seq = seq;
		return assess_store_put_message(c->a, &r, c->err);
	case K_RATING:
		r.session = S(0), r.at_ms = v[1].i, r.score = v[2].i, r.solved = B(3);
		return assess_store_put_rating(c->a, &r, c->err);
	case K_ORDER:
		r.id = S(0), r.customer = S(1), r.at_ms = v[2].i, r.new_product = B(4), r.recommended = B(5);
		r.has_amount = v[3].present, r.amount_is_int = v[3].is_int, r.amount_i = v[3].i,
		r.amount_d = v[3].d;
		return assess_store_put_order(c->a, &r, c->err);
	case K_COMPLAINT:
		r.id = S(0), r.customer = S(1), r.at_ms = v[2].i, r.agent = S(3), r.order = S(4),
		r.session = S(5);
		r.escalated = B(6);
		return assess_store_put_complaint(c->a, &r, c->err);
	default:
		r.agent = S(0), r.at_ms = v[1].i, r.to_ms = v[2].i;
		return assess_store_put_presence(c->a, &r, c->err);
	}
#undef S
#undef B
}

/* Compares an id'd record at its defining line with the store: 1 = new, 0 = identical (or only
 * fills customer fields the store lacks → 1), or an error. */
static int check_stored(struct ctx *c, int k, const struct val *v, int64_t line)
{
	if (store_kind[k] == ASSESS_TICKET)
		return check_stored_ticket(c, k, v, line);
	int sk = store_kind[k], pk = people_of[k];
	bool found = false;
	if (sk >= 0 ? !c->present[sk] : !c->ppresent[pk])
		return 1; /* nothing of this kind was stored before the file */
	buf_reset(&c->canon);
	int r = sk >= 0 ? assess_store_canon(c->a, sk, v[0].s.p, v[0].s.n, &c->canon, &found, NULL, c->err)
			: people_store_canon(assess_store_people(c->a), pk, v[0].s.p, v[0].s.n, &c->canon,
					     &found, c->err);
	if (r < 0)
		return r;
	if (!found)
		return 1;
	canon_of(k, v, &c->canon2);
	if (c->canon.len == c->canon2.len && memcmp(c->canon.data, c->canon2.data, c->canon.len) == 0)
		return 0;
	if (k == K_CUSTOMER) { /* a field the store lacks is filled; a different value is an error */
		struct assess_str have[4], want[4];
		int nh = canon_split(c->canon.data, c->canon.len, have, 4);
		int nw = canon_split(c->canon2.data, c->canon2.len, want, 4);
		bool fills = false;
		for (int i = 0; i < nh && i < nw; i++) {
			bool h_null = have[i].n == 1 && have[i].p[0] == '~';
			bool w_null = want[i].n == 1 && want[i].p[0] == '~';
			if (w_null ||
			    (have[i].n == want[i].n && memcmp(have[i].p, want[i].p, want[i].n) == 0))
				continue;
			if (!h_null)
				return fail(c, line, kind_fields[k][i + 1].name,
					    "customer %.*s already exists with a different value",
					    (int)(v[0].s.n > 60 ? 60 : v[0].s.n), v[0].s.p);
			fills = true;
		}
		return fills ? 1 : 0;
	}
	return fail(c, line, "id", "%s %.*s already exists with different content", kind_names[k],
		    (int)(v[0].s.n > 60 ? 60 : v[0].s.n), v[0].s.p);
}

static int pass2(struct ctx *c, struct kpi_import_stats *st)
{
	struct lines it = {c->data, c->data + c->len, 0};
	const char *s;
	size_t n;
	struct val v[MAX_FIELDS];
	while (next_line(&it, &s, &n)) {
		int k, r;
		if ((r = parse_line(c, s, n, it.no, &k, v)) < 0)
			return r;
		const struct fdef *defs = kind_fields[k];
		struct ent *sess = NULL;
		for (int j = 0; defs[j].name; j++) {
			if (defs[j].ref < 0 || !v[j].present)
				continue;
			struct ent *e = NULL;
			if ((r = resolve(c, defs[j].ref, &v[j], it.no, defs[j].name, &e)) < 0)
				return r;
			if (defs[j].ref == ASSESS_SESSION)
				sess = e;
		}
		struct idset *set = id_set(c, k);
		struct ent *self = NULL;
		if (set) {
			struct ent *e = set_find(set, v[0].s.p, v[0].s.n, hash_bytes(v[0].s.p, v[0].s.n));
			if (!e || e->line != it.no)
				continue; /* repeated identical line of this file */
			if ((r = check_stored(c, k, v, it.no)) < 0)
				return r;
			if (r == 0)
				continue; /* identical to the stored record: no-op */
			self = e;
		}
		int64_t seq = 0;
		if (k == K_SESSION) { /* a new session: inserted with the last_seq its file messages get */
			struct ent *m = set_find(&c->msgs, v[0].s.p, v[0].s.n, self->hash);
			seq = m ? m->seq : 0;
		}
		if (k == K_MESSAGE) {
			if (!sess) /* cannot happen: session is a required reference */
				return fail(c, it.no, "session", "missing");
			if (!sess->seq_init && !c->present[ASSESS_SESSION]) {
				sess->seq = 0; /* no stored session, so no stored messages */
				sess->seq_init = true;
			} else if (!sess->seq_init) {
				bool found = false;
				int64_t last = 0;
				buf_reset(&c->canon);
				if ((r = assess_store_canon(c->a, ASSESS_SESSION, sess->id, sess->len,
							    &c->canon, &found, &last, c->err)) < 0)
					return r;
				sess->seq = found ? last : 0;
				sess->seq_init = true;
			}
			seq = ++sess->seq;
		}
		if ((r = put(c, k, v, seq)) < 0)
			return r;
		if (k == K_SESSION) { /* no stored row before: its messages count from 1 */
			if (!self->seq_init) {
				self->seq = 0;
				self->seq_init = true;
			}
			self->seq_written = seq;
		}
		if (k == K_MESSAGE && c->gs && (r = scan_message(c, v, seq)) < 0)
			return r;
		st->stored[k]++;
	}
	/* sessions.last_seq after their messages */
	struct idset *ss = &c->sets[ASSESS_SESSION];
	for (size_t i = 0; i < ss->cap; i++) {
		struct ent *e = &ss->v[i];
		if (e->id && e->seq_init && e->seq > 0 && e->seq != e->seq_written) {
			int r = assess_store_set_last_seq(c->a, e->id, e->len, e->seq, c->err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Marks the rollup days the file can change: its time span back by the longest lookback window
 * (the K-13/K-26 windows reach sessions that started before the file's first record) and the
 * start days of stored sessions it adds messages or ratings to. */
static int day_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static int mark_days(struct ctx *c)
{
	int r = 0;
	int64_t back = c->r->repurchase_ms > c->r->conv_ms ? c->r->repurchase_ms : c->r->conv_ms;
	if (c->r->repeat_ms > back)
		back = c->r->repeat_ms;
	int64_t back_days = back / 86400000 + 2;
	/* each day that has a time of the file, with the lookback window before it (not every day
	 * between the first and the last time: a far-off time must not mark centuries) */
	if (c->n_days)
		qsort(c->days, c->n_days, sizeof *c->days, day_cmp);
	int64_t marked_to = INT64_MIN;
	for (size_t i = 0; r == 0 && i < c->n_days; i++) {
		int64_t d = c->days[i];
		for (int64_t x = d - back_days > marked_to ? d - back_days : marked_to + 1; r == 0 && x <= d;
		     x++)
			r = assess_store_dirty_mark(c->a, x, c->err);
		if (d > marked_to)
			marked_to = d;
	}
	for (size_t i = 0; r == 0 && i < c->n_extra; i++)
		r = assess_store_dirty_mark(c->a, c->extra_days[i], c->err);
	return r;
}

int kpi_import_buffer(struct assess_store *a, const struct kpi_rules *r, const char *name, const char *data,
		      size_t len, struct kpi_import_stats *st, struct kefu_err *err)
{
	memset(st, 0, sizeof *st);
	struct ctx c = {.a = a, .r = r, .name = name, .data = data, .len = len, .err = err};
	c.min_ms = INT64_MAX;
	c.max_ms = INT64_MIN;
	buf_init(&c.scratch);
	buf_init(&c.canon);
	buf_init(&c.canon2);
	buf_init(&c.ev);
	buf_init(&c.gdata);
	if (import_guard)
		c.gs = guard_scratch_new(import_guard);
	unsigned char hash[32];
	char hex[65];
	crypto_generichash(hash, sizeof hash, (const unsigned char *)data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	double t0 = now_s();
	bool seen = false;
	int rc = assess_store_begin(a, err);
	if (rc == 0)
		rc = assess_store_file_seen(a, hex, &seen, err);
	if (rc == 0 && seen) {
		st->already = true;
		assess_store_rollback(a);
		goto out;
	}
	if (rc == 0)
		rc = pass1(&c, st);
	double t1 = now_s();
	if (rc == 0)
		rc = assess_store_present(a, c.present, err);
	if (rc == 0)
		rc = people_store_present(assess_store_people(a), c.ppresent, err);
	/* a table empty before the file is loaded without its secondary indexes, built once after */
	if (rc == 0 && !c.present[ASSESS_SESSION])
		rc = assess_store_indexes_defer(a, "sessions", err);
	if (rc == 0 && !c.present[ASSESS_ORDER])
		rc = assess_store_indexes_defer(a, "orders", err);
	if (rc == 0 && !c.present[ASSESS_COMPLAINT])
		rc = assess_store_indexes_defer(a, "complaints", err);
	c.days_done = true;
	if (rc == 0)
		rc = pass2(&c, st);
	if (rc == 0)
		rc = assess_store_indexes_restore(a, err);
	if (rc == 0)
		rc = assess_store_file_record(a, hex, name, st->lines, clock_now_ms(), err);
	if (rc == 0)
		rc = mark_days(&c);
	if (rc == 0)
		rc = assess_store_commit(a, err);
	if (rc < 0)
		assess_store_rollback(a);
	double t3 = now_s();
	/* The file is stored with its days marked stale; their rollups follow in a second transaction
	 * (after a checkpoint: reads through a WAL of gigabytes cost more). Should that fail, the
	 * days stay marked and the next assessment recomputes them; the import itself stands. */
	if (rc == 0) {
		assess_store_checkpoint(a);
		struct kefu_err rerr = {0};
		int rr = assess_store_begin(a, &rerr);
		if (rr == 0)
			rr = kpi_rollup_refresh(a, r, &st->days, &rerr);
		if (rr == 0)
			rr = assess_store_commit(a, &rerr);
		if (rr < 0) {
			assess_store_rollback(a);
			st->rollups_stale = true;
		}
	}
	st->parse_s = t1 - t0;
	st->store_s = t3 - t1;
	st->rollup_s = now_s() - t3;
out:
	for (int i = 0; i < ASSESS_KINDS; i++)
		free(c.sets[i].v);
	for (int i = 0; i < PEOPLE_KINDS; i++)
		free(c.psets[i].v);
	free(c.msgs.v);
	if (c.gs)
		guard_scratch_free(c.gs);
	buf_free(&c.gdata);
	for (size_t i = 0; i < c.n_store_ids; i++)
		free(c.store_ids[i]);
	free(c.store_ids);
	free(c.extra_days);
	free(c.days);
	buf_free(&c.scratch);
	buf_free(&c.canon);
	buf_free(&c.canon2);
	buf_free(&c.ev);
	tkpi_writer_free(c.tw);
	return rc;
}

int kpi_import_file(struct assess_store *a, const struct kpi_rules *r, const char *path,
		    struct kpi_import_stats *st, struct kefu_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return KEFU_ERR(err, KEFU_EIO, "file", "%s: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		int e = errno;
		close(fd);
		return KEFU_ERR(err, KEFU_EIO, "file", "%s: %s", path, strerror(e));
	}
	size_t len = (size_t)sb.st_size;
	const char *data = "";
	void *map = NULL;
	if (len > 0) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			int e = errno;
			close(fd);
			return KEFU_ERR(err, KEFU_EIO, "file", "%s: %s", path, strerror(e));
		}
		madvise(map, len, MADV_SEQUENTIAL);
		data = map;
	}
	close(fd);
	int rc = kpi_import_buffer(a, r, path, data, len, st, err);
	if (map)
		munmap(map, len);
	return rc;
}
