/* chat_internal.h — live-chat state shared by chat.c (operations, events, deliveries) and
 * queue.c (queues and routing). Not a public interface. */
#ifndef KEFU_CHAT_INTERNAL_H
#define KEFU_CHAT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/map.h"
#include "base/metrics.h"
#include "chat/chat.h"

#define CHAT_RECENT_IDS 16 /* client_ids remembered per session for idempotent resend */

enum session_state { SESSION_QUEUED, SESSION_ASSIGNED, SESSION_CLOSED };

struct recent_id {
	char client_id[65]; /* "" = empty */
	int64_t seq; /* seq it was given */
};

struct chat_session {
	char id[24]; /* "s_<16 hex>" */
	char customer[80]; /* customer id */
	char customer_type[16]; /* new|returning|vip */
	char channel[8]; /* web|app|im|phone|… */
	char category[16]; /* N-12 category id */
	char group[24]; /* skill group queued to */
	enum session_state state;
	char agent[40]; /* assigned agent id, "" if none */
	int priority; /* 1 = VIP first (N-22) */
	int64_t opened_ms; /* session.opened */
	int64_t queued_ms; /* last session.queued: queue order within a priority */
	int64_t closed_ms; /* session.closed, 0 if open */
	int64_t first_customer_ms; /* first customer message, 0 if none (K-01) */
	int64_t first_agent_ms; /* first agent reply, 0 if none (K-01) */
	int64_t unanswered_ms; /* oldest customer message not yet answered, 0 if none */
	int64_t last_seq; /* last seq handed out */
	bool rated; /* a rating was recorded */
	int64_t last_suggest_ms; /* last KB-3 suggestion search for this chat, 0 if none */
	int customer_msgs; /* customer messages scored for emotion (C-11) */
	int negative_msgs; /* of which negative */
	bool emotion_alerted; /* the negative-share alert was raised once */
	bool bot_off; /* N-21: the customer asked for a human; the FAQ bot stays silent */
	struct recent_id recent[CHAT_RECENT_IDS]; /* idempotency ring */
	int recent_next; /* next ring slot */
	struct chat_session *qprev, *qnext; /* queue links while queued */
};

struct conn_list {
	struct chat_conn **v; /* connections */
	int n, cap;
};

struct chat_agent {
	char id[40]; /* user id */
	char display[64]; /* shown to customers */
	char status[8]; /* online|away|offline (K-05) */
	char skills[PRINCIPAL_MAX_SKILLS][24]; /* skill groups */
	int nskills;
	int max_chats; /* concurrent chat limit */
	int active; /* assigned sessions now */
	int64_t last_assigned_ms; /* tie-break: longest idle first */
	struct conn_list conns; /* open connections of this agent */
};

struct chat_conn {
	struct chat *chat; /* owner */
	struct principal p; /* who */
	void *transport; /* NULL once detached */
	int refs; /* 1 while attached + one per pending callback */
};

struct group_queue {
	struct chat_session *head, *tail; /* priority desc, then queued_ms asc */
	int len;
};

struct chat {
	struct store *store; /* borrowed */
	struct store_reader *reader; /* borrowed, loop thread */
	const struct chat_policy *policy;
	struct chat_sink sink;
	struct guard_slot *guard; /* borrowed; NULL = no compliance guard */
	struct guard_scratch *scratch; /* the loop thread's scan scratch (owned) */
	json_t *alerts; /* recent alerts for the supervisor view (array, newest last) */
	struct metric *m_guard_scans; /* kefu_guard_scans_total */
	struct metric *m_guard_ns; /* kefu_guard_scan_nanoseconds_total */
	struct metric *m_guard_blocked; /* kefu_guard_blocked_total */
	struct map sessions; /* id → struct chat_session* (owned) */
	struct map customer_session; /* customer id → latest live struct chat_session* (borrowed) */
	struct map agents; /* id → struct chat_agent* (owned) */
	struct map customers; /* customer id → struct conn_list* (owned) */
	struct map queues; /* group → struct group_queue* (owned) */
	uint64_t messages; /* committed messages since start */
	struct chat_kb_hooks kb; /* KB-3 suggestions and the KB-6 FAQ bot (all NULL: none) */
	struct metric *m_bot_asked; /* kefu_bot_questions_total: customer messages the bot saw */
	struct metric *m_bot_answered; /* kefu_bot_answers_total: of which it answered (deflection) */
	struct metric *m_bot_handover; /* kefu_bot_handovers_total: customers who asked for a human */
};

/* queue.c */
void chat__queue_insert(struct chat *c, struct chat_session *s);
void chat__queue_remove(struct chat *c, struct chat_session *s);
struct group_queue *chat__queue_get(struct chat *c, const char *group);
/* Assigns waiting sessions of group to agents with spare capacity, in queue order. */
void chat__route_group(struct chat *c, const char *group);
/* Routes every group the agent serves. */
void chat__route_agent(struct chat *c, struct chat_agent *a);
bool chat__agent_has_skill(const struct chat_agent *a, const char *group);
int chat__queue_position(struct chat *c, const struct chat_session *s);

/* chat.c, used by queue.c */
void chat__assign(struct chat *c, struct chat_session *s, struct chat_agent *a, const char *how,
		  const char *actor);

#endif
