/* Unit tests for src/kb/import.c (`kefu kb import`, DESIGN §5.4): every error names file, line and
 * field and stores nothing from the file; importing the same file twice changes nothing; an id
 * reused with different content (in the file or the store) is an error; versions are recorded. */
#include "kb_fixture.h"

static const char good[] = "{\"kind\":\"faq\",\"id\":\"f1\",\"title\":\"怎么退货\",\"body\":\"七天无理由。\","
			   "\"alternatives\":[\"如何退货\"],"
			   "\"tags\":[\"售后\"]}\n"
			   "\n"
			   "{\"kind\":\"case\",\"id\":\"c1\",\"title\":\"安抚投诉客户\",\"body\":"
			   "\"先道歉再解决。\",\"product\":\"p1\"}\n";

static int setup(void **state)
{
	*state = kfx_new();
	return 0;
}

static int teardown(void **state)
{
	kfx_free(*state);
	return 0;
}

static int64_t live(struct kfx *f)
{
	int64_t n = -1;
	assert_int_equal(store_kb_count(f->k, &n, NULL), 0);
	return n;
}

static void import_stores_articles_with_version_one(void **state)
{
	struct kfx *f = *state;
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "good.jsonl", good, &st, &err), 0);
	assert_int_equal(st.lines, 2);
	assert_int_equal(st.stored, 2);
	assert_int_equal(live(f), 2);
	json_t *v = NULL;
	assert_int_equal(store_kb_article_versions(f->k, "f1", &v, &err), 0);
	assert_int_equal(json_array_size(v), 1);
	json_t *v1 = json_array_get(v, 0);
	assert_string_equal(json_string_value(json_object_get(v1, "source")), "import");
	assert_string_equal(json_string_value(json_object_get(v1, "note")), "imported from good.jsonl");
	json_decref(v);
}

static void importing_twice_changes_nothing(void **state)
{
	struct kfx *f = *state;
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "good.jsonl", good, &st, &err), 0);
	int64_t events = 0;
	struct store_reader *r;
	assert_int_equal(store_reader_open(f->s, &r, &err), 0);
	assert_int_equal(store_events_count(r, &events, &err), 0);
	assert_int_equal(kfx_import(f, "good.jsonl", good, &st, &err), 0);
	assert_int_equal(st.stored, 0);
	assert_int_equal(st.same, 2);
	int64_t after = 0;
	assert_int_equal(store_events_count(r, &after, &err), 0);
	assert_int_equal(after, events);
	store_reader_close(r);
}

/* Each bad file: the expected "name:line: field 'F'" prefix. */
static void errors_name_file_line_and_field_and_store_nothing(void **state)
{
	struct kfx *f = *state;
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n{\"kind\":\"faq\",\"id\":\"b\"}"
	     "\n",
	     "x.jsonl:2: field 'title': missing"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\",\"colour\":1}\n",
	     "x.jsonl:1: field 'colour': unknown field"},
	    {"{\"kind\":\"blog\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n", "x.jsonl:1: field 'kind'"},
	    {"\n\n{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\",\"tags\":\"x\"}\n",
	     "x.jsonl:3: field 'tags': not an array"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\",\"alternatives\":[1]}\n",
	     "x.jsonl:1: field 'alternatives'"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"\n",
	     "x.jsonl:1: field '-': invalid JSON"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n"
	     "{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t2\",\"body\":\"b\"}\n",
	     "x.jsonl:2: field 'id'"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\",\"id\":\"c\"}\n",
	     "x.jsonl:1: field '-'"},
	    {"{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"\xff\",\"body\":\"b\"}\n",
	     "x.jsonl:1: field '-': invalid UTF-8"},
	    {"[1,2]\n", "x.jsonl:1: field '-': not an object"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kb_import_stats st;
		struct kefu_err err;
		assert_int_equal(kfx_import(f, "x.jsonl", cases[i].text, &st, &err), -KEFU_EINVAL);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)) != 0)
			print_error("case %zu: got '%s', want '%s'\n", i, err.msg, cases[i].want);
		assert_memory_equal(err.msg, cases[i].want, strlen(cases[i].want));
		assert_int_equal(live(f), 0);
	}
}

static void same_article_twice_in_a_file_is_stored_once(void **state)
{
	struct kfx *f = *state;
	const char *t = "{\"kind\":\"faq\",\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n"
			"{\"body\":\"b\",\"title\":\"t\",\"id\":\"a\",\"kind\":\"faq\",\"tags\":[]}\n";
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "d.jsonl", t, &st, &err), 0);
	assert_int_equal(st.stored, 1);
}

static void changed_content_for_a_stored_id_is_an_error(void **state)
{
	struct kfx *f = *state;
	struct kb_import_stats st;
	struct kefu_err err;
	assert_int_equal(kfx_import(f, "good.jsonl", good, &st, &err), 0);
	const char *changed = "{\"kind\":\"faq\",\"id\":\"new\",\"title\":\"t\",\"body\":\"b\"}\n"
			      "{\"kind\":\"faq\",\"id\":\"f1\",\"title\":\"怎么退货\",\"body\":\"改了\"}\n";
	assert_int_equal(kfx_import(f, "c.jsonl", changed, &st, &err), -KEFU_EINVAL);
	assert_memory_equal(err.msg, "c.jsonl:2: field 'id'", strlen("c.jsonl:2: field 'id'"));
	assert_string_equal(err.field, "id");
	assert_int_equal(live(f), 2); /* "new" from line 1 was not stored either */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(import_stores_articles_with_version_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(importing_twice_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(errors_name_file_line_and_field_and_store_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(same_article_twice_in_a_file_is_stored_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(changed_content_for_a_stored_id_is_an_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
