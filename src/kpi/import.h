/* import.h — `kefu import` (DESIGN §5.1): validates a JSON Lines file completely (kinds, fields,
 * types, times, references against the store and the whole file, ids reused with different
 * content) and then stores it as one transaction through assess_store, one event per new record,
 * marking the days it touched stale, and refreshes their rollups in a second transaction. A file with any
 * error stores nothing; the same file imported again (same bytes) changes nothing. Never prints; the CLI
 * reports. */
#ifndef KEFU_KPI_IMPORT_H
#define KEFU_KPI_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpi/metrics.h"
#include "store/assess_store.h"

enum { KPI_IMPORT_KINDS = 16 };

/* "agent", "customer", "session", "message", "rating", "order", "complaint", "presence", "exam",
 * "kb_contribution", "case_citation", "collab_rating", "review", "ticket", "return", "exchange". */
const char *kpi_import_kind_name(int k);

struct kpi_import_stats {
	int64_t lines; /* records read */
	int64_t read[KPI_IMPORT_KINDS]; /* records per kind */
	int64_t stored[KPI_IMPORT_KINDS]; /* of those, new (an event appended); the rest were identical */
	bool already; /* the same file was imported before: nothing done */
	bool rollups_stale; /* stored, but the rollup refresh failed: the next assessment redoes it */
	double parse_s, store_s, rollup_s; /* wall time of validation, inserts, rollup refresh */
	size_t days; /* rollup days recomputed */
};

/* K-30…K-32: with a guard set (borrowed; NULL = none), imported agent messages are scanned as live
 * chat scans them and each with hits is recorded as a guard.hit event and a violation. Process-wide;
 * `kefu import` and `kefu demo` set the shipped lexicons. */
struct guard;
void kpi_import_set_guard(const struct guard *g);

/* Imports data[0..len) named name (for messages). Returns 0, or -KEFU_EINVAL with err->msg
 * "NAME:LINE: field 'F': reason" and err->field the field, or -KEFU_ESTORE. */
int kpi_import_buffer(struct assess_store *a, const struct kpi_rules *r, const char *name, const char *data,
		      size_t len, struct kpi_import_stats *st, struct kefu_err *err);
/* Maps the file and imports it; -KEFU_EIO when it cannot be read. */
int kpi_import_file(struct assess_store *a, const struct kpi_rules *r, const char *path,
		    struct kpi_import_stats *st, struct kefu_err *err);

#endif
