/* libFuzzer harness for the WebSocket frame reader (ws__rx_feed with the shared wslay decoder):
 * the first byte picks the chunk size so frames split at every offset. Never opens sockets. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http_internal.h"

static size_t delivered; /* bytes of messages seen; keeps the callbacks from being optimised out */

static void on_msg(void *arg, const char *t, size_t n)
{
	if (n)
		delivered += (unsigned char)t[0] + (unsigned char)t[n - 1];
}

static void on_ctl(void *arg, int op, const uint8_t *p, size_t n)
{
	if (n)
		delivered += p[n - 1];
}

static void on_close(void *arg, uint16_t code, const char *r, size_t n)
{
	*(bool *)arg = true;
}

static const struct ws_rx_ops ops = {on_msg, on_ctl, on_close};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_limits lim;
	static struct ws_rx_env env;
	static bool init;
	if (!init) {
		struct http_limits in = {.max_ws_frame = 16384, .ws_msgs_per_sec = 1, .ws_burst = 1e9};
		http__limits_resolve(&in, &lim);
		if (ws__rx_env_init(&env, &lim) != 0)
			return 0;
		init = true; /* shared across inputs like a server's: it must stay clean between frames */
	}
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 128) + 1;
	data++;
	size--;
	struct ws_rx rx;
	ws__rx_init(&rx, &lim, 0);
	bool closed = false;
	size_t off = 0;
	while (off < size && !closed) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (ws__rx_feed(&env, &rx, data + off, n, 0, &ops, &closed) != 0)
			break;
		off += n;
	}
	ws__rx_free(&rx);
	return 0;
}
