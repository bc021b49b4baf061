/* health_api.c — GET /healthz and GET /metrics (Prometheus text format). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/metrics.h"
#include "chat/chat.h"
#include "store/store.h"

void api_healthz(struct http_req *req, void *appv)
{
	struct app *a = appv;
	int64_t n = 0;
	bool ok = store_events_count(a->reader, &n, NULL) == 0;
	http_reply_json(
	    req, ok ? 200 : 503,
	    json_pack("{s:s,s:s}", "status", ok ? "ok" : "degraded", "store", ok ? "ok" : "error"), NULL);
}

void api_metrics(struct http_req *req, void *appv)
{
	struct app *a = appv;
	struct store_stats ss;
	struct chat_stats cs;
	store_stats_get(a->store, &ss);
	chat_stats_get(a->chat, &cs);
	metric_set(metric_counter("kefu_store_events_committed_total", "events committed to the store"),
		   (int64_t)ss.events_committed);
	metric_set(metric_counter("kefu_store_commits_total", "store transactions committed"),
		   (int64_t)ss.commits);
	metric_set(metric_gauge("kefu_store_queue_depth", "events waiting for the writer"),
		   (int64_t)ss.queue_depth);
	metric_set(metric_gauge("kefu_chat_sessions_live", "queued or assigned chat sessions"),
		   (int64_t)cs.sessions_live);
	metric_set(metric_gauge("kefu_chat_queued", "chat sessions waiting for an agent"),
		   (int64_t)cs.queued);
	metric_set(metric_gauge("kefu_chat_agents_online", "agents with status online"),
		   (int64_t)cs.agents_online);
	metric_set(metric_counter("kefu_chat_messages_total", "chat messages committed since start"),
		   (int64_t)cs.messages);
	struct buf b;
	buf_init(&b);
	metrics_render(&b);
	http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len, NULL);
	buf_free(&b);
}
