/* perm.c — THE permission table (deny by default). Tests walk every route × role against
 * perm_allows(), so this table is the single source of truth for access control. */
#include "auth/perm.h"

#include <string.h>

#define R(x) (1u << (x))
#define STAFF_SERVE (R(ROLE_JUNIOR) | R(ROLE_SENIOR) | R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER))

struct perm_entry {
	const char *name; /* permission */
	unsigned roles; /* bit set of enum auth_role */
	const char *about; /* what it guards */
};

static const struct perm_entry table[] = {
    {"public", ~0u, "health, metrics, login, visitor tokens, categories, static files"},
    {"session.self", ~0u & ~R(ROLE_ANON), "own login: me, logout"},
    {"chat.connect", R(ROLE_CUSTOMER) | STAFF_SERVE, "open the live-chat WebSocket"},
    {"chat.customer", R(ROLE_CUSTOMER), "open a chat, send, rate (own sessions only)"},
    {"chat.serve", STAFF_SERVE, "serve chats: presence, pick, send, close, queue, norms"},
    {"chat.transfer", STAFF_SERVE, "transfer a chat to an agent or group (N-08)"},
    {"chat.read", R(ROLE_CUSTOMER) | STAFF_SERVE | R(ROLE_QA),
     "read a session's history (own/served, or all for lead+ and QA)"},
    {"chat.supervise", R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER),
     "supervisor view: queue, agents, live chats"},
    {"customer.profile", STAFF_SERVE | R(ROLE_QA),
     "customer profile panel (N-23), masked below senior (C-10)"},
    {"pii.reveal", R(ROLE_SENIOR) | R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER),
     "see customer PII unmasked"},
    {"user.admin", R(ROLE_ADMIN), "create and list accounts"},
    {"lexicon.admin", R(ROLE_ADMIN), "read and edit the compliance lexicons (hot reload)"},
    {"ticket.create", STAFF_SERVE, "create tickets from a chat or the API (N-14)"},
    {"ticket.form", R(ROLE_CUSTOMER), "submit the complaint / after-sale form (N-06)"},
    {"ticket.read", STAFF_SERVE | R(ROLE_QA) | R(ROLE_DEPT),
     "read tickets; department users only their department's, customer data masked (C-07)"},
    {"ticket.claim", STAFF_SERVE | R(ROLE_DEPT), "claim a ticket (N-14); departments only their own"},
    {"ticket.work", STAFF_SERVE | R(ROLE_DEPT), "ticket steps, escalations and resolution (N-15…N-20)"},
    {"sla.board", R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER), "SLA warning and breach board"},
    {"ticket.mail", STAFF_SERVE, "answer an email ticket by mail (queued in the outbox, N-06)"},
    {"mail.gateway", R(ROLE_GATEWAY),
     "the mail gateway: inbound mail to tickets, the outbox for the relay (N-06)"},
    {"test.clock", R(ROLE_ADMIN), "move the clock forward; only with kefu serve --test-clock (tests)"},
    {"notice.send", STAFF_SERVE, "proactive order notices from templates (N-24)"},
    {"kb.read", STAFF_SERVE | R(ROLE_QA) | R(ROLE_ADMIN),
     "search the knowledge base, read articles and their versions (KB-2)"},
    {"kb.contribute", STAFF_SERVE, "propose a change or a new article to the knowledge base (KB-4)"},
    {"kb.review", R(ROLE_SUPERVISOR) | R(ROLE_MANAGER),
     "list and accept or reject knowledge-base contributions (KB-4, K-40)"},
    {"kb.edit", R(ROLE_SUPERVISOR) | R(ROLE_MANAGER) | R(ROLE_ADMIN),
     "create, edit and retire knowledge-base articles, export them (KB-4)"},
    {"kb.case", R(ROLE_SENIOR) | R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER),
     "save a closed chat as a case, PII masked (KB-1, KB-5)"},
    {"kb.cite", STAFF_SERVE, "cite a case while serving a chat (KB-5, K-41)"},
    {"kb.report", R(ROLE_LEAD) | R(ROLE_SUPERVISOR) | R(ROLE_MANAGER) | R(ROLE_ADMIN),
     "the FAQ bot's deflection and hand-over rates, the weekly high-frequency questions (KB-6, N-25)"},
    {"assess.read", STAFF_SERVE,
     "assessment results and their sessions (A-10, D-2); scoped in the handler: manager all, "
     "lead and supervisor their team, agents their own"},
    {"assess.record", R(ROLE_MANAGER),
     "record a period's assessment results (A-8: bonuses, retraining, …) as events, once per period"},
};

static const char *const role_names[ROLE_COUNT] = {
    "anon", "customer", "junior", "senior", "lead", "supervisor", "manager", "qa", "dept", "admin", "gateway",
};

const char *auth_role_name(enum auth_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "unknown";
}

enum auth_role auth_role_from_account(const char *role, const char *level)
{
	if (!role)
		return ROLE_ANON;
	if (strcmp(role, "agent") == 0)
		return level && strcmp(level, "senior") == 0 ? ROLE_SENIOR : ROLE_JUNIOR;
	static const struct {
		const char *name;
		enum auth_role role;
	} map[] = {
	    {"lead", ROLE_LEAD}, {"supervisor", ROLE_SUPERVISOR}, {"manager", ROLE_MANAGER}, {"qa", ROLE_QA},
	    {"dept", ROLE_DEPT}, {"admin", ROLE_ADMIN},		  {"gateway", ROLE_GATEWAY}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(role, map[i].name) == 0)
			return map[i].role;
	return ROLE_ANON;
}

bool auth_account_role_valid(const char *role)
{
	return role && (strcmp(role, "agent") == 0 || auth_role_from_account(role, NULL) != ROLE_ANON);
}

bool auth_account_level_valid(const char *level)
{
	static const char *const levels[] = {"", "junior", "senior", "lead", "supervisor", "manager"};
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (level && strcmp(level, levels[i]) == 0)
			return true;
	return false;
}

static const struct perm_entry *find(const char *perm)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].name, perm) == 0)
			return &table[i];
	return NULL;
}

bool perm_known(const char *perm)
{
	return perm && find(perm) != NULL;
}

bool perm_allows(const char *perm, enum auth_role role)
{
	const struct perm_entry *e = perm ? find(perm) : NULL;
	if (!e || (unsigned)role >= ROLE_COUNT)
		return false;
	return (e->roles & R(role)) != 0;
}

size_t perm_count(void)
{
	return sizeof table / sizeof table[0];
}

const char *perm_name(size_t i)
{
	return i < perm_count() ? table[i].name : NULL;
}
