/* Unit tests for src/guard/cli.c: `kefu scan` output per DESIGN §5.4 (one JSON object per input
 * line, byte offsets into the line, masked, emotion for customers), text output, exit statuses
 * 0/1/2 and --help. stdout is redirected to a temp file to read what the command printed. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "guard_test_util.h"

static char out_path[] = "/tmp/kefu-scan-out-XXXXXX";
static char in_path[] = "/tmp/kefu-scan-in-XXXXXX";

/* Runs guard_cli_scan with args; returns its status and the captured stdout in *out (caller frees). */
static int run(int argc, char **argv, char **out)
{
	fflush(stdout);
	int saved = dup(1);
	int fd = open(out_path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	dup2(fd, 1);
	close(fd);
	int rc = guard_cli_scan(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	FILE *f = fopen(out_path, "rb");
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	*out = strdup(buf);
	return rc;
}

static void write_input(const char *s)
{
	FILE *f = fopen(in_path, "wb");
	fputs(s, f);
	fclose(f);
}

static int setup(void **state)
{
	int fd = mkstemp(out_path);
	close(fd);
	fd = mkstemp(in_path);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(out_path);
	unlink(in_path);
	return 0;
}

static void json_lines_follow_the_contract(void **state)
{
	write_input("您好,请问有什么可以帮您\n这是最好的,电话13812345678\n");
	char *lex = (char *)gt_lexicon_dir();
	char *argv[] = {"scan", "--format", "json", "--lexicons", lex, in_path};
	char *out;
	assert_int_equal(run(6, argv, &out), 0);
	const char *want =
	    "{\"line\":1,\"verdict\":\"pass\",\"hits\":[],\"masked\":\"您好,请问有什么可以帮您\"}\n"
	    "{\"line\":2,\"verdict\":\"block\",\"hits\":[{\"rule\":\"C-01\",\"start\":6,\"end\":15,\"text\":"
	    "\"最好的\","
	    "\"suggestion\":\"很好的\"},{\"rule\":\"C-07\",\"start\":22,\"end\":33,\"text\":\"13812345678\","
	    "\"suggestion\":\"请使用脱敏号码:138****5678\"}],\"masked\":\"这是最好的,电话138****5678\"}\n";
	assert_string_equal(out, want);
	free(out);
}

static void customer_lines_carry_emotion(void **state)
{
	write_input("太差了！！我要投诉\n");
	char *argv[] = {
	    "scan", "--role", "customer", "--format", "json", "--lexicons", (char *)gt_lexicon_dir(),
	    in_path};
	char *out;
	assert_int_equal(run(8, argv, &out), 0);
	assert_non_null(strstr(out, "\"emotion\":{\"score\":-"));
	assert_non_null(strstr(out, "\"label\":\"negative\"}}\n"));
	free(out);
}

static void text_format_names_rule_and_suggestion(void **state)
{
	write_input("这个不归我管\n");
	char *argv[] = {"scan", "--lexicons", (char *)gt_lexicon_dir(), in_path};
	char *out;
	assert_int_equal(run(4, argv, &out), 0);
	assert_non_null(strstr(out, "1: block"));
	assert_non_null(strstr(out, "C-03 block [6,18) 不归我管"));
	free(out);
}

static void exit_statuses(void **state)
{
	char *out;
	char *help[] = {"scan", "--help"};
	assert_int_equal(run(2, help, &out), 0);
	assert_non_null(strstr(out, "usage: kefu scan"));
	free(out);
	char *badrole[] = {"scan", "--role", "boss"};
	assert_int_equal(run(3, badrole, &out), 2);
	free(out);
	char *badopt[] = {"scan", "--colour"};
	assert_int_equal(run(2, badopt, &out), 2);
	free(out);
	char *missing[] = {"scan", "--lexicons", (char *)gt_lexicon_dir(), "/nonexistent/input.txt"};
	assert_int_equal(run(4, missing, &out), 1);
	free(out);
	write_input("ok\n\xff\xfe\nok\n");
	char *badutf[] = {"scan", "--format", "json", "--lexicons", (char *)gt_lexicon_dir(), in_path};
	assert_int_equal(run(6, badutf, &out), 1);
	assert_non_null(strstr(out, "{\"line\":3,"));
	free(out);
	char *badlex[] = {"scan", "--lexicons", "/nonexistent/lexicons", in_path};
	assert_int_equal(run(4, badlex, &out), 1);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(json_lines_follow_the_contract, setup, teardown),
	    cmocka_unit_test_setup_teardown(customer_lines_carry_emotion, setup, teardown),
	    cmocka_unit_test_setup_teardown(text_format_names_rule_and_suggestion, setup, teardown),
	    cmocka_unit_test_setup_teardown(exit_statuses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
