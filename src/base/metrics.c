/* metrics.c — the Prometheus registry of metrics.h: a fixed static table, a mutex only for
 * registration, atomics for values. Never frees an entry, so returned pointers stay valid. */
#include "base/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define METRIC_NAME_MAX 96 /* bytes of a metric name incl. NUL */
#define METRIC_HELP_MAX 160 /* bytes of a help text incl. NUL */

enum metric_type { METRIC_COUNTER, METRIC_GAUGE };

struct metric {
	char name[METRIC_NAME_MAX]; /* metric name */
	char help[METRIC_HELP_MAX]; /* one-line help text */
	int type; /* enum metric_type */
	_Atomic int64_t value; /* current value */
};

static struct metric table[METRICS_MAX];
static _Atomic size_t count; /* entries published in table (release/acquire) */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

static bool name_valid(const char *s)
{
	if (!s || !*s || strlen(s) >= METRIC_NAME_MAX)
		return false;
	for (const char *c = s; *c; c++) {
		bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' || *c == ':';
		if (!alpha && !(c != s && *c >= '0' && *c <= '9'))
			return false;
	}
	return true;
}

static struct metric *reg(const char *name, const char *help, int type)
{
	if (!name_valid(name))
		return NULL;
	struct metric *m = NULL;
	pthread_mutex_lock(&reg_lock);
	size_t n = atomic_load_explicit(&count, memory_order_relaxed);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			m = table[i].type == type ? &table[i] : NULL;
			goto out;
		}
	}
	if (n < METRICS_MAX) {
		m = &table[n];
		strcpy(m->name, name);
		size_t hl = help ? strlen(help) : 0;
		if (hl >= METRIC_HELP_MAX)
			hl = METRIC_HELP_MAX - 1;
		memcpy(m->help, help ? help : "", hl);
		m->help[hl] = '\0';
		m->type = type;
		atomic_init(&m->value, 0);
		atomic_store_explicit(&count, n + 1, memory_order_release);
	}
out:
	pthread_mutex_unlock(&reg_lock);
	return m;
}

struct metric *metric_counter(const char *name, const char *help)
{
	return reg(name, help, METRIC_COUNTER);
}

struct metric *metric_gauge(const char *name, const char *help)
{
	return reg(name, help, METRIC_GAUGE);
}

void metric_add(struct metric *m, int64_t delta)
{
	if (m)
		atomic_fetch_add_explicit(&m->value, delta, memory_order_relaxed);
}

void metric_set(struct metric *m, int64_t value)
{
	if (m)
		atomic_store_explicit(&m->value, value, memory_order_relaxed);
}

int64_t metric_get(const struct metric *m)
{
	return m ? atomic_load_explicit(&((struct metric *)m)->value, memory_order_relaxed) : 0;
}

/* HELP text escapes backslash and newline (exposition format). */
static void put_help(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_append(out, s, 1);
	}
}

void metrics_render(struct buf *out)
{
	size_t n = atomic_load_explicit(&count, memory_order_acquire);
	for (size_t i = 0; i < n; i++) {
		const struct metric *m = &table[i];
		buf_printf(out, "# HELP %s ", m->name);
		put_help(out, m->help);
		buf_printf(out, "\n# TYPE %s %s\n%s %lld\n", m->name,
			   m->type == METRIC_COUNTER ? "counter" : "gauge", m->name,
			   (long long)metric_get(m));
	}
}
