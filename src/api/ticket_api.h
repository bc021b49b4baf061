/* ticket_api.h — the ticket routes (src/api/ticket_api.c) and the ticket service's life in
 * `kefu serve`: ticket_api_start loads the business calendar and the ticket policy, opens the
 * ticket reads, rebuilds the SLA timers from the store and arms the loop's SLA tick;
 * ticket_api_stop closes the tick (with the other handles, before the store drains);
 * ticket_api_free frees the rest (before the store closes). Loop thread only. */
#ifndef KEFU_API_TICKET_API_H
#define KEFU_API_TICKET_API_H

#include <jansson.h>

#include "api/app.h"
#include "base/err.h"

struct ticket_api;

/* Returns 0 (a->tickets set) or a negative code with err naming the file and key. */
int ticket_api_start(struct app *a, struct kefu_err *err);
void ticket_api_stop(struct app *a);
void ticket_api_free(struct app *a);

/* /api/v1/tickets… (docs/api.md) */
void api_tickets_create(struct http_req *req, void *app);
void api_tickets_form(struct http_req *req, void *app);
void api_tickets_list(struct http_req *req, void *app);
void api_tickets_get(struct http_req *req, void *app);
void api_tickets_claim(struct http_req *req, void *app);
void api_tickets_step(struct http_req *req, void *app);
void api_tickets_escalate(struct http_req *req, void *app);
void api_tickets_resolve(struct http_req *req, void *app);
void api_progress_get(struct http_req *req, void *app);
void api_sla_board(struct http_req *req, void *app);
void api_orders_notify(struct http_req *req, void *app);
void api_tickets_archive(struct http_req *req, void *app);
void api_tickets_reply(struct http_req *req, void *app);
void api_test_clock(struct http_req *req, void *app);
/* The email channel and the outbox for the mail relay (src/api/mail_api.c) */
void api_mail_inbound(struct http_req *req, void *app);
void api_mail_outbox(struct http_req *req, void *app);
void api_mail_outbox_status(struct http_req *req, void *app);

/* The ticket service and its reads while tickets are available, else NULL (mail_api.c). */
struct ticket_service *ticket_api_service(struct app *a);
struct ticket_store *ticket_api_reads(struct app *a);
/* Rewrites every "*_ms" instant of v as "*_at" in RFC 3339 (+08:00), as every ticket reply does. */
void ticket_api_times_out(json_t *v);

#endif
