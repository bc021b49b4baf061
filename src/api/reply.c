/* reply.c — reply helpers shared by every api handler (see api.h). */
#include <string.h>

#include "api/api.h"
#include "base/err.h"

void api_reply_err(struct http_req *req, const struct kefu_err *err)
{
	http_reply_error(req, http_status_for(err->code), kefu_strerror(err->code), err->msg,
			 err->field[0] ? err->field : NULL);
}

void api_reply_code(struct http_req *req, int code, const char *message, const char *field)
{
	http_reply_error(req, http_status_for(code), kefu_strerror(code), message, field);
}

int api_parse_body(struct http_req *req, const struct json_in_field *spec, size_t n, json_t **out,
		   struct kefu_err *err)
{
	size_t len = 0;
	const char *body = http_req_body(req, &len);
	json_t *o = NULL;
	if (len == 0) {
		o = json_object();
	} else {
		int rc = json_in_parse(body, len, &o, err);
		if (rc < 0)
			return rc;
	}
	int rc = json_in_check(o, spec, n, err);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

json_t *api_principal_json(const struct principal *p)
{
	json_t *skills = json_array();
	for (int i = 0; i < p->nskills; i++)
		json_array_append_new(skills, json_string(p->skills[i]));
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:i}", "id", p->id, "name", p->name, "display",
			      p->display, "role", auth_role_name(p->role), "level", p->level, "team", p->team,
			      "skills", skills, "max_chats", p->max_chats);
	if (p->dept[0])
		json_object_set_new(o, "dept", json_string(p->dept));
	if (p->role == ROLE_CUSTOMER)
		json_object_set_new(o, "type", json_string(p->customer_type));
	return o;
}
