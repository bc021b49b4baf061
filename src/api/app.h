/* app.h — the running service as the api handlers see it: store, the loop thread's reader, the
 * chat engine, the login limiter, the principal cache and settings. Owned by `kefu serve`
 * (src/cli/serve.c); handlers borrow it. Loop thread only. */
#ifndef KEFU_API_APP_H
#define KEFU_API_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "auth/principal.h"
#include "base/map.h"
#include "http/http.h"

struct store;
struct store_reader;
struct chat;
struct limiter;
struct guard_slot;
struct guard_slot;
struct ticket_api;
struct kb_api;

struct app {
	uv_loop_t *loop;
	struct store *store;
	struct store_reader *reader; /* loop thread's reader */
	struct chat *chat;
	struct http_server *http;
	struct limiter *login_limiter; /* failed logins per account name */
	struct limiter *addr_limiter; /* failed logins per client address (looser: shared NATs) */
	struct map principals; /* token hash → struct cached_principal* (owned) */
	const char *widget_secret; /* HMAC key for identified customers */
	int64_t token_ttl_ms; /* login validity */
	bool demo; /* demo mode: extra demo helpers enabled */
	int logins_in_flight; /* argon2 verifications running (capped) */
	struct guard_slot *guard; /* compliance rules in force (borrowed; hot-swapped on edits) */
	const char *lexicons_dir; /* where the lexicon files live */
	bool lexicon_busy; /* a lexicon replacement is being validated */
	struct ticket_api *tickets; /* tickets and the SLA clock (src/api/ticket_api.c), owned */
	struct kb_api *kb; /* knowledge base reads, suggestions, FAQ bot (src/api/kb_api.c), owned */
};

/* The route table (src/api/routes.c). */
const struct http_route *api_routes(size_t *n);
/* http hooks (src/api/auth_api.c, src/api/ws_api.c). */
bool api_perm_known(const char *perm, void *app);
int api_authorize(struct http_req *req, const char *perm, void *app);
int api_ws_accept(struct http_req *req, void *app, void **conn_data);
void api_ws_message(struct ws_conn *c, void *conn_data, const char *text, size_t len);
void api_ws_closed(struct ws_conn *c, void *conn_data);
/* chat sink writing frames to WebSockets. */
void api_ws_sink_send(void *ctx, void *transport, const char *frame, size_t len);

/* Resolves a token (cookie, bearer or ?token=) to a principal; 0, -KEFU_EAUTH. */
int api_principal_for_token(struct app *a, const char *token, struct principal *out);
/* Drops expired cached principals. */
void api_principals_sweep(struct app *a, int64_t now_ms);
void api_principals_free(struct app *a);

#endif
