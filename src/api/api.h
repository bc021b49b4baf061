/* api.h — shared pieces of the api handlers (one file per resource): reply helpers, strict body
 * parsing and the handler prototypes the route table names. Handlers parse, check, call one
 * domain function and write JSON; no SQL and no business rules here. */
#ifndef KEFU_API_API_H
#define KEFU_API_API_H

#include <jansson.h>

#include "api/app.h"
#include "api/json_in.h"
#include "http/http.h"

/* Replies with the status for err->code and the JSON error body. */
void api_reply_err(struct http_req *req, const struct kefu_err *err);
/* Replies with the status for code (negative kefu code) and message. */
void api_reply_code(struct http_req *req, int code, const char *message, const char *field);
/* Parses the body strictly against spec; an empty body counts as {}. */
int api_parse_body(struct http_req *req, const struct json_in_field *spec, size_t n, json_t **out,
		   struct kefu_err *err);
/* Public view of a principal (new ref). */
json_t *api_principal_json(const struct principal *p);
/* The request's token (Bearer, cookie, or ?token=). Borrowed. */
const char *api_req_token(struct http_req *req);

/* auth_api.c */
void api_login(struct http_req *req, void *app);
void api_logout(struct http_req *req, void *app);
void api_me(struct http_req *req, void *app);
void api_visitor(struct http_req *req, void *app);
void api_demo_identify(struct http_req *req, void *app);
/* chat_api.c */
void api_categories(struct http_req *req, void *app);
void api_norms(struct http_req *req, void *app);
void api_queue(struct http_req *req, void *app);
void api_overview(struct http_req *req, void *app);
void api_session_messages(struct http_req *req, void *app);
void api_customer_profile(struct http_req *req, void *app);
/* lexicon_api.c */
void api_lexicons_list(struct http_req *req, void *app);
void api_lexicon_get(struct http_req *req, void *app);
void api_lexicon_put(struct http_req *req, void *app);
void api_customer_reveal(struct http_req *req, void *app);
/* users_api.c */
void api_users_list(struct http_req *req, void *app);
void api_users_create(struct http_req *req, void *app);
/* assess_api.c */
void api_assess(struct http_req *req, void *app);
void api_assess_explain(struct http_req *req, void *app);
void api_assess_frt_csat(struct http_req *req, void *app);
void api_assess_record(struct http_req *req, void *app);
/* health_api.c */
void api_healthz(struct http_req *req, void *app);
void api_metrics(struct http_req *req, void *app);
/* ws_api.c: GET /ws is handled by the server's upgrade path; this placeholder answers plain GETs. */
void api_ws_plain(struct http_req *req, void *app);

#endif
