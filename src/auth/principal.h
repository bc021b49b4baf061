/* principal.h — who is behind a request or a connection, after authentication. A plain value:
 * copy it freely; skills are a fixed inline array. */
#ifndef KEFU_AUTH_PRINCIPAL_H
#define KEFU_AUTH_PRINCIPAL_H

#include <stdbool.h>

#include "auth/perm.h"

#define PRINCIPAL_MAX_SKILLS 8

struct principal {
	enum auth_role role; /* effective role */
	char id[80]; /* user id ("u_…") or customer id */
	char name[64]; /* login name; "" for customers */
	char display[64]; /* shown to others */
	char level[16]; /* junior|senior|… or "" */
	char team[32]; /* team id or "" */
	char dept[32]; /* department of a dept account (logistics, warehouse, …) or "" */
	char customer_type[16]; /* customers: new|returning|vip */
	char skills[PRINCIPAL_MAX_SKILLS][24]; /* agents: skill groups */
	int nskills; /* entries used in skills */
	int max_chats; /* agents: concurrent chat limit */
	char token_hash[65]; /* hash of the token used, for logout */
};

static inline bool principal_is_customer(const struct principal *p)
{
	return p->role == ROLE_CUSTOMER;
}

#endif
