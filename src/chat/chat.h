/* chat.h — live chat (SPEC N-01…N-12, N-21…N-23, K-05): sessions, the queue per skill group
 * (VIP first), routing to agents with spare capacity, picking, transfer, messages with per-session
 * sequence numbers, typing, delivery acknowledgements, closing, rating, and presence.
 *
 * Every state change is appended to the store as an event (docs/events.md); acknowledgements and
 * deliveries are sent only from the store's completion callback, i.e. after the commit. Live state
 * is kept in memory on one loop thread and rebuilt from the store's open sessions at start.
 *
 * chat never touches sockets or JSON parsing of requests: the api layer validates input, calls
 * these functions, and supplies a sink that writes outgoing frames (JSON text) to a transport.
 * Not thread-safe: every function runs on the loop thread that calls store_poll(). */
#ifndef KEFU_CHAT_CHAT_H
#define KEFU_CHAT_CHAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "base/err.h"
#include "policy/chat_policy.h"

struct store;
struct store_reader;
struct chat;
struct chat_conn;

/* How chat writes to a client connection. frame is one JSON text, borrowed for the call. */
struct chat_sink {
	void (*send)(void *ctx, void *transport, const char *frame, size_t len);
	void *ctx;
};

struct guard_slot;

/* Creates the engine and rebuilds live state from the store's open sessions. store and reader
 * are borrowed and must outlive the engine. Caller frees with chat_free(). */
int chat_new(struct store *store, struct store_reader *reader, const struct chat_policy *policy,
	     const struct chat_sink *sink, struct chat **out, struct kefu_err *err);
/* Frees the engine. Appends still in flight hold callbacks into it: call store_drain() and
 * store_poll() first (as `kefu serve` does at shutdown), so none is left. */
void chat_free(struct chat *c);
/* Every message then passes the compliance guard of slot (borrowed, must outlive c) before it
 * is stored: an agent message with a blocking hit is not delivered (the agent gets the reason and
 * a compliant suggestion), warnings are delivered and shown to the agent, and every hit is a
 * guard.hit event against the sender (K-30, K-32). Customer messages raise fraud (C-08) and
 * negative-emotion (C-11) alerts to the agent and the supervisor view. NULL = no guard. */
void chat_set_guard(struct chat *c, struct guard_slot *slot);

/* KB-3, KB-6 (issue 7): what the knowledge base adds to a customer's message; set by `kefu serve`.
 * Called on the loop thread once the message is accepted; their frames follow the message after
 * its commit. Each function may be NULL. */
struct chat_kb_hooks {
	/* Suggestions for the serving agent: a JSON array of {"id","title","body","score"} (new ref),
	 * or NULL / empty for none. Sent as a "suggestions" frame. */
	json_t *(*suggest)(void *ctx, const char *text, size_t len);
	/* While the session waits in the queue: an FAQ answer the bot is confident enough to send
	 * (caller frees), or NULL; then *unsure true means the bot is on (the KB has articles) but has
	 * no confident answer, and hands the chat to a human (KB-6). */
	char *(*bot_answer)(void *ctx, const char *text, size_t len, bool *unsure);
	void *ctx;
};
/* Copies h (NULL: no hooks). */
void chat_set_kb_hooks(struct chat *c, const struct chat_kb_hooks *h);

/* A client connection. attach copies p; transport is borrowed until chat_conn_detach(). */
struct chat_conn *chat_conn_attach(struct chat *c, const struct principal *p, void *transport);
/* The transport is gone: no more frames go to it. An agent whose last connection closes goes
 * offline. Pending callbacks keep the conn alive internally; the caller may forget it. */
void chat_conn_detach(struct chat *c, struct chat_conn *cc);
const struct principal *chat_conn_principal(const struct chat_conn *cc);

/* The operations of docs/api.md "WebSocket". Each returns 0 or a negative code with err filled
 * (nothing changed). ref (may be NULL) is echoed in asynchronous error frames. */
int chat_hello(struct chat *c, struct chat_conn *cc, json_t *resume, struct kefu_err *err);
int chat_open(struct chat *c, struct chat_conn *cc, const char *category, const char *item,
	      struct kefu_err *err);
int chat_send(struct chat *c, struct chat_conn *cc, const char *session, const char *text, size_t len,
	      const char *client_id, struct kefu_err *err);
int chat_recv(struct chat *c, struct chat_conn *cc, const char *session, int64_t seq, struct kefu_err *err);
int chat_typing(struct chat *c, struct chat_conn *cc, const char *session, struct kefu_err *err);
int chat_presence(struct chat *c, struct chat_conn *cc, const char *status, struct kefu_err *err);
int chat_pick(struct chat *c, struct chat_conn *cc, const char *session, struct kefu_err *err);
int chat_transfer(struct chat *c, struct chat_conn *cc, const char *session, const char *to_agent,
		  const char *to_group, const char *note, struct kefu_err *err);
int chat_close(struct chat *c, struct chat_conn *cc, const char *session, const char *summary,
	       struct kefu_err *err);
int chat_rate(struct chat *c, struct chat_conn *cc, const char *session, int score, int solved,
	      struct kefu_err *err);

/* May p read session's history? Customers: own sessions; agents: sessions they serve or served
 * (in memory); lead and above, QA: all. Unknown-in-memory sessions fall back to the store. */
bool chat_can_read(struct chat *c, const struct principal *p, const char *session);

/* Sends frame (one JSON text) to every connected staff connection whose role holds perm (may be
 * NULL) and to every connection of user id user (may be NULL): pushes that are not about a chat,
 * such as SLA warnings and breaches (issue 6). */
void chat_push_staff(struct chat *c, const char *perm, const char *user, const char *frame, size_t len);

/* Snapshots for the REST API (new references). */
json_t *chat_queue_json(struct chat *c, const struct principal *p);
json_t *chat_overview_json(struct chat *c);

/* Drops closed sessions older than max_age_ms from memory. Returns how many. */
int chat_sweep(struct chat *c, int64_t now_ms, int64_t max_age_ms);

struct chat_stats {
	uint64_t sessions_live; /* queued + assigned */
	uint64_t queued; /* waiting */
	uint64_t agents_online; /* status online */
	uint64_t messages; /* messages committed since start */
};
void chat_stats_get(struct chat *c, struct chat_stats *out);

#endif
