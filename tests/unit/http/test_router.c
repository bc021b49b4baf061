/* Unit tests for src/http/router.c: start-up permission check and pattern matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/http_internal.h"

static void h(struct http_req *r, void *app)
{
}

static bool perm_known(const char *perm, void *app)
{
	return strcmp(perm, "chat.read") == 0 || strcmp(perm, "public") == 0;
}

static int authorize(struct http_req *r, const char *perm, void *app)
{
	return 0;
}

static const struct http_route routes[] = {
    {"GET", "/api/v1/sessions/:id", "chat.read", h},
    {"POST", "/api/v1/sessions/:id/close", "chat.read", h},
    {"DELETE", "/api/v1/sessions/:id", "chat.read", h},
    {"GET", "/api/v1/users/:uid/items/:item", "public", h},
    {"GET", "/", "public", h},
};

static void start_check_refuses_missing_and_unknown_perm(void **state)
{
	struct http_server_config cfg = {
	    .routes = routes, .nroutes = 5, .perm_known = perm_known, .authorize = authorize};
	struct kefu_err err;
	assert_int_equal(http__router_check(&cfg, &err), 0);

	struct http_route bad[] = {{"GET", "/a", "chat.read", h}, {"POST", "/b", NULL, h}};
	cfg.routes = bad;
	cfg.nroutes = 2;
	assert_int_equal(http__router_check(&cfg, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "POST /b");

	bad[1].perm = "nope.write";
	assert_int_equal(http__router_check(&cfg, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "POST /b");
	assert_non_null(strstr(err.msg, "nope.write"));

	bad[1].perm = "public";
	cfg.authorize = NULL; /* deny by default: routes without an authorize hook are refused */
	assert_int_equal(http__router_check(&cfg, &err), -KEFU_EINVAL);
}

static struct http_req *req_for(const char *method, const char *target)
{
	static struct http_limits lim;
	struct http_limits zero = {0};
	http__limits_resolve(&zero, &lim);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	char s[512];
	snprintf(s, sizeof s, "%s %s HTTP/1.1\r\nHost: h\r\n\r\n", method, target);
	size_t used;
	assert_int_equal(http__parse_feed(&rx, s, strlen(s), &used), HTTP_PARSE_DONE);
	struct http_req *r = http__rx_take(&rx);
	http__rx_free(&rx);
	return r;
}

static void matches_params_and_decodes_them(void **state)
{
	int st;
	char allow[64];
	struct http_req *r = req_for("GET", "/api/v1/users/u%2F1/items/%E4%B8%AD?x=1");
	const struct http_route *rt = http__router_match(routes, 5, r, &st, allow, sizeof allow);
	assert_ptr_equal(rt, &routes[3]);
	assert_string_equal(http_req_param(r, "uid"), "u/1");
	assert_string_equal(http_req_param(r, "item"), "中");
	assert_null(http_req_param(r, "id"));
	http__req_free(r);

	r = req_for("POST", "/api/v1/sessions/s1/close");
	assert_ptr_equal(http__router_match(routes, 5, r, &st, allow, sizeof allow), &routes[1]);
	assert_string_equal(http_req_param(r, "id"), "s1");
	http__req_free(r);

	r = req_for("HEAD", "/");
	assert_ptr_equal(http__router_match(routes, 5, r, &st, allow, sizeof allow), &routes[4]);
	http__req_free(r);
}

static void unknown_path_is_404_and_other_method_405(void **state)
{
	int st;
	char allow[64];
	struct http_req *r = req_for("GET", "/api/v1/sessions");
	assert_null(http__router_match(routes, 5, r, &st, allow, sizeof allow));
	assert_int_equal(st, 404);
	http__req_free(r);

	r = req_for("GET", "/api/v1/sessions//close"); /* empty parameter does not match */
	assert_null(http__router_match(routes, 5, r, &st, allow, sizeof allow));
	assert_int_equal(st, 404);
	http__req_free(r);

	r = req_for("PUT", "/api/v1/sessions/7");
	assert_null(http__router_match(routes, 5, r, &st, allow, sizeof allow));
	assert_int_equal(st, 405);
	assert_string_equal(allow, "GET, DELETE");
	http__req_free(r);
}

static void status_for_maps_codes(void **state)
{
	assert_int_equal(http_status_for(-KEFU_EINVAL), 400);
	assert_int_equal(http_status_for(-KEFU_EAUTH), 401);
	assert_int_equal(http_status_for(-KEFU_EPERM), 403);
	assert_int_equal(http_status_for(-KEFU_ENOTFOUND), 404);
	assert_int_equal(http_status_for(-KEFU_EEXIST), 409);
	assert_int_equal(http_status_for(-KEFU_ECONFLICT), 409);
	assert_int_equal(http_status_for(-KEFU_ELIMIT), 429);
	assert_int_equal(http_status_for(-KEFU_ESTORE), 500);
	assert_string_equal(http__content_type("/a/app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(http__content_type("/x.woff2"), "font/woff2");
	assert_string_equal(http__content_type("/x.d/noext"), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(start_check_refuses_missing_and_unknown_perm),
	    cmocka_unit_test(matches_params_and_decodes_them),
	    cmocka_unit_test(unknown_path_is_404_and_other_method_405),
	    cmocka_unit_test(status_for_maps_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
