/* guard.h — the compliance guard (SPEC §3, C-01…C-11): lexicon rules, PII detection and masking,
 * fraud signals and customer emotion, matched in one vectorscan pass per message.
 * guard never touches the store, the network or the clock; callers record its verdicts as events.
 * A loaded `struct guard` is read-only and shared across threads (reference counted); each thread
 * scans with its own `struct guard_scratch`. Results own their memory (guard_result_clear), except
 * rule/reason/family strings, which are borrowed from the guard that produced them. */
#ifndef KEFU_GUARD_GUARD_H
#define KEFU_GUARD_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Longest message guard_scan accepts, in bytes; longer input is refused with -KEFU_ELIMIT. */
#define GUARD_MAX_TEXT (256u * 1024u)
/* Default lexicon directory, relative to the source/install tree. */
#define GUARD_DEFAULT_DIR "data/lexicons"

struct guard;
struct guard_scratch;

enum guard_role { GUARD_ROLE_AGENT, GUARD_ROLE_CUSTOMER };
enum guard_verdict { GUARD_PASS, GUARD_WARN, GUARD_BLOCK };
/* Severity of one rule: record = counted, message passes; warn = shown, sent; block = not sent. */
enum guard_severity { GUARD_SEV_RECORD, GUARD_SEV_WARN, GUARD_SEV_BLOCK };

/* Kind of personal data a C-07 hit found (GUARD_PII_NONE for lexicon hits). */
enum guard_pii {
	GUARD_PII_NONE,
	GUARD_PII_MOBILE, /* 11-digit mainland mobile, carrier segment checked */
	GUARD_PII_LANDLINE, /* 0 + area code + 7–8 digit number */
	GUARD_PII_ID, /* 18-digit resident ID: GB 11643 checksum, date, province */
	GUARD_PII_CARD, /* 13–19 digit bank card, Luhn */
	GUARD_PII_EMAIL,
	GUARD_PII_ADDRESS, /* division names and/or road + number */
	GUARD_PII_NAME, /* surname (+ given name) + honorific */
	GUARD_PII_COUNT
};

struct guard_hit {
	const char *rule; /* "C-01"…"C-08"; borrowed from the guard */
	const char *family; /* "absolute", "refusal", … "pii", "fraud"; static */
	enum guard_severity severity; /* as applied to this role */
	enum guard_pii pii; /* PII kind for C-07, else GUARD_PII_NONE */
	size_t start; /* byte offset of the first matched byte */
	size_t end; /* byte offset one past the last matched byte */
	const char *text; /* the matched bytes, NUL-terminated; owned by the result */
	const char *reason; /* why it is a violation; borrowed from the guard or static */
	const char *suggestion; /* compliant wording; owned by the result or borrowed */
	bool replace; /* suggestion is a drop-in replacement for text (guard_rewrite) */
	const char *where; /* "file:line" of the lexicon entry, "" for built-ins; borrowed */
};

struct guard_result {
	enum guard_verdict verdict; /* worst severity among hits (customer messages never block) */
	size_t nhits; /* number of entries in hits */
	struct guard_hit *hits; /* ordered by start; NULL when nhits == 0 */
	char *masked; /* text with PII masked, NUL-terminated; NULL when nothing was masked */
	size_t masked_len; /* bytes in masked (0 when masked == NULL) */
	double emotion_score; /* C-11: polarity in [-1, 1], < 0 negative; 0 for agent messages */
	const char *emotion_label; /* "negative"|"neutral"|"positive" (customer role), else NULL; static */
	bool fraud; /* a C-08 signal was found (either role): alert the supervisor at once */
	bool truncated; /* too many raw matches: later hits may be missing */
	void *arena_; /* internal: one block holding hits and their strings */
};

/* Loads every `*.tsv` lexicon file under dir (GUARD_DEFAULT_DIR when NULL) and compiles the
 * vectorscan databases. On success *out holds one reference (release with guard_unref/guard_free).
 * A bad entry is refused: err->field = "file:line", err->msg the reason; nothing is loaded.
 * Returns 0, -KEFU_EIO (unreadable dir/file), -KEFU_EINVAL (bad entry or header),
 * -KEFU_EINTERNAL (platform without SSSE3, vectorscan failure). */
int guard_load(const char *dir, struct guard **out, struct kefu_err *err);
/* Adds a reference; returns g. Thread-safe. */
struct guard *guard_ref(struct guard *g);
/* Drops a reference; the last one frees the guard. Thread-safe; g may be NULL. */
void guard_unref(struct guard *g);
/* Same as guard_unref (the loader's reference). */
void guard_free(struct guard *g);
/* Versions of the loaded files, "rules_c01.tsv@2026.1 …"; borrowed, valid while g lives. */
const char *guard_version(const struct guard *g);
/* Number of lexicon entries loaded (all files). */
size_t guard_entry_count(const struct guard *g);

/* Per-thread scratch. A scratch made for one guard may be used with any other (it is grown on
 * first use after a swap). Caller frees with guard_scratch_free. Never NULL (aborts on OOM). */
struct guard_scratch *guard_scratch_new(const struct guard *g);
void guard_scratch_free(struct guard_scratch *s);

/* Scans one message. Agent messages are checked against C-01…C-08; customer messages against
 * C-07/C-08 and scored for emotion (C-11). text need not be NUL-terminated and must be valid UTF-8.
 * out is overwritten (call guard_result_clear before reuse). A message without hits allocates
 * nothing. Returns 0, -KEFU_EINVAL (invalid UTF-8; err->field = "byte:N"), -KEFU_ELIMIT (longer
 * than GUARD_MAX_TEXT), -KEFU_EINTERNAL (vectorscan error). */
int guard_scan(const struct guard *g, struct guard_scratch *s, enum guard_role role, const char *text,
	       size_t len, struct guard_result *out, struct kefu_err *err);
/* Frees what out owns and zeroes it. out may be zeroed already. */
void guard_result_clear(struct guard_result *out);

/* Masks the PII in text (C-07) for exports, notes, tickets and logs. *masked is always set on
 * success (a copy when there is nothing to mask); caller frees with free(). Same errors as
 * guard_scan. */
int guard_mask(const struct guard *g, struct guard_scratch *s, const char *text, size_t len, char **masked,
	       struct kefu_err *err);

/* Builds a suggested message: every block/warn lexicon hit whose suggestion is a drop-in wording
 * (hit.replace) is replaced by it. Caller frees with free(); NULL when r has no replaceable hit. */
char *guard_rewrite(const struct guard_result *r, const char *text, size_t len);

/* Hot reload: a holder of the rules in force. Readers take a reference with guard_slot_get (the
 * guard stays valid until they guard_unref it); an admin change loads a new guard and swaps it
 * in with guard_slot_swap, which drops the slot's reference to the old one. A failed load leaves
 * the slot untouched, so the rules in force stay in force. */
struct guard_slot;
/* Takes ownership of g's reference (g may be NULL). Caller frees with guard_slot_free. */
struct guard_slot *guard_slot_new(struct guard *g);
/* Returns a new reference to the current guard (NULL if empty); caller guard_unrefs it. */
struct guard *guard_slot_get(struct guard_slot *slot);
/* Takes ownership of g's reference; releases the previous guard's slot reference. */
void guard_slot_swap(struct guard_slot *slot, struct guard *g);
/* Loads dir and swaps it in; on error the old guard stays and err says why. */
int guard_slot_reload(struct guard_slot *slot, const char *dir, struct kefu_err *err);
void guard_slot_free(struct guard_slot *slot);

/* Validators used by the PII detector, public for tests and importers. */
/* s[0..18) is an 18-digit resident ID (GB 11643-1999): check digit (X/x), real birth date
 * (1800-01-01 … 2099-12-31), first two digits a province code. */
bool guard_id_valid(const char *s, size_t n);
/* Luhn checksum over n ASCII digits. */
bool guard_luhn_valid(const char *s, size_t n);
/* 11 ASCII digits form an assigned mainland mobile segment (voice, data-only and MVNO). */
bool guard_mobile_valid(const char *s, size_t n);

/* Name of a verdict ("pass"|"warn"|"block"), a severity and a PII kind ("mobile", …). */
const char *guard_verdict_name(enum guard_verdict v);
const char *guard_severity_name(enum guard_severity s);
const char *guard_pii_name(enum guard_pii p);

/* `kefu scan [--role agent|customer] [--format text|json] [--lexicons DIR] [FILE…]` (DESIGN §5.4).
 * argv[0] is "scan". Writes results to stdout, errors to stderr. Returns the exit status:
 * 0 all lines scanned, 1 bad input (unreadable file, invalid UTF-8, bad lexicon), 2 usage. */
int guard_cli_scan(int argc, char **argv);

#endif
