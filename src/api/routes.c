/* routes.c — every HTTP route of the service with the permission it needs. http_server_start()
 * refuses to start if a route lacks a permission or names one that src/auth/perm.c does not
 * know; tests walk this table × every role. */
#include "api/api.h"
#include "api/kb_api.h"
#include "api/ticket_api.h"

static const struct http_route routes[] = {
    {"GET", "/healthz", "public", api_healthz},
    {"GET", "/metrics", "public", api_metrics},
    {"POST", "/api/v1/login", "public", api_login},
    {"POST", "/api/v1/logout", "session.self", api_logout},
    {"GET", "/api/v1/me", "session.self", api_me},
    {"POST", "/api/v1/visitor", "public", api_visitor},
    {"GET", "/api/v1/demo/identify", "public", api_demo_identify},
    {"GET", "/api/v1/categories", "public", api_categories},
    {"GET", "/api/v1/norms", "chat.serve", api_norms},
    {"GET", "/api/v1/queue", "chat.serve", api_queue},
    {"GET", "/api/v1/supervisor/overview", "chat.supervise", api_overview},
    {"GET", "/api/v1/sessions/:id/messages", "chat.read", api_session_messages},
    {"GET", "/api/v1/customers/:id/profile", "customer.profile", api_customer_profile},
    {"POST", "/api/v1/customers/:id/reveal", "pii.reveal", api_customer_reveal},
    {"GET", "/api/v1/lexicons", "lexicon.admin", api_lexicons_list},
    {"GET", "/api/v1/lexicons/:file", "lexicon.admin", api_lexicon_get},
    {"PUT", "/api/v1/lexicons/:file", "lexicon.admin", api_lexicon_put},
    {"GET", "/api/v1/users", "user.admin", api_users_list},
    {"POST", "/api/v1/users", "user.admin", api_users_create},
    {"GET", "/api/v1/tickets", "ticket.read", api_tickets_list},
    {"POST", "/api/v1/tickets", "ticket.create", api_tickets_create},
    {"POST", "/api/v1/tickets/form", "ticket.form", api_tickets_form},
    {"GET", "/api/v1/tickets/:id", "ticket.read", api_tickets_get},
    {"POST", "/api/v1/tickets/:id/claim", "ticket.claim", api_tickets_claim},
    {"POST", "/api/v1/tickets/:id/steps", "ticket.work", api_tickets_step},
    {"POST", "/api/v1/tickets/:id/escalate", "ticket.work", api_tickets_escalate},
    {"POST", "/api/v1/tickets/:id/resolve", "ticket.work", api_tickets_resolve},
    {"POST", "/api/v1/tickets/:id/archive", "ticket.work", api_tickets_archive},
    {"POST", "/api/v1/tickets/:id/reply", "ticket.mail", api_tickets_reply},
    {"POST", "/api/v1/channels/email", "mail.gateway", api_mail_inbound},
    {"GET", "/api/v1/mail/outbox", "mail.gateway", api_mail_outbox},
    {"POST", "/api/v1/mail/outbox/:id", "mail.gateway", api_mail_outbox_status},
    {"POST", "/api/v1/test/clock", "test.clock", api_test_clock},
    {"GET", "/api/v1/progress/:token", "public", api_progress_get},
    {"GET", "/api/v1/sla/board", "sla.board", api_sla_board},
    {"POST", "/api/v1/orders/:id/notify", "notice.send", api_orders_notify},
    {"GET", "/api/v1/kb/search", "kb.read", api_kb_search},
    {"GET", "/api/v1/kb/articles/:id", "kb.read", api_kb_article},
    {"GET", "/api/v1/kb/contributions", "kb.review", api_kb_contributions_list},
    {"POST", "/api/v1/kb/contributions", "kb.contribute", api_kb_contribute},
    {"POST", "/api/v1/kb/contributions/:id/review", "kb.review", api_kb_review},
    {"GET", "/api/v1/kb/articles", "kb.read", api_kb_articles_list},
    {"POST", "/api/v1/kb/articles", "kb.edit", api_kb_article_create},
    {"PUT", "/api/v1/kb/articles/:id", "kb.edit", api_kb_article_update},
    {"POST", "/api/v1/kb/articles/:id/retire", "kb.edit", api_kb_article_retire},
    {"GET", "/api/v1/kb/articles/:id/diff", "kb.read", api_kb_article_diff},
    {"POST", "/api/v1/kb/articles/:id/cite", "kb.cite", api_kb_cite},
    {"GET", "/api/v1/kb/export", "kb.edit", api_kb_export},
    {"POST", "/api/v1/kb/cases", "kb.case", api_kb_case_create},
    {"GET", "/api/v1/kb/cases", "kb.read", api_kb_cases_list},
    {"GET", "/api/v1/kb/handovers/:session", "chat.serve", api_kb_handover},
    {"GET", "/api/v1/kb/bot/rates", "kb.report", api_kb_bot_rates},
    {"GET", "/api/v1/kb/report", "kb.report", api_kb_report},
    {"GET", "/api/v1/assess", "assess.read", api_assess},
    {"GET", "/api/v1/assess/explain", "assess.read", api_assess_explain},
    {"GET", "/api/v1/assess/frt-csat", "assess.read", api_assess_frt_csat},
    {"POST", "/api/v1/assess/record", "assess.record", api_assess_record},
    {"GET", "/ws", "chat.connect", api_ws_plain},
};

const struct http_route *api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
