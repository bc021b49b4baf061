/* users.h — accounts: validation of a new account, the user.created event payload, and the
 * synchronous add/passwd used by `kefu user` and the demo organisation. Hashing blocks: the
 * server calls users_* only from worker threads or at start-up. */
#ifndef KEFU_AUTH_USERS_H
#define KEFU_AUTH_USERS_H

#include <jansson.h>

#include "base/err.h"

struct store;
struct store_reader;

struct user_new {
	const char *name; /* login: 1–64 bytes of [A-Za-z0-9._-] */
	const char *password; /* policy of password_check_policy() */
	const char *display; /* shown name, may be NULL (= name) */
	const char *role; /* agent|lead|supervisor|manager|qa|dept|admin */
	const char *level; /* junior|senior|… or NULL */
	const char *team; /* may be NULL */
	const char *post; /* presale|aftersale|complaint or NULL */
	const char *dept; /* department for role dept, else NULL */
	json_t *skills; /* array of skill-group strings, borrowed, may be NULL */
	int max_chats; /* 0 = default (5) */
};

int users_validate(const struct user_new *u, struct kefu_err *err);
/* The user.created payload (new ref). */
json_t *users_created_data(const struct user_new *u, const char *id, const char *pw_hash);
/* Validates, checks the name is free, hashes, appends user.created and waits for the commit.
 * id_out (≥ 24 bytes) receives the new id. */
int users_add_sync(struct store *s, struct store_reader *r, const struct user_new *u, char *id_out,
		   struct kefu_err *err);
/* Sets a new password for the account named name. */
int users_passwd_sync(struct store *s, struct store_reader *r, const char *name, const char *password,
		      struct kefu_err *err);

#endif
