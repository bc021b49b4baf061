/* notice.h — proactive order notices from templates (N-24): "您的订单{order}已发货…" filled from
 * named fields. Templates are policy data (data/policy/notices.json), parsed and validated once,
 * then read-only. Never sends anything and never touches the store: the caller records the
 * rendered text as an order.notified event and delivers it. */
#ifndef KEFU_TICKET_NOTICE_H
#define KEFU_TICKET_NOTICE_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

#define NOTICE_POLICY_FILE "data/policy/notices.json"
#define NOTICE_FIELD_MAX 128 /* bytes of one field value */

struct notice_templates;

/* Parses {"templates":{"name":"text with {field}…"}} (plus "note"). Unbalanced braces or an empty
 * placeholder are refused naming the template. Returns 0 and *out (free with
 * notice_templates_free) or -KEFU_EINVAL. */
int notice_templates_parse(const char *text, size_t len, struct notice_templates **out, struct kefu_err *err);
int notice_templates_load_file(const char *path, struct notice_templates **out, struct kefu_err *err);
/* $KEFU_NOTICES, else NOTICE_POLICY_FILE in the working directory, else under the source dir. */
const char *notice_default_path(char *out, size_t cap);
void notice_templates_free(struct notice_templates *t);

/* Renders template name with fields (an object of strings or numbers). Every placeholder must be
 * present and every field used. Returns 0 and *out (caller frees with free()), -KEFU_ENOTFOUND
 * (no such template) or -KEFU_EINVAL with err->field naming the field. */
int notice_render(const struct notice_templates *t, const char *name, json_t *fields, char **out,
		  struct kefu_err *err);

#endif
