/* ticket.h — tickets and their flows (issue 6): N-14 fields with per-kind required fields and K-34
 * completeness, priority pools P1/P2/P3 (N-13), departments that claim and answer (N-14), the
 * complaint flow (N-16), returns and exchanges (N-18, remote regions), escalations (N-19, N-20),
 * progress notes (N-15) and the customer's unguessable progress link (N-26). Every change is a
 * ticket.* event and every deadline an SLA timer (ticket_sla.h), both from the policy file
 * data/policy/tickets.json. Rules only: never SQL (src/store/ticket_store.c), never HTTP, never
 * permissions (the api checks who may call what; this module checks what the ticket allows). */
#ifndef KEFU_TICKET_TICKET_H
#define KEFU_TICKET_TICKET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "ticket/sla.h"

#define TICKET_POLICY_FILE "data/policy/tickets.json"
#define TICKET_ID_MAX 24 /* "tk_" + 16 hex + NUL, with room */
#define TICKET_TOKEN_MAX 72 /* progress link token, hex */
#define TICKET_TEXT_MAX 4000 /* bytes of a description, plan or note */

struct ticket_policy; /* parsed tickets.json, immutable */
struct ticket_service;
struct ticket_sla;
struct ticket_store;
struct calendar;

/* Parses the ticket policy (deadlines by name, warn share, remote regions). Every deadline the
 * flows use must be present. Returns 0 and *out (free with ticket_policy_free) or -KEFU_EINVAL
 * with err->field naming the key. */
int ticket_policy_parse(const char *text, size_t len, struct ticket_policy **out, struct kefu_err *err);
int ticket_policy_load_file(const char *path, struct ticket_policy **out, struct kefu_err *err);
/* $KEFU_TICKET_POLICY, else TICKET_POLICY_FILE in the working directory, else under the source dir. */
const char *ticket_policy_default_path(char *out, size_t cap);
void ticket_policy_free(struct ticket_policy *p);
/* The spec of a named deadline, or NULL. Borrowed. */
const struct sla_spec *ticket_policy_deadline(const struct ticket_policy *p, const char *name);
/* N-18: is the region (a province name as the customer record holds it) remote? Prefix match. */
bool ticket_policy_remote(const struct ticket_policy *p, const char *region);
/* Every deadline name a ticket may run, NULL-terminated (data/policy/tickets.json must set each). */
extern const char *const ticket_deadline_names[];
double ticket_policy_warn_share(const struct ticket_policy *p);

/* A new ticket; strings borrowed for the call. */
struct ticket_new {
	const char *kind; /* general|complaint|return|exchange */
	const char *type; /* N-14 problem type, required */
	const char *priority; /* P1|P2|P3, required */
	const char *department; /* logistics|warehouse|tech|legal|product|service, required */
	const char *order; /* order number; required for complaint, return, exchange */
	const char *customer; /* customer id, may be NULL */
	const char *session; /* chat session (channel chat: required, its history is linked) */
	const char *channel; /* chat|api|form|email */
	const char *description; /* required */
	const char *plan; /* N-14 handling plan, may be NULL */
	const char *region; /* customer region for N-18, may be NULL */
	bool complex; /* K-11: a complex problem (to be closed within 24 h) */
};

/* What a created ticket returns to its caller. */
struct ticket_created {
	char id[TICKET_ID_MAX];
	char token[TICKET_TOKEN_MAX]; /* N-26: progress link token, shown once; only its hash is stored */
};

struct ticket_service_options {
	struct store *store; /* borrowed */
	struct ticket_store *reads; /* borrowed: the committed state every rule is checked against */
	const struct ticket_policy *policy; /* borrowed, outlives the service */
	const struct calendar *calendar; /* borrowed, outlives the service */
	const struct kefu_clock *clock; /* borrowed; NULL = the process clock */
	/* Called on the loop thread after each SLA warning or breach was recorded (live push to
	 * consoles); may be NULL. */
	void (*on_fire)(void *arg, enum sla_phase phase, const char *ticket, const char *name,
			const struct sla_state *st);
	void *on_fire_arg;
};

/* Creates the service and rebuilds its SLA timers from the store (timers survive a restart).
 * Returns 0 and *out (caller frees with ticket_service_free()) or a negative code. */
int ticket_service_new(const struct ticket_service_options *o, struct ticket_service **out,
		       struct kefu_err *err);
void ticket_service_free(struct ticket_service *t);
/* The SLA clock: the caller runs ticket_sla_run() when sla_next_ms() of its engine is reached.
 * A breach appends sla.breached and escalates the ticket to a supervisor (ticket.escalated). */
struct ticket_sla *ticket_service_sla(struct ticket_service *t);

/* Every operation below checks the committed ticket, queues its events (sla.* first, the
 * ticket.* event last, so cb — may be NULL — runs when all of them have committed) and returns 0;
 * on error nothing is queued, cb is never called, and err names the field:
 * -KEFU_EINVAL (bad input), -KEFU_ENOTFOUND (no such ticket), -KEFU_ECONFLICT (the ticket's state
 * or flow does not allow it, or an earlier change to it has not committed yet), or a store code. actor is the
 * user id (NULL for a customer form). */
int ticket_create(struct ticket_service *t, const struct ticket_new *in, const char *actor,
		  struct ticket_created *out, store_done_cb cb, void *arg, struct kefu_err *err);
/* N-14: claims an open ticket; stops its claim (and, for forms, first-acceptance) deadline. */
int ticket_claim(struct ticket_service *t, const char *id, const char *actor, store_done_cb cb, void *arg,
		 struct kefu_err *err);
/* A step of the ticket's flow: "note" (progress note, N-15: restarts the 24 h progress deadline of
 * a complaint), "answer" (the department or escalation answered), "waiting" (waiting for the
 * customer: pauses every deadline), "resumed" (the customer replied), the complaint steps
 * record → soothe → facts → options → follow_up (N-16, in order; "options" needs a note), return
 * steps audit → received → refunded and exchange steps audit → shipped (N-18), "revisit" after
 * resolution (N-16, N-17). public_note: the note is shown on the customer's progress page. */
int ticket_step(struct ticket_service *t, const char *id, const char *step, const char *note,
		bool public_note, const char *actor, store_done_cb cb, void *arg, struct kefu_err *err);
/* N-19, N-20: escalates to "senior", "tech" or "supervisor" and starts that deadline; *expected_ms
 * (may be NULL) gets the time to tell the customer. */
int ticket_escalate(struct ticket_service *t, const char *id, const char *to, const char *note,
		    const char *actor, int64_t *expected_ms, store_done_cb cb, void *arg,
		    struct kefu_err *err);
/* Resolves: every running deadline is met, then the revisit deadline starts (complaint 24 h,
 * return/exchange 12 h). */
int ticket_resolve(struct ticket_service *t, const char *id, const char *resolution, const char *actor,
		   store_done_cb cb, void *arg, struct kefu_err *err);
/* K-33: the prescribed flow steps of a kind in order (complaint N-16, return and exchange N-18), a
 * NULL-terminated static list, or NULL for a kind without a flow. */
const char *const *ticket_flow(const char *kind);
/* Whether step is a step a ticket of kind can record (its flow steps and the common ones). */
bool ticket_step_known(const char *kind, const char *step);
/* K-34: the N-14 fields {type, priority, department, order, description, plan} (NULL or "" = not
 * filled) → how many are required (all six; a general ticket without an order: the other five)
 * and how many of those are filled. */
void ticket_completeness(const char *kind, const char *const fields[6], int *required, int *filled);
/* N-20: archives a resolved case (once) and meets its archive deadline (the end of the day it was
 * resolved on). -KEFU_ECONFLICT when not resolved or already archived. */
int ticket_archive(struct ticket_service *t, const char *id, const char *actor, store_done_cb cb, void *arg,
		   struct kefu_err *err);

/* ---- the email / complaint-form channel (N-06) ---- */
struct mail_msg;
struct ticket_mail_result {
	char ticket[TICKET_ID_MAX]; /* the ticket the mail created or was appended to */
	bool created; /* a new ticket (token holds its progress link) */
	bool duplicate; /* the Message-ID was already recorded: nothing queued, cb never called */
	char token[TICKET_TOKEN_MAX];
};
/* Records an inbound mail: the customer is found by address or created (id "cm_" + hash of the
 * address); a reply (In-Reply-To, References, or a "[#tk_…]" subject token, each only of a
 * ticket of the same customer) is appended to its ticket and resumes paused deadlines; any other
 * mail creates an email ticket (P3, service, first acceptance 2 h and solution 1 business day).
 * The ticket.mailed event is queued last (cb after it committed). */
int ticket_mail_in(struct ticket_service *t, const struct mail_msg *m, struct ticket_mail_result *out,
		   store_done_cb cb, void *arg, struct kefu_err *err);
/* An agent's reply to an email ticket: queued in the outbox (mail.queued) for the mail relay, to
 * the address of the latest inbound mail, "Re: <subject> [#tk_…]"; out_id gets the outbox id.
 * Meets the first-acceptance deadline. */
int ticket_mail_reply(struct ticket_service *t, const char *id, const char *body, const char *actor,
		      char out_id[TICKET_ID_MAX], store_done_cb cb, void *arg, struct kefu_err *err);
/* The relay's report on an outbox mail: sent, or failed with error (it may retry). */
int ticket_mail_status(struct ticket_service *t, const char *id, bool sent, const char *error,
		       store_done_cb cb, void *arg, struct kefu_err *err);

/* Hex SHA-256-class hash of a progress token, as stored (out holds 65 bytes). */
void ticket_token_hash(const char *token, char out[65]);

#endif
