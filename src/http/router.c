/* router.c — method + path-pattern routing and the deny-by-default permission gate: start-up
 * check that every route names a known permission, matching with ":name" parameters (404 for an
 * unknown path, 405 + Allow for a known path with another method), and dispatch that calls the
 * application's authorize hook (-KEFU_EAUTH → 401, -KEFU_EPERM → 403) before any handler.
 * Never decides who may do what: that is the application's authorize hook. */
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"

int http__router_check(const struct http_server_config *cfg, struct kefu_err *err)
{
	if (cfg->nroutes && (!cfg->routes || !cfg->perm_known || !cfg->authorize))
		return KEFU_ERR(err, KEFU_EINVAL, "routes", "routes need perm_known and authorize hooks");
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct http_route *rt = &cfg->routes[i];
		const char *m = rt->method ? rt->method : "?";
		const char *p = rt->pattern ? rt->pattern : "?";
		char field[64];
		snprintf(field, sizeof field, "%s %s", m, p);
		if (!rt->method || !rt->pattern || rt->pattern[0] != '/' || !rt->fn)
			return KEFU_ERR(err, KEFU_EINVAL, field,
					"route %s %s: method, pattern or handler missing", m, p);
		if (!rt->perm || !rt->perm[0])
			return KEFU_ERR(err, KEFU_EINVAL, field, "route %s %s has no permission", m, p);
		if (!cfg->perm_known(rt->perm, cfg->app))
			return KEFU_ERR(err, KEFU_EINVAL, field,
					"route %s %s names unknown permission \"%s\"", m, p, rt->perm);
		size_t nparams = 0;
		for (const char *c = rt->pattern; *c; c++)
			if (*c == ':' && c[-1] == '/')
				nparams++;
		if (nparams > HTTP_MAX_PARAMS)
			return KEFU_ERR(err, KEFU_EINVAL, field, "route %s %s has too many parameters", m, p);
	}
	if (cfg->ws_path) { /* the upgrade is gated by the GET route of ws_path: it must exist */
		bool found = false;
		for (size_t i = 0; i < cfg->nroutes && !found; i++)
			found = strcmp(cfg->routes[i].method, "GET") == 0 &&
			    strcmp(cfg->routes[i].pattern, cfg->ws_path) == 0;
		if (!found)
			return KEFU_ERR(err, KEFU_EINVAL, "ws_path",
					"ws_path %s needs a GET route naming its permission", cfg->ws_path);
	}
	return 0;
}

struct seg {
	size_t off; /* offset of a raw path segment in the raw path */
	size_t len; /* its length in bytes */
	const char *name; /* the parameter name in the pattern, after ':' */
	size_t nlen; /* its length in bytes */
};

/* Does pattern match the raw path? Literal segments compare after percent-decoding (a literal
 * segment never holds '%'), ":name" captures one non-empty segment into caps. */
static bool pattern_match(const char *pattern, const char *raw, struct seg *caps, size_t *ncaps)
{
	const char *p = pattern, *r = raw;
	*ncaps = 0;
	while (*p && *r) {
		if (*p != '/' || *r != '/')
			return false;
		p++;
		r++;
		const char *pe = strchr(p, '/'), *re = strchr(r, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t rl = re ? (size_t)(re - r) : strlen(r);
		if (pl && p[0] == ':') {
			if (rl == 0 || *ncaps == HTTP_MAX_PARAMS)
				return false;
			caps[*ncaps].off = (size_t)(r - raw);
			caps[*ncaps].len = rl;
			caps[*ncaps].name = p + 1;
			caps[*ncaps].nlen = pl - 1;
			(*ncaps)++;
		} else if (pl != rl || memcmp(p, r, pl) != 0) {
			return false;
		}
		p += pl;
		r += rl;
	}
	return *p == '\0' && *r == '\0';
}

static bool method_matches(const char *route_method, const char *req_method)
{
	if (strcmp(route_method, req_method) == 0)
		return true;
	return strcmp(req_method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

const struct http_route *http__router_match(const struct http_route *routes, size_t n, struct http_req *req,
					    int *status, char *allow, size_t allow_cap)
{
	struct seg caps[HTTP_MAX_PARAMS];
	size_t ncaps;
	bool path_known = false;
	size_t alen = 0;
	if (allow_cap)
		allow[0] = '\0';
	/* Copy: decoding parameters into store may move it. */
	char raw[4096];
	const char *rp = req->store.data + req->raw_path;
	if (strlen(rp) >= sizeof raw) {
		*status = 404;
		return NULL;
	}
	strcpy(raw, rp);
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(routes[i].pattern, raw, caps, &ncaps))
			continue;
		if (method_matches(routes[i].method, req->method)) {
			for (size_t k = 0; k < ncaps; k++) {
				int64_t v = http__store_decoded(req, raw + caps[k].off, caps[k].len, false);
				if (v < 0) {
					*status = 404;
					return NULL;
				}
				uint32_t key = http__store(req, caps[k].name, caps[k].nlen);
				http__req_add_kv(req, HTTP_KV_PARAM, key, (uint32_t)v);
			}
			*status = 200;
			return &routes[i];
		}
		path_known = true;
		const char *m = routes[i].method;
		if (allow_cap && !strstr(allow, m) && alen + strlen(m) + 3 < allow_cap) {
			alen += (size_t)snprintf(allow + alen, allow_cap - alen, "%s%s", alen ? ", " : "", m);
		}
	}
	*status = path_known ? 405 : 404;
	return NULL;
}

void http__dispatch(struct http_server *s, struct http_req *req)
{
	const struct http_server_config *cfg = http__server_config(s);
	/* A WebSocket upgrade passes the same gate as every route: ws_path must be a route (with its
	 * permission) and the caller must hold it before the handshake starts. */
	bool ws = cfg->ws_path && req->upgrade && strcmp(http_req_path(req), cfg->ws_path) == 0;
	if (req->upgrade && !ws)
		req->keep_alive = false; /* unknown upgrade: answer over HTTP, then close */
	int status;
	char allow[128];
	const struct http_route *rt =
	    http__router_match(cfg->routes, cfg->nroutes, req, &status, allow, sizeof allow);
	if (!rt) {
		bool get = strcmp(req->method, "GET") == 0 || req->head;
		if (status == 404 && cfg->static_dir && get) {
			http__static_serve(cfg->static_dir, req);
		} else if (status == 405) {
			char hdr[160];
			snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
			http__reply_error_ex(req, 405, "method_not_allowed", "method not allowed", NULL, hdr);
		} else {
			http_reply_error(req, 404, kefu_strerror(KEFU_ENOTFOUND), "no such resource", NULL);
		}
		return;
	}
	int rc = cfg->authorize(req, rt->perm, cfg->app);
	if (rc != 0) {
		int st = rc == -KEFU_EAUTH ? 401 : rc == -KEFU_EPERM || rc > 0 ? 403 : http_status_for(-rc);
		const char *msg = st == 401 ? "login required"
		    : st == 403		    ? "not allowed"
					    : "request refused";
		http_reply_error(req, st, kefu_strerror(rc > 0 ? KEFU_EPERM : rc), msg, NULL);
		return;
	}
	if (ws) {
		http__ws_handshake(s, req);
		return;
	}
	rt->fn(req, cfg->app);
}
