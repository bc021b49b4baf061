/* Unit tests for src/base/metrics.c: registration, atomic updates, text exposition. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/metrics.h"

static void registration_is_idempotent_by_name(void **state)
{
	struct metric *a = metric_counter("t_reqs_total", "requests");
	assert_non_null(a);
	assert_ptr_equal(metric_counter("t_reqs_total", "other help"), a);
	assert_null(metric_gauge("t_reqs_total", "same name, other type"));
	assert_null(metric_counter("1bad", "starts with a digit"));
	assert_null(metric_counter("bad-name", "dash"));
}

static void *adder(void *arg)
{
	for (int i = 0; i < 100000; i++)
		metric_add(arg, 1);
	return NULL;
}

static void adds_are_atomic_across_threads(void **state)
{
	struct metric *m = metric_counter("t_atomic_total", "concurrent adds");
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, adder, m);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(metric_get(m), 400000);
}

static void renders_prometheus_text(void **state)
{
	struct metric *g = metric_gauge("t_open", "open things\nwith \\ newline");
	metric_set(g, 5);
	metric_add(g, -2);
	struct buf b;
	buf_init(&b);
	metrics_render(&b);
	assert_non_null(
	    strstr(b.data, "# HELP t_open open things\\nwith \\\\ newline\n# TYPE t_open gauge\nt_open 3\n"));
	assert_non_null(strstr(b.data, "# TYPE t_reqs_total counter\nt_reqs_total 0\n"));
	buf_free(&b);
	metric_add(NULL, 1); /* NULL is a no-op */
	assert_int_equal(metric_get(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(registration_is_idempotent_by_name),
	    cmocka_unit_test(adds_are_atomic_across_threads),
	    cmocka_unit_test(renders_prometheus_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
