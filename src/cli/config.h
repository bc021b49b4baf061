/* config.h — `kefu serve` settings: defaults, then conf/kefu.conf (`key = value`, # comments),
 * then command-line flags. Unknown keys and bad values are refused with file:line. */
#ifndef KEFU_CLI_CONFIG_H
#define KEFU_CLI_CONFIG_H

#include <stdbool.h>

#include "base/err.h"
#include "http/http.h"

struct serve_config {
	char listen[128]; /* HOST:PORT; port 0 picks a free one */
	char db[512]; /* SQLite file */
	char static_dir[512]; /* built web apps */
	char lexicons_dir[512]; /* compliance lexicons (guard) */
	char log_level[16]; /* debug|info|warn|error */
	char widget_secret[128]; /* HMAC key for identified customers ("" = random per start) */
	char port_file[512]; /* write the bound port here ("" = no) */
	int token_ttl_hours; /* login validity */
	int login_max_failures; /* per name and per address … */
	int login_max_failures_per_addr; /* per client address … */
	int login_window_s; /* … within this window */
	bool demo; /* load the demo organisation if the store is empty */
	struct http_limits limits;
};

void config_defaults(struct serve_config *c);
/* Reads path into c. Returns 0, -KEFU_EIO (cannot read; err says), or -KEFU_EINVAL (err->field
 * is "path:line"). */
int config_load_file(struct serve_config *c, const char *path, struct kefu_err *err);
/* Applies one key = value (same keys as the file). */
int config_set(struct serve_config *c, const char *key, const char *value, struct kefu_err *err);
/* Splits "host:port" (IPv4 or [IPv6]). */
int config_split_listen(const char *listen, char *host, int host_cap, int *port, struct kefu_err *err);

#endif
