/* store_test.h — test-only hooks into src/store (STYLE 14: fault injection). Production code never
 * includes this header; the hooks cost one relaxed atomic load per statement step when unused. */
#ifndef KEFU_STORE_STORE_TEST_H
#define KEFU_STORE_STORE_TEST_H

#include <stdbool.h>

#include "store/store.h"

/* Makes the nth statement step of the writer connection from now on fail with an I/O error (it
 * is not executed), counting every step: BEGIN, SAVEPOINT, the event INSERT, projection
 * statements, RELEASE, ROLLBACK TO, COMMIT. One-shot: later steps run normally. n <= 0 disarms. */
void store__fail_after(struct store *s, int n);
/* Like store__fail_after, but count consecutive steps fail (count <= 0: all later steps, until
 * store__fail_after(s, 0) disarms). */
void store__fail_run(struct store *s, int n, int count);
/* True while an armed fault has not fired yet (the group did not reach the nth step). */
bool store__fault_armed(struct store *s);

#endif
