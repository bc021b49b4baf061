/* chat_api.c — REST routes of live chat: categories, norms, queue, supervisor overview, session
 * history and the customer profile panel. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "chat/chat.h"
#include "chat/profile.h"
#include "store/store.h"

void api_categories(struct http_req *req, void *appv)
{
	(void)appv;
	http_reply_json(req, 200, chat_policy_categories_json(chat_policy_default()), NULL);
}

void api_norms(struct http_req *req, void *appv)
{
	(void)appv;
	http_reply_json(req, 200, chat_policy_norms_json(chat_policy_default()), NULL);
}

void api_queue(struct http_req *req, void *appv)
{
	struct app *a = appv;
	http_reply_json(req, 200, chat_queue_json(a->chat, http_req_user(req)), NULL);
}

void api_overview(struct http_req *req, void *appv)
{
	struct app *a = appv;
	http_reply_json(req, 200, chat_overview_json(a->chat), NULL);
}

static int parse_int_param(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (!s || !*s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

void api_session_messages(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const char *id = http_req_param(req, "id");
	int64_t after = 0, limit = 200;
	if (parse_int_param(http_req_query(req, "after"), 0, INT64_MAX, &after) < 0)
		return http_reply_error(req, 400, "invalid", "after must be a non-negative integer", "after");
	if (parse_int_param(http_req_query(req, "limit"), 1, 1000, &limit) < 0)
		return http_reply_error(req, 400, "invalid", "limit must be an integer from 1 to 1000",
					"limit");
	if (!chat_can_read(a->chat, http_req_user(req), id))
		return http_reply_error(req, 404, "not_found", "no such session among yours", NULL);
	json_t *msgs = NULL;
	struct kefu_err err = {0};
	if (store_session_messages(a->reader, id, after, (int)limit, &msgs, &err) < 0)
		return api_reply_err(req, &err);
	http_reply_json(req, 200, json_pack("{s:s,s:o}", "session", id, "messages", msgs), NULL);
}

void api_customer_profile(struct http_req *req, void *appv)
{
	struct app *a = appv;
	const struct principal *p = http_req_user(req);
	json_t *prof = NULL;
	struct kefu_err err = {0};
	if (store_customer_profile(a->reader, http_req_param(req, "id"), &prof, &err) < 0)
		return api_reply_err(req, &err);
	if (!perm_allows("pii.reveal", p->role))
		profile_mask(prof); /* C-10: juniors and QA see masked data */
	http_reply_json(req, 200, prof, NULL);
}
