/* config.c — settings for `kefu serve` (see config.h). */
#include "cli/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_defaults(struct serve_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
	snprintf(c->db, sizeof c->db, "var/kefu.db");
	snprintf(c->static_dir, sizeof c->static_dir, "web/dist");
	snprintf(c->lexicons_dir, sizeof c->lexicons_dir, "data/lexicons");
	snprintf(c->log_level, sizeof c->log_level, "info");
	c->token_ttl_hours = 12;
	c->login_max_failures = 5;
	c->login_max_failures_per_addr = 50;
	c->login_window_s = 300;
}

static int parse_num(const char *key, const char *v, double lo, double hi, double *out, struct kefu_err *err)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || d < lo || d > hi)
		return KEFU_ERR(err, KEFU_EINVAL, key, "%s must be a number from %g to %g", key, lo, hi);
	*out = d;
	return 0;
}

#define STR_KEY(name, field)                                                                                 \
	if (strcmp(key, name) == 0) {                                                                        \
		if (strlen(value) >= sizeof c->field)                                                        \
			return KEFU_ERR(err, KEFU_EINVAL, key, "%s is too long", key);                       \
		snprintf(c->field, sizeof c->field, "%s", value);                                            \
		return 0;                                                                                    \
	}
#define NUM_KEY(name, lvalue, type, lo, hi)                                                                  \
	if (strcmp(key, name) == 0) {                                                                        \
		double d;                                                                                    \
		int rc_ = parse_num(key, value, lo, hi, &d, err);                                            \
		if (rc_ == 0)                                                                                \
			lvalue = (type)d;                                                                    \
		return rc_;                                                                                  \
	}

int config_set(struct serve_config *c, const char *key, const char *value, struct kefu_err *err)
{
	STR_KEY("listen", listen)
	STR_KEY("db", db)
	STR_KEY("static_dir", static_dir)
	STR_KEY("lexicons_dir", lexicons_dir)
	STR_KEY("log_level", log_level)
	STR_KEY("widget_secret", widget_secret)
	NUM_KEY("token_ttl_hours", c->token_ttl_hours, int, 1, 24 * 30)
	NUM_KEY("login_max_failures", c->login_max_failures, int, 1, 1000)
	NUM_KEY("login_max_failures_per_addr", c->login_max_failures_per_addr, int, 1, 100000)
	NUM_KEY("login_window_s", c->login_window_s, int, 1, 86400)
	NUM_KEY("max_header_bytes", c->limits.max_header_bytes, size_t, 1024, 1 << 20)
	NUM_KEY("max_body_bytes", c->limits.max_body_bytes, size_t, 1024, 1 << 30)
	NUM_KEY("max_ws_frame", c->limits.max_ws_frame, size_t, 1024, 16 << 20)
	NUM_KEY("ws_msgs_per_sec", c->limits.ws_msgs_per_sec, double, 0.1, 1e6)
	NUM_KEY("ws_burst", c->limits.ws_burst, double, 1, 1e6)
	NUM_KEY("max_out_bytes", c->limits.max_out_bytes, size_t, 4096, 1 << 30)
	NUM_KEY("idle_timeout_ms", c->limits.idle_timeout_ms, int, 100, 86400000)
	NUM_KEY("max_conns", c->limits.max_conns, int, 1, 10000000)
	if (strcmp(key, "demo") == 0) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return KEFU_ERR(err, KEFU_EINVAL, key, "demo must be true or false");
		c->demo = strcmp(value, "true") == 0;
		return 0;
	}
	return KEFU_ERR(err, KEFU_EINVAL, key, "unknown setting '%.60s'", key);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int config_load_file(struct serve_config *c, const char *path, struct kefu_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return KEFU_ERR(err, KEFU_EIO, path, "cannot read %s: %s", path, strerror(errno));
	char line[1024];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		char where[600];
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		if (!eq) {
			rc = KEFU_ERR(err, KEFU_EINVAL, where, "%s: expected 'key = value'", where);
			break;
		}
		*eq = '\0';
		struct kefu_err e2 = {0};
		if (config_set(c, trim(s), trim(eq + 1), &e2) < 0) {
			rc = KEFU_ERR(err, KEFU_EINVAL, where, "%s: %s", where, e2.msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

int config_split_listen(const char *listen, char *host, int host_cap, int *port, struct kefu_err *err)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return KEFU_ERR(err, KEFU_EINVAL, "listen", "listen must be HOST:PORT, e.g. 127.0.0.1:8080");
	const char *h = listen;
	size_t hl = (size_t)(colon - listen);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if ((int)hl >= host_cap)
		return KEFU_ERR(err, KEFU_EINVAL, "listen", "listen host is too long");
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return KEFU_ERR(err, KEFU_EINVAL, "listen", "listen port must be 0–65535");
	*port = (int)p;
	return 0;
}
