/* serve.c — `kefu serve`: wires the store, the chat engine and the HTTP/WebSocket server onto
 * one libuv loop, and shuts down cleanly on SIGTERM/SIGINT (stop accepting, close sockets, let
 * the writer commit what was queued, run the last callbacks, close the store). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/app.h"
#include "api/kb_api.h"
#include "api/ticket_api.h"
#include "auth/limiter.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rand.h"
#include "chat/chat.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "guard/guard.h"
#include "store/store.h"

#define SWEEP_INTERVAL_MS 60000
#define CLOSED_SESSION_KEEP_MS (24LL * 3600 * 1000)

struct serve {
	uv_loop_t loop;
	struct app app;
	uv_async_t store_async; /* the writer thread wakes the loop for completions */
	uv_signal_t sigterm, sigint;
	uv_timer_t sweep;
	bool stopping;
};

static void store_notify(void *arg)
{
	uv_async_send(arg);
}

static void store_async_cb(uv_async_t *h)
{
	struct serve *sv = h->data;
	store_poll(sv->app.store);
}

static void sweep_cb(uv_timer_t *t)
{
	struct serve *sv = t->data;
	int64_t now = clock_now_ms();
	chat_sweep(sv->app.chat, now, CLOSED_SESSION_KEEP_MS);
	api_principals_sweep(&sv->app, now);
}

static void http_stopped_cb(void *arg)
{
	struct serve *sv = arg;
	sv->app.http = NULL;
	ticket_api_stop(&sv->app); /* the SLA tick stops before the store drains */
	store_drain(sv->app.store); /* commits everything queued, stops the writer */
	store_poll(sv->app.store); /* the last callbacks */
	uv_close((uv_handle_t *)&sv->store_async, NULL);
	uv_close((uv_handle_t *)&sv->sigterm, NULL);
	uv_close((uv_handle_t *)&sv->sigint, NULL);
	uv_close((uv_handle_t *)&sv->sweep, NULL);
	log_info("serve", "stopped");
}

static void signal_cb(uv_signal_t *h, int signum)
{
	struct serve *sv = h->data;
	if (sv->stopping)
		return;
	sv->stopping = true;
	log_info("serve", "signal=%d stopping", signum);
	uv_timer_stop(&sv->sweep);
	http_server_stop(sv->app.http, http_stopped_cb, sv);
}

/* KB-3 / KB-6 hooks of the chat engine: the search runs on this (the loop) thread. */
static json_t *kb_suggest_cb(void *ctx, const char *text, size_t len)
{
	return kb_api_suggest(ctx, text, len, KB_API_SUGGEST_TOP);
}

static char *kb_bot_cb(void *ctx, const char *text, size_t len, bool *unsure)
{
	return kb_api_bot_answer(ctx, text, len, unsure);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kefu serve [--listen HOST:PORT] [--db PATH] [--static DIR] [--config FILE]\n"
		"                  [--demo] [--port-file FILE] [--lexicons DIR] [--log-level "
		"debug|info|warn|error]\n"
		"                  [--test-clock]\n"
		"Runs the service. Settings come from --config (default conf/kefu.conf when present);\n"
		"flags override them. --listen with port 0 picks a free port (see --port-file).\n"
		"--test-clock lets an admin move the clock forward (POST /api/v1/test/clock): tests only;\n"
		"it must be spelt out in full and needs a loopback --listen address.\n");
}

/* --test-clock is for test servers only: a loopback listen address ("127.x.x.x", "::1",
 * "localhost"), so a production listener never runs with a movable clock. */
static bool loopback_host(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

static int write_port_file(const char *path, int port)
{
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int cli_serve(int argc, char **argv)
{
	struct serve_config cfg;
	struct guard_slot *guard = NULL;
	config_defaults(&cfg);
	const char *config_path = NULL;
	bool test_clock = false;
	static const struct option opts[] = {
	    {"listen", required_argument, 0, 'l'},
	    {"db", required_argument, 0, 'd'},
	    {"static", required_argument, 0, 's'},
	    {"config", required_argument, 0, 'c'},
	    {"demo", no_argument, 0, 'D'},
	    {"port-file", required_argument, 0, 'p'},
	    {"log-level", required_argument, 0, 'L'},
	    {"help", no_argument, 0, 'h'},
	    {"lexicons", required_argument, 0, 'x'},
	    {"test-clock", no_argument, 0, 'T'},
	    {0, 0, 0, 0},
	};
	/* First pass: find --config and --help. */
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			config_path = optarg;
		else if (o == 'h')
			return usage(stdout), 0;
		else if (o == '?')
			return usage(stderr), 2;
	}
	if (optind < argc) {
		fprintf(stderr, "kefu serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	struct kefu_err err = {0};
	if (!config_path && access("conf/kefu.conf", R_OK) == 0)
		config_path = "conf/kefu.conf";
	if (config_path && config_load_file(&cfg, config_path, &err) < 0) {
		fprintf(stderr, "kefu serve: %s\n", err.msg);
		return 1;
	}
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int rc = 0;
		switch (o) {
		case 'l':
			rc = config_set(&cfg, "listen", optarg, &err);
			break;
		case 'd':
			rc = config_set(&cfg, "db", optarg, &err);
			break;
		case 's':
			rc = config_set(&cfg, "static_dir", optarg, &err);
			break;
		case 'x':
			rc = config_set(&cfg, "lexicons_dir", optarg, &err);
			break;
		case 'L':
			rc = config_set(&cfg, "log_level", optarg, &err);
			break;
		case 'p':
			snprintf(cfg.port_file, sizeof cfg.port_file, "%s", optarg);
			break;
		case 'D':
			cfg.demo = true;
			break;
		case 'T': /* getopt_long takes abbreviations ("--t"): this one only spelt out */
			if (strcmp(argv[optind - 1], "--test-clock") != 0) {
				fprintf(stderr,
					"kefu serve: write --test-clock in full (tests only), not '%s'\n",
					argv[optind - 1]);
				return 2;
			}
			test_clock = true;
			break;
		}
		if (rc < 0) {
			fprintf(stderr, "kefu serve: --%s: %s\n", err.field, err.msg);
			return 1;
		}
	}
	enum log_level lvl;
	if (log_level_parse(cfg.log_level, &lvl) < 0) {
		fprintf(stderr, "kefu serve: log_level must be debug, info, warn or error\n");
		return 1;
	}
	log_set_level(lvl);
	char host[100];
	int port;
	if (config_split_listen(cfg.listen, host, sizeof host, &port, &err) < 0) {
		fprintf(stderr, "kefu serve: %s\n", err.msg);
		return 1;
	}
	if (test_clock) {
		if (!loopback_host(host)) {
			fprintf(
			    stderr,
			    "kefu serve: --test-clock: only with a loopback listen address (127.0.0.1, ::1 "
			    "or localhost), not '%s': the test clock is for test servers\n",
			    host);
			return 1;
		}
		clock_use_test_offset(); /* before any thread starts */
		log_warn("serve", "test clock on: an admin can move the clock forward (tests only)");
	}
	if (rand_init() < 0) {
		fprintf(stderr, "kefu serve: libsodium failed to initialise\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	struct serve *sv = calloc(1, sizeof *sv);
	struct app *a = &sv->app;
	int status = 1;
	uv_loop_init(&sv->loop);
	a->loop = &sv->loop;
	a->token_ttl_ms = (int64_t)cfg.token_ttl_hours * 3600 * 1000;
	a->demo = cfg.demo;
	map_init(&a->principals);
	char secret[65];
	if (!cfg.widget_secret[0]) {
		rand_hex(secret, 32);
		log_warn("serve", "widget_secret not set: identified-customer links work until restart only");
	}
	a->widget_secret = cfg.widget_secret[0] ? cfg.widget_secret : secret;
	a->login_limiter = limiter_new(cfg.login_max_failures, (int64_t)cfg.login_window_s * 1000, 4096);
	a->addr_limiter =
	    limiter_new(cfg.login_max_failures_per_addr, (int64_t)cfg.login_window_s * 1000, 4096);

	a->store = cli_open_store(cfg.db);
	if (!a->store)
		goto out;
	if (store_reader_open(a->store, &a->reader, &err) < 0) {
		fprintf(stderr, "kefu serve: %s\n", err.msg);
		goto out;
	}
	if (cfg.demo && demo_org_load(a->store, a->reader, &err) < 0) {
		fprintf(stderr, "kefu serve: demo organisation: %s\n", err.msg);
		goto out;
	}
	struct guard *g = NULL;
	if (guard_load(cfg.lexicons_dir, &g, &err) < 0) { /* compliance is not optional: refuse to start */
		fprintf(stderr, "kefu serve: lexicons %s: %s%s%s\n", cfg.lexicons_dir, err.field,
			err.field[0] ? ": " : "", err.msg);
		goto out;
	}
	guard = guard_slot_new(g);
	log_info("serve", "guard loaded entries=%zu", guard_entry_count(g));
	uv_async_init(&sv->loop, &sv->store_async, store_async_cb);
	sv->store_async.data = sv;
	store_set_notify(a->store, store_notify, &sv->store_async);
	struct chat_sink sink = {api_ws_sink_send, a};
	if (chat_new(a->store, a->reader, chat_policy_default(), &sink, &a->chat, &err) < 0) {
		fprintf(stderr, "kefu serve: chat: %s\n", err.msg);
		goto out_handles;
	}
	chat_set_guard(a->chat, guard);
	if (ticket_api_start(a, &err) < 0) { /* calendar, ticket policy, SLA timers rebuilt */
		fprintf(stderr, "kefu serve: tickets: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		goto out_handles;
	}
	if (kb_api_start(a, NULL, &err) < 0) { /* data/kb synonyms and triggers, the kb reads */
		fprintf(stderr, "kefu serve: kb: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.msg);
		goto out_handles;
	}
	chat_set_kb_hooks(a->chat, &(struct chat_kb_hooks){kb_suggest_cb, kb_bot_cb, a});
	a->guard = guard;
	a->lexicons_dir = cfg.lexicons_dir;
	size_t nroutes;
	struct stat st;
	struct http_server_config hc = {
	    .host = host,
	    .port = port,
	    .static_dir = stat(cfg.static_dir, &st) == 0 && S_ISDIR(st.st_mode) ? cfg.static_dir : NULL,
	    .limits = cfg.limits,
	    .routes = api_routes(&nroutes),
	    .app = a,
	    .perm_known = api_perm_known,
	    .authorize = api_authorize,
	    .ws_path = "/ws",
	    .ws_accept = api_ws_accept,
	    .ws_message = api_ws_message,
	    .ws_closed = api_ws_closed,
	};
	hc.nroutes = nroutes;
	if (!hc.static_dir)
		log_warn("serve", "static_dir missing: web apps not served (run `make web`)");
	if (http_server_start(&sv->loop, &hc, &a->http, &err) < 0) {
		fprintf(stderr, "kefu serve: %s\n", err.msg);
		goto out_handles;
	}
	int bound = http_server_port(a->http);
	if (cfg.port_file[0] && write_port_file(cfg.port_file, bound) < 0)
		log_warn("serve", "cannot write port file");
	uv_signal_init(&sv->loop, &sv->sigterm);
	uv_signal_init(&sv->loop, &sv->sigint);
	sv->sigterm.data = sv->sigint.data = sv;
	uv_signal_start(&sv->sigterm, signal_cb, SIGTERM);
	uv_signal_start(&sv->sigint, signal_cb, SIGINT);
	uv_timer_init(&sv->loop, &sv->sweep);
	sv->sweep.data = sv;
	uv_timer_start(&sv->sweep, sweep_cb, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
	printf("kefu: serving on http://%s:%d/  (store %s)\n", host, bound, cfg.db);
	fflush(stdout);
	log_info("serve", "listening host=%s port=%d", host, bound);
	uv_run(&sv->loop, UV_RUN_DEFAULT);
	status = 0;
	goto out;
out_handles:
	ticket_api_stop(a);
	uv_close((uv_handle_t *)&sv->store_async, NULL);
	uv_run(&sv->loop, UV_RUN_DEFAULT);
out:
	ticket_api_free(a);
	chat_free(a->chat);
	kb_api_free(a);
	guard_slot_free(guard);
	api_principals_free(a);
	store_reader_close(a->reader);
	store_close(a->store);
	limiter_free(a->login_limiter);
	limiter_free(a->addr_limiter);
	if (uv_loop_close(&sv->loop) != 0)
		log_warn("serve", "loop closed with open handles");
	free(sv);
	return status;
}
