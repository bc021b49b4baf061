/* users.c — account validation and the synchronous add/passwd paths (see users.h). */
#include "auth/users.h"

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/perm.h"
#include "base/rand.h"
#include "base/utf8.h"
#include "store/store.h"

#define DEFAULT_MAX_CHATS 5
#define MAX_MAX_CHATS 50

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int opt_text(const char *field, const char *v, size_t max, struct kefu_err *err)
{
	if (v && (strlen(v) > max || !utf8_valid(v, strlen(v), NULL)))
		return KEFU_ERR(err, KEFU_EINVAL, field, "%s must be valid UTF-8 of at most %zu bytes", field,
				max);
	return 0;
}

int users_validate(const struct user_new *u, struct kefu_err *err)
{
	if (!name_ok(u->name))
		return KEFU_ERR(err, KEFU_EINVAL, "name",
				"name must be 1–64 characters of letters, digits, '.', '_' or '-'");
	if (!auth_account_role_valid(u->role))
		return KEFU_ERR(err, KEFU_EINVAL, "role",
				"role must be agent, lead, supervisor, manager, qa, dept or admin");
	if (u->level && !auth_account_level_valid(u->level))
		return KEFU_ERR(err, KEFU_EINVAL, "level",
				"level must be junior, senior, lead, supervisor or manager");
	if (u->post && *u->post && strcmp(u->post, "presale") && strcmp(u->post, "aftersale") &&
	    strcmp(u->post, "complaint"))
		return KEFU_ERR(err, KEFU_EINVAL, "post", "post must be presale, aftersale or complaint");
	int rc;
	if ((rc = opt_text("display", u->display, 64, err)) < 0 ||
	    (rc = opt_text("team", u->team, 31, err)) < 0 || (rc = opt_text("dept", u->dept, 31, err)) < 0)
		return rc;
	if (u->max_chats < 0 || u->max_chats > MAX_MAX_CHATS)
		return KEFU_ERR(err, KEFU_EINVAL, "max_chats", "max_chats must be from 1 to %d",
				MAX_MAX_CHATS);
	if (u->skills) {
		if (!json_is_array(u->skills) || json_array_size(u->skills) > 8)
			return KEFU_ERR(err, KEFU_EINVAL, "skills",
					"skills must be an array of at most 8 group names");
		size_t i;
		json_t *v;
		json_array_foreach(u->skills, i, v)
		{
			if (!json_is_string(v) || !name_ok(json_string_value(v)) ||
			    json_string_length(v) > 23)
				return KEFU_ERR(err, KEFU_EINVAL, "skills",
						"each skill is a group name of 1–23 letters or digits");
		}
	}
	return password_check_policy(u->password ? u->password : "", err);
}

json_t *users_created_data(const struct user_new *u, const char *id, const char *pw_hash)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:i,s:s}", "id", id, "name", u->name,
			 "display", u->display && *u->display ? u->display : u->name, "role", u->role,
			 "level", u->level ? u->level : "", "team", u->team ? u->team : "", "post",
			 u->post ? u->post : "", "dept", u->dept ? u->dept : "", "skills",
			 u->skills ? json_incref(u->skills) : json_array(), "max_chats",
			 u->max_chats > 0 ? u->max_chats : DEFAULT_MAX_CHATS, "pw_hash", pw_hash);
}

int users_add_sync(struct store *s, struct store_reader *r, const struct user_new *u, char *id_out,
		   struct kefu_err *err)
{
	int rc = users_validate(u, err);
	if (rc < 0)
		return rc;
	struct store_user existing = {0};
	if (store_user_by_name(r, u->name, &existing, NULL) == 0) {
		store_user_clear(&existing);
		return KEFU_ERR(err, KEFU_EEXIST, "name", "an account named %s already exists", u->name);
	}
	char hash[PASSWORD_HASH_MAX];
	if ((rc = password_hash(u->password, hash, err)) < 0)
		return rc;
	rand_id(id_out, 24, "u_");
	json_t *data = users_created_data(u, id_out, hash);
	struct store_event ev = {.type = "user.created", .data = data};
	return store_append_sync(s, &ev, NULL, err);
}

int users_passwd_sync(struct store *s, struct store_reader *r, const char *name, const char *password,
		      struct kefu_err *err)
{
	struct store_user u = {0};
	int rc = store_user_by_name(r, name, &u, err);
	if (rc < 0)
		return KEFU_ERR(err, KEFU_ENOTFOUND, "name", "no account named %s", name);
	char id[64];
	snprintf(id, sizeof id, "%s", u.id);
	store_user_clear(&u);
	if ((rc = password_check_policy(password, err)) < 0)
		return rc;
	char hash[PASSWORD_HASH_MAX];
	if ((rc = password_hash(password, hash, err)) < 0)
		return rc;
	struct store_event ev = {.type = "user.password_set",
				 .actor = id,
				 .data = json_pack("{s:s,s:s}", "id", id, "pw_hash", hash)};
	return store_append_sync(s, &ev, NULL, err);
}
