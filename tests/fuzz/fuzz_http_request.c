/* libFuzzer harness for the HTTP request parser glue (http__parse_feed) and the router: the
 * first byte picks the chunk size so request boundaries fall everywhere. Never opens sockets. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http_internal.h"

static void h(struct http_req *r, void *app)
{
}

static const struct http_route routes[] = {
    {"GET", "/api/v1/sessions/:id", "p", h},
    {"POST", "/api/v1/sessions/:id/close", "p", h},
    {"GET", "/", "p", h},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 64) + 1;
	data++;
	size--;
	struct http_limits in = {.max_header_bytes = 1024, .max_body_bytes = 512}, lim;
	http__limits_resolve(&in, &lim);
	struct http_rx rx;
	http__rx_init(&rx, &lim);
	size_t off = 0;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		size_t used;
		int r = http__parse_feed(&rx, (const char *)data + off, n, &used);
		if (r == HTTP_PARSE_ERROR)
			break;
		off += r == HTTP_PARSE_MORE ? n : used;
		if (r == HTTP_PARSE_DONE) {
			struct http_req *req = http__rx_take(&rx);
			int st;
			char allow[64];
			http__router_match(routes, 3, req, &st, allow, sizeof allow);
			(void)http_req_header(req, "host");
			(void)http_req_cookie(req, "sid");
			(void)http_req_query(req, "q");
			(void)http_req_param(req, "id");
			size_t bl;
			(void)http_req_body(req, &bl);
			(void)strlen(http_req_path(req));
			http__req_free(req);
		}
	}
	http__rx_free(&rx);
	return 0;
}
