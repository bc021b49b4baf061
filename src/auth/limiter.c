/* limiter.c — bounded login-failure counter per key (see limiter.h). */
#include "auth/limiter.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

struct limiter_entry {
	char key[96]; /* "name:…" or "ip:…", truncated */
	int failures; /* failures in the current window */
	int64_t start_ms; /* window start */
};

struct limiter {
	int max; /* failures allowed per window */
	int64_t window_ms; /* window length */
	int cap; /* entries */
	struct limiter_entry *entries; /* linear table; small (capacity ~4096) */
};

struct limiter *limiter_new(int max_failures, int64_t window_ms, int capacity)
{
	struct limiter *l = xcalloc(1, sizeof *l);
	l->max = max_failures;
	l->window_ms = window_ms;
	l->cap = capacity > 0 ? capacity : 1024;
	l->entries = xcalloc((size_t)l->cap, sizeof *l->entries);
	return l;
}

void limiter_free(struct limiter *l)
{
	if (!l)
		return;
	free(l->entries);
	free(l);
}

static struct limiter_entry *find(struct limiter *l, const char *key, bool create, int64_t now)
{
	struct limiter_entry *victim = NULL; /* empty, expired, else the oldest window */
	for (int i = 0; i < l->cap; i++) {
		struct limiter_entry *e = &l->entries[i];
		if (e->key[0] && strncmp(e->key, key, sizeof e->key - 1) == 0)
			return e;
		bool free_slot = !e->key[0] || now - e->start_ms > l->window_ms;
		if (free_slot) {
			if (!victim || victim->key[0])
				victim = e;
		} else if (!victim || (victim->key[0] && e->start_ms < victim->start_ms)) {
			victim = e;
		}
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof *victim);
	strncpy(victim->key, key, sizeof victim->key - 1);
	victim->start_ms = now;
	return victim;
}

bool limiter_allowed(struct limiter *l, const char *key, int64_t now_ms, int64_t *retry_after_ms)
{
	struct limiter_entry *e = find(l, key, false, now_ms);
	if (!e || now_ms - e->start_ms > l->window_ms || e->failures < l->max)
		return true;
	if (retry_after_ms)
		*retry_after_ms = e->start_ms + l->window_ms - now_ms;
	return false;
}

void limiter_fail(struct limiter *l, const char *key, int64_t now_ms)
{
	struct limiter_entry *e = find(l, key, true, now_ms);
	if (now_ms - e->start_ms > l->window_ms) {
		e->failures = 0;
		e->start_ms = now_ms;
	}
	e->failures++;
}

void limiter_reset(struct limiter *l, const char *key)
{
	struct limiter_entry *e = find(l, key, false, 0);
	if (e)
		memset(e, 0, sizeof *e);
}
