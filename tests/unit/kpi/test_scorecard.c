/* Unit tests for src/kpi/scorecard.c: the shipped default tree loads, a tree whose weights do
 * not add up at some level is refused naming that node, linear and deduction scoring,
 * and weights of metrics without data spread within their dimension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/scorecard.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static void default_tree_loads_with_a2_weights(void **state)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/data/policy",
		 getenv("KEFU_SOURCE_DIR") ? getenv("KEFU_SOURCE_DIR") : KEFU_SOURCE_DIR);
	struct kpi_scorecard sc;
	struct kefu_err err = {0};
	assert_int_equal(kpi_scorecard_load(dir, "default", &sc, &err), 0);
	assert_int_equal(sc.n_dims, 3);
	double sum = 0;
	for (int i = 0; i < sc.n_leaves; i++)
		sum += sc.leaves[i].weight;
	assert_near(sum, 1.0);
	assert_string_equal(sc.leaves[0].metric, "K-01");
	assert_near(sc.leaves[0].weight, 0.075);
}

static void weights_not_adding_up_name_the_node(void **state)
{
	const char *bad =
	    "{\"tree\":[{\"id\":\"basics\",\"weight\":40,\"children\":["
	    "{\"id\":\"K-01\",\"weight\":20},{\"id\":\"K-03\",\"weight\":15}]},"
	    "{\"id\":\"quality\",\"weight\":60,\"children\":[{\"id\":\"K-06\",\"weight\":60}]}]}";
	struct kpi_scorecard sc;
	struct kefu_err err = {0};
	assert_int_equal(kpi_scorecard_parse(bad, strlen(bad), &sc, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "basics");
	assert_non_null(strstr(err.msg, "node 'basics'"));
	const char *top =
	    "{\"tree\":[{\"id\":\"basics\",\"weight\":40,\"children\":[{\"id\":\"K-01\",\"weight\":40}]}]}";
	assert_int_equal(kpi_scorecard_parse(top, strlen(top), &sc, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "total");
}

static void linear_scoring_is_capped_both_ways(void **state)
{
	assert_near(kpi_score_linear(15, 60, 15, false), 100); /* FRT at target */
	assert_near(kpi_score_linear(37.5, 60, 15, false), 50);
	assert_near(kpi_score_linear(90, 60, 15, false), 0);
	assert_near(kpi_score_linear(5, 60, 15, false), 100);
	assert_near(kpi_score_linear(0.825, 0.7, 0.95, true), 50); /* CSAT */
	assert_near(kpi_score_deduct(3, 20), 40);
	assert_near(kpi_score_deduct(9, 20), 0);
}

static void weight_of_a_metric_without_data_spreads_in_its_dimension(void **state)
{
	const char *t = "{\"tree\":[{\"id\":\"basics\",\"weight\":50,\"children\":["
			"{\"id\":\"K-01\",\"weight\":25},{\"id\":\"K-03\",\"weight\":25}]},"
			"{\"id\":\"quality\",\"weight\":50,\"children\":[{\"id\":\"K-06\",\"weight\":30},"
			"{\"id\":\"K-10\",\"weight\":20}]}]}";
	struct kpi_scorecard sc;
	struct kefu_err err = {0};
	assert_int_equal(kpi_scorecard_parse(t, strlen(t), &sc, &err), 0);
	struct kpi_value v[KPI_METRIC_COUNT];
	memset(v, 0, sizeof v);
	v[KPI_K03].null = true; /* no presence */
	double w[KPI_METRIC_COUNT];
	int spread;
	kpi_scorecard_weights(&sc, v, w, &spread);
	assert_int_equal(spread, 1);
	assert_near(w[KPI_K01], 0.5);
	assert_near(w[KPI_K03], 0);
	assert_near(w[KPI_K06], 0.3);
	assert_near(w[KPI_K10], 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_tree_loads_with_a2_weights),
	    cmocka_unit_test(weights_not_adding_up_name_the_node),
	    cmocka_unit_test(linear_scoring_is_capped_both_ways),
	    cmocka_unit_test(weight_of_a_metric_without_data_spreads_in_its_dimension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
