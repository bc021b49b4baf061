/* Unit tests for src/cli/config.c: conf file parsing and flag overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/config.h"

static char path[64];

static void write_conf(const char *text)
{
	snprintf(path, sizeof path, "/tmp/kefu-conf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void file_values_apply_and_flags_override(void **state)
{
	struct serve_config c;
	config_defaults(&c);
	write_conf("# comment\nlisten = 0.0.0.0:9000\n\nmax_body_bytes = 2048\nws_msgs_per_sec = 2.5\n");
	struct kefu_err err = {0};
	assert_int_equal(config_load_file(&c, path, &err), 0);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.limits.max_body_bytes, 2048);
	assert_true(c.limits.ws_msgs_per_sec == 2.5);
	assert_int_equal(config_set(&c, "listen", "127.0.0.1:1", &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:1");
	unlink(path);
}

static void unknown_key_names_file_and_line(void **state)
{
	struct serve_config c;
	config_defaults(&c);
	write_conf("listen = 1.2.3.4:5\nlisten_port = 8\n");
	struct kefu_err err = {0};
	assert_int_equal(config_load_file(&c, path, &err), -KEFU_EINVAL);
	char want[96];
	snprintf(want, sizeof want, "%s:2", path);
	assert_string_equal(err.field, want);
	assert_non_null(strstr(err.msg, "listen_port"));
	unlink(path);
}

static void bad_values_are_refused(void **state)
{
	struct serve_config c;
	config_defaults(&c);
	struct kefu_err err = {0};
	assert_int_equal(config_set(&c, "max_body_bytes", "12abc", &err), -KEFU_EINVAL);
	assert_int_equal(config_set(&c, "max_body_bytes", "10", &err), -KEFU_EINVAL);
	assert_int_equal(config_set(&c, "demo", "yes", &err), -KEFU_EINVAL);
	assert_int_equal(c.limits.max_body_bytes, 0); /* unchanged: default applies */
	write_conf("just a line\n");
	assert_int_equal(config_load_file(&c, path, &err), -KEFU_EINVAL);
	unlink(path);
	assert_int_equal(config_load_file(&c, "/nonexistent/kefu.conf", &err), -KEFU_EIO);
}

static void listen_splits_host_and_port(void **state)
{
	char host[64];
	int port;
	struct kefu_err err = {0};
	assert_int_equal(config_split_listen("127.0.0.1:8080", host, sizeof host, &port, &err), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	assert_int_equal(config_split_listen("[::1]:0", host, sizeof host, &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(config_split_listen("localhost", host, sizeof host, &port, &err), -KEFU_EINVAL);
	assert_int_equal(config_split_listen("h:70000", host, sizeof host, &port, &err), -KEFU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(file_values_apply_and_flags_override),
	    cmocka_unit_test(unknown_key_names_file_and_line),
	    cmocka_unit_test(bad_values_are_refused),
	    cmocka_unit_test(listen_splits_host_and_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
