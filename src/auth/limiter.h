/* limiter.h — login-attempt limiter: at most `max` failures per key within `window_ms`
 * (keys: "name:<login>" and "ip:<addr>"). Fixed memory: a bounded table that evicts the oldest
 * key when full. Not thread-safe: one per event loop. */
#ifndef KEFU_AUTH_LIMITER_H
#define KEFU_AUTH_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

struct limiter;

/* Caller frees with limiter_free(). */
struct limiter *limiter_new(int max_failures, int64_t window_ms, int capacity);
void limiter_free(struct limiter *l);
/* True when key may try now; *retry_after_ms set when not. */
bool limiter_allowed(struct limiter *l, const char *key, int64_t now_ms, int64_t *retry_after_ms);
void limiter_fail(struct limiter *l, const char *key, int64_t now_ms);
void limiter_reset(struct limiter *l, const char *key);

#endif
