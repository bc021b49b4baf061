/* demo.h — `kefu demo` data (DESIGN §5.4): a deterministic, realistic organisation in the import
 * format of §5.1, streamed line by line with memory bounded by the number of customers (one bit
 * each): daily and weekly load curves, a 3–5× peak around 11-11, channel and category mix,
 * new/returning/VIP customers, ratings, orders and complaints that depend on agent skill, Chinese
 * message texts from templates with banned phrases at a known rate. Never touches the store. */
#ifndef KEFU_KPI_DEMO_H
#define KEFU_KPI_DEMO_H

#include <stdint.h>
#include <stdio.h>

struct kpi_demo_opts {
	int agents; /* default 50 */
	int days; /* default 31, from start_day */
	uint64_t seed; /* same seed, same bytes */
	int64_t start_day; /* local day (days since 1970-01-01), default 2026-01-01 */
};

struct kpi_demo_counts {
	int64_t lines, sessions, messages, violations; /* violations: agent texts with a banned phrase */
};

/* Writes the data to f. Returns 0 or -KEFU_EIO. */
int kpi_demo_write(FILE *f, const struct kpi_demo_opts *o, struct kpi_demo_counts *c);

#endif
