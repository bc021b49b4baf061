/* metrics.h — a tiny process-wide Prometheus registry: counters and gauges with int64 values,
 * registered once by name (idempotent) in a fixed table, updated lock-free with C11 atomics from
 * any thread, rendered in the Prometheus text exposition format. Never allocates after
 * registration and never does I/O; the caller serves the rendered text. Metric pointers live for
 * the whole process. */
#ifndef KEFU_BASE_METRICS_H
#define KEFU_BASE_METRICS_H

#include <stdint.h>

#include "base/buf.h"

#define METRICS_MAX 128 /* registered metrics per process */

struct metric;

/* Returns the counter named name, registering it with help on first use. name must match
 * [a-zA-Z_:][a-zA-Z0-9_:]*; both strings are copied. Returns NULL when the name is invalid, the
 * table is full, or name is already registered as a gauge. Thread-safe. */
struct metric *metric_counter(const char *name, const char *help);
/* Same for a gauge. */
struct metric *metric_gauge(const char *name, const char *help);
/* Adds delta (counters should only grow; gauges may go down). m may be NULL (no-op). */
void metric_add(struct metric *m, int64_t delta);
/* Sets the value (gauges). m may be NULL (no-op). */
void metric_set(struct metric *m, int64_t value);
/* Current value; 0 for NULL. */
int64_t metric_get(const struct metric *m);
/* Appends every metric as "# HELP", "# TYPE" and a sample line, in registration order. */
void metrics_render(struct buf *out);

#endif
