/* perm.h — roles (SPEC §1) and the one table of which role holds which permission. Every HTTP
 * route and WebSocket action names a permission from this table; anything not granted here is
 * denied. auth never touches sockets or SQL. */
#ifndef KEFU_AUTH_PERM_H
#define KEFU_AUTH_PERM_H

#include <stdbool.h>
#include <stddef.h>

/* Effective roles. An account with role "agent" is junior or senior by its level (SPEC §1). */
enum auth_role {
	ROLE_ANON, /* not logged in */
	ROLE_CUSTOMER, /* widget visitor or identified customer */
	ROLE_JUNIOR, /* agent, junior (新人/初级) */
	ROLE_SENIOR, /* agent, senior (资深/中级/高级) */
	ROLE_LEAD, /* team lead (组长) */
	ROLE_SUPERVISOR, /* 主管 */
	ROLE_MANAGER, /* 经理 */
	ROLE_QA, /* QA inspector (质检) */
	ROLE_DEPT, /* department collaborator */
	ROLE_ADMIN, /* users, roles, lexicons */
	ROLE_GATEWAY, /* the mail gateway account: inbound mail and the outbox (N-06) */
	ROLE_COUNT
};

/* "anon", "customer", "junior", … */
const char *auth_role_name(enum auth_role r);
/* Effective role from an account's role and level strings; ROLE_ANON when unknown. */
enum auth_role auth_role_from_account(const char *role, const char *level);
/* Account role strings accepted by `kefu user add` and POST /users. */
bool auth_account_role_valid(const char *role);
bool auth_account_level_valid(const char *level);

/* Is perm in the table? */
bool perm_known(const char *perm);
/* Does role hold perm? "public" is held by every role including ROLE_ANON. */
bool perm_allows(const char *perm, enum auth_role role);
/* The permission names, for tests that walk every route × role. */
size_t perm_count(void);
const char *perm_name(size_t i);

#endif
