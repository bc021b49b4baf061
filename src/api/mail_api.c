/* mail_api.c — the email / complaint-form channel for the mail gateway (issue 6, N-06):
 * POST /api/v1/channels/email takes one inbound mail, raw RFC 5322 (Content-Type message/rfc822)
 * or JSON {from, subject, body, message_id, in_reply_to}, and records it through
 * ticket_mail_in(); GET /api/v1/mail/outbox and POST /api/v1/mail/outbox/:id are how a mail relay
 * collects agents' replies and reports them sent or failed. Only the gateway role reaches these
 * routes (perm mail.gateway). Never logs an address, a subject or a text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/ticket_api.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/ticket_store.h"
#include "ticket/mail.h"
#include "ticket/ticket.h"

#define OUTBOX_MAX 100 /* mails per outbox page */

struct mail_reply {
	struct http_req *req;
	json_t *out; /* the reply body (owned) */
	int status;
};

static void mail_committed_cb(void *arg, int status, int64_t event_id, const struct kefu_err *err)
{
	struct mail_reply *mr = arg;
	(void)event_id;
	if (status < 0)
		api_reply_code(mr->req, status, err && err->msg[0] ? err->msg : "could not record the mail",
			       err ? err->field : NULL);
	else
		http_reply_json(mr->req, mr->status, json_incref(mr->out), NULL);
	json_decref(mr->out);
	free(mr);
}

void api_mail_inbound(struct http_req *req, void *appv)
{
	struct app *a = appv;
	struct ticket_service *svc = ticket_api_service(a);
	struct kefu_err err = {0};
	struct mail_msg m;
	int r;
	if (!svc)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	const char *ct = http_req_header(req, "content-type");
	if (ct && (strncasecmp(ct, "message/rfc822", 14) == 0 || strncasecmp(ct, "text/plain", 10) == 0)) {
		size_t len = 0;
		const char *raw = http_req_body(req, &len);
		r = mail_parse(raw ? raw : "", len, &m, &err);
	} else {
		static const struct json_in_field spec[] = {
		    {"from", JIN_STRING, true, MAIL_ADDR_MAX + 200},
		    {"subject", JIN_STRING, false, MAIL_SUBJECT_MAX},
		    {"body", JIN_STRING, false, MAIL_BODY_MAX},
		    {"message_id", JIN_STRING, true, MAIL_ID_MAX + 2},
		    {"in_reply_to", JIN_STRING, false, MAIL_ID_MAX + 2},
		};
		json_t *body = NULL;
		if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
			return api_reply_err(req, &err);
		r = mail_from_fields(json_in_str(body, "from"), json_in_str(body, "subject"),
				     json_in_str(body, "body"), json_in_str(body, "message_id"),
				     json_in_str(body, "in_reply_to"), &m, &err);
		json_decref(body);
	}
	if (r == -KEFU_ELIMIT) /* a mail too large is 413, not the 429 of a rate limit */
		return http_reply_json(req, 413,
				       json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
						 kefu_strerror(KEFU_ELIMIT), "message", err.msg, "field",
						 err.field),
				       NULL);
	if (r < 0)
		return api_reply_err(req, &err);
	struct ticket_mail_result res;
	struct mail_reply *mr = xcalloc(1, sizeof *mr);
	mr->req = req;
	r = ticket_mail_in(svc, &m, &res, mail_committed_cb, mr, &err);
	mail_msg_clear(&m);
	if (r < 0) {
		free(mr);
		return api_reply_err(req, &err);
	}
	mr->out = json_pack("{s:s,s:b,s:b}", "ticket", res.ticket, "created", res.created, "duplicate",
			    res.duplicate);
	mr->status = res.created ? 201 : 200;
	if (res.created) {
		char url[128];
		snprintf(url, sizeof url, "/api/v1/progress/%s", res.token);
		json_object_set_new(mr->out, "progress_url", json_string(url));
	}
	log_info("mail", "inbound ticket=%s created=%d duplicate=%d", res.ticket, res.created, res.duplicate);
	if (res.duplicate) /* nothing was queued: answer now */
		mail_committed_cb(mr, 0, 0, NULL);
}

void api_mail_outbox(struct http_req *req, void *appv)
{
	struct app *a = appv;
	struct kefu_err err = {0};
	struct ticket_store *reads = ticket_api_reads(a);
	if (!reads)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	const char *status = http_req_query(req, "status");
	if (!status)
		status = "queued";
	if (strcmp(status, "queued") && strcmp(status, "sent") && strcmp(status, "failed"))
		return api_reply_code(req, -KEFU_EINVAL, "status must be queued, sent or failed", "status");
	json_t *list;
	if (ticket_store_outbox(reads, status, NULL, OUTBOX_MAX, &list, &err) < 0)
		return api_reply_err(req, &err);
	ticket_api_times_out(list);
	http_reply_json(req, 200, json_pack("{s:o}", "mails", list), NULL);
}

void api_mail_outbox_status(struct http_req *req, void *appv)
{
	struct app *a = appv;
	static const struct json_in_field spec[] = {
	    {"status", JIN_STRING, true, 8},
	    {"error", JIN_STRING, false, 500},
	};
	struct kefu_err err = {0};
	struct ticket_service *svc = ticket_api_service(a);
	json_t *body = NULL;
	if (!svc)
		return api_reply_code(req, -KEFU_ECLOSED, "tickets are not available", NULL);
	if (api_parse_body(req, spec, sizeof spec / sizeof spec[0], &body, &err) < 0)
		return api_reply_err(req, &err);
	const char *status = json_in_str(body, "status");
	if (strcmp(status, "sent") && strcmp(status, "failed")) {
		json_decref(body);
		return api_reply_code(req, -KEFU_EINVAL, "status must be sent or failed", "status");
	}
	const char *id = http_req_param(req, "id");
	struct mail_reply *mr = xcalloc(1, sizeof *mr);
	mr->req = req;
	mr->status = 200;
	mr->out = json_pack("{s:s,s:s}", "id", id ? id : "", "status", status);
	if (ticket_mail_status(svc, id, strcmp(status, "sent") == 0, json_in_str(body, "error"),
			       mail_committed_cb, mr, &err) < 0) {
		json_decref(mr->out);
		free(mr);
		json_decref(body);
		return api_reply_err(req, &err);
	}
	json_decref(body);
}
