/* notice.c — N-24 notice templates (see notice.h): parsing with placeholder checks, and rendering
 * that refuses a missing or an unused field, so a notice never leaves with "{tracking}" in it or
 * with data the template did not ask for. */
#include "ticket/notice.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/datafile.h"
#include "base/mem.h"

#define NOTICE_MAX_FILE (256 * 1024)

struct notice_templates {
	json_t *templates; /* object name → string, owned ref */
};

/* Checks braces: every '{' closes with '}' before the next '{', names are [a-z_]+. */
static int check_template(const char *name, const char *s, struct kefu_err *err)
{
	for (const char *p = s; *p; p++) {
		if (*p == '}')
			return KEFU_ERR(err, KEFU_EINVAL, "templates",
					"template '%.40s' has a '}' without '{'", name);
		if (*p != '{')
			continue;
		const char *q = p + 1;
		while ((*q >= 'a' && *q <= 'z') || *q == '_')
			q++;
		if (*q != '}' || q == p + 1)
			return KEFU_ERR(err, KEFU_EINVAL, "templates",
					"template '%.40s' has a placeholder that is not {lowercase_name}",
					name);
		p = q;
	}
	return 0;
}

int notice_templates_parse(const char *text, size_t len, struct notice_templates **out, struct kefu_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "line %d column %d: %.120s", je.line, je.column,
				je.text);
	int r = 0;
	const char *key;
	json_t *v;
	json_t *tpls = json_object_get(root, "templates");
	if (!json_is_object(root) || !json_is_object(tpls) || json_object_size(tpls) == 0) {
		r = KEFU_ERR(err, KEFU_EINVAL, "templates", "is required: an object of named templates");
		goto done;
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "note") && strcmp(key, "templates")) {
			r = KEFU_ERR(err, KEFU_EINVAL, "json", "unknown key '%.40s'", key);
			goto done;
		}
	}
	json_object_foreach(tpls, key, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0) {
			r = KEFU_ERR(err, KEFU_EINVAL, "templates",
				     "template '%.40s' must be a non-empty string", key);
			goto done;
		}
		if ((r = check_template(key, json_string_value(v), err)) < 0)
			goto done;
	}
	struct notice_templates *t = xcalloc(1, sizeof *t);
	t->templates = json_incref(tpls);
	*out = t;
done:
	json_decref(root);
	return r;
}

int notice_templates_load_file(const char *path, struct notice_templates **out, struct kefu_err *err)
{
	char *text = NULL;
	size_t n = 0;
	int r = datafile_read(path, NOTICE_MAX_FILE, "notices", &text, &n, err);
	if (r == 0)
		r = notice_templates_parse(text, n, out, err);
	free(text);
	return r;
}

const char *notice_default_path(char *out, size_t cap)
{
	return datafile_path("KEFU_NOTICES", NOTICE_POLICY_FILE, out, cap);
}

void notice_templates_free(struct notice_templates *t)
{
	if (!t)
		return;
	json_decref(t->templates);
	free(t);
}

int notice_render(const struct notice_templates *t, const char *name, json_t *fields, char **out,
		  struct kefu_err *err)
{
	const char *tpl = name ? json_string_value(json_object_get(t->templates, name)) : NULL;
	if (!tpl)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "template", "no notice template '%.40s'",
				name ? name : "");
	if (fields && !json_is_object(fields))
		return KEFU_ERR(err, KEFU_EINVAL, "fields", "fields must be an object");
	const char *key;
	json_t *v;
	json_object_foreach(fields, key, v)
	{
		char ph[72];
		snprintf(ph, sizeof ph, "{%.64s}", key);
		if (!strstr(tpl, ph))
			return KEFU_ERR(err, KEFU_EINVAL, key, "template '%.40s' has no {%.40s}", name, key);
		if (!json_is_string(v) && !json_is_integer(v) && !json_is_real(v))
			return KEFU_ERR(err, KEFU_EINVAL, key, "%.40s must be a string or a number", key);
		if (json_is_string(v) &&
		    (json_string_length(v) == 0 || json_string_length(v) > NOTICE_FIELD_MAX))
			return KEFU_ERR(err, KEFU_EINVAL, key, "%.40s must be 1..%d bytes", key,
					NOTICE_FIELD_MAX);
	}
	struct buf b;
	buf_init(&b);
	for (const char *p = tpl; *p;) {
		if (*p != '{') {
			const char *q = strchr(p, '{');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			buf_append(&b, p, n);
			p += n;
			continue;
		}
		const char *q = strchr(p, '}'); /* present: checked at parse */
		char field[64];
		snprintf(field, sizeof field, "%.*s", (int)(q - p - 1), p + 1);
		json_t *fv = json_object_get(fields, field);
		if (!fv) {
			buf_free(&b);
			return KEFU_ERR(err, KEFU_EINVAL, field, "template '%.40s' needs {%s}", name, field);
		}
		if (json_is_string(fv))
			buf_puts(&b, json_string_value(fv));
		else if (json_is_integer(fv))
			buf_printf(&b, "%lld", (long long)json_integer_value(fv));
		else
			buf_printf(&b, "%.2f", json_real_value(fv));
		p = q + 1;
	}
	*out = buf_detach(&b);
	return 0;
}
