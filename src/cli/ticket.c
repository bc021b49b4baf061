/* ticket.c — `kefu ticket ingest [--url URL] [--token-file FILE] FILE.eml|-`: hands one mail from a
 * pipe or a maildir file to a running kefu (POST /api/v1/channels/email as message/rfc822, the
 * gateway's bearer token), so the ticket and its SLA timers are made by the server that runs the
 * SLA clock. The mail is parsed here first: a bad one is refused naming file and field, and
 * nothing is sent. Plain HTTP to a local or internal kefu only (no TLS here); one blocking request.
 * Exit 0 when recorded (also a duplicate), 1 on bad input or a refusal, 2 on usage errors. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "ticket/mail.h"

#define RESPONSE_MAX (1 << 20)
#define IO_TIMEOUT_S 30

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kefu ticket ingest [--url http://HOST:PORT] [--token-file FILE] FILE.eml|-\n"
	    "Posts one RFC 5322 mail to a running kefu (the email channel, N-06) with the mail gateway's\n"
	    "token (--token-file, else $KEFU_TOKEN); --url defaults to $KEFU_URL, else "
	    "http://127.0.0.1:8080.\n"
	    "Prints the server's answer {\"ticket\",\"created\",\"duplicate\"}. Exit 0 recorded, 1 refused, "
	    "2 usage.\n");
}

/* Reads all of f (at most max + 1 bytes, so the caller can tell it was too long). */
static int read_all(FILE *f, size_t max, struct buf *out)
{
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		buf_append(out, tmp, n);
		if (out->len > max)
			return 0;
	}
	return ferror(f) ? -1 : 0;
}

/* "http://host[:port][/prefix]" → host, port, prefix (without a trailing '/'). */
static int parse_url(const char *url, char *host, size_t hcap, char *port, size_t pcap, char *prefix,
		     size_t xcap)
{
	if (strncmp(url, "http://", 7) != 0)
		return -1;
	const char *h = url + 7, *slash = strchr(h, '/');
	size_t hl = slash ? (size_t)(slash - h) : strlen(h);
	const char *colon = memchr(h, ':', hl);
	size_t nl = colon ? (size_t)(colon - h) : hl;
	if (nl == 0 || nl >= hcap)
		return -1;
	snprintf(host, hcap, "%.*s", (int)nl, h);
	if (colon) {
		size_t pl = hl - nl - 1;
		if (pl == 0 || pl >= pcap)
			return -1;
		snprintf(port, pcap, "%.*s", (int)pl, colon + 1);
	} else {
		snprintf(port, pcap, "80");
	}
	snprintf(prefix, xcap, "%s", slash ? slash : "");
	size_t xl = strlen(prefix);
	while (xl && prefix[xl - 1] == '/')
		prefix[--xl] = '\0';
	return 0;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		struct timeval tv = {IO_TIMEOUT_S, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One request; *status and the response body (in body). Reads until the Content-Length is in or
 * the server closes. */
static int http_post(const char *host, const char *port, const char *path, const char *token,
		     const struct buf *payload, int *status, struct buf *body)
{
	int fd = connect_to(host, port);
	if (fd < 0)
		return -1;
	struct buf req;
	buf_init(&req);
	buf_printf(&req,
		   "POST %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\n"
		   "Content-Type: message/rfc822\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		   path, host, port, token, payload->len);
	buf_append(&req, payload->data, payload->len);
	int r = send_all(fd, req.data, req.len);
	buf_free(&req);
	struct buf in;
	buf_init(&in);
	long want = -1; /* header block + Content-Length, once known */
	while (r == 0 && in.len < RESPONSE_MAX && (want < 0 || (long)in.len < want)) {
		char tmp[4096];
		ssize_t k = recv(fd, tmp, sizeof tmp, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		buf_append(&in, tmp, (size_t)k);
		buf_append(&in, "", 1); /* NUL-terminate for the string searches */
		in.len--;
		const char *end = want < 0 ? strstr(in.data, "\r\n\r\n") : NULL;
		if (end) {
			const char *cl = strcasestr(in.data, "\r\nContent-Length:");
			long n = cl && cl < end ? strtol(cl + 17, NULL, 10) : -1;
			if (n > RESPONSE_MAX) /* strtol gives LONG_MAX for a huge one: no overflow below */
				n = RESPONSE_MAX;
			if (n >= 0)
				want = (long)(end - in.data) + 4 + n;
		}
	}
	close(fd);
	if (r < 0 || in.len == 0 || sscanf(in.data ? in.data : "", "HTTP/1.%*d %d", status) != 1) {
		buf_free(&in);
		return -1;
	}
	const char *b = strstr(in.data, "\r\n\r\n");
	if (b)
		buf_append(body, b + 4, in.len - (size_t)(b + 4 - in.data));
	buf_append(body, "", 1);
	body->len--;
	buf_free(&in);
	return 0;
}

static int read_token(const char *path, char *out, size_t cap)
{
	if (!path) {
		const char *env = getenv("KEFU_TOKEN");
		if (!env || !*env)
			return -1;
		snprintf(out, cap, "%s", env);
		return 0;
	}
	FILE *f = fopen(path, "r");
	if (!f)
		return -2;
	char *ok = fgets(out, (int)cap, f);
	fclose(f);
	if (!ok)
		return -2;
	out[strcspn(out, "\r\n \t")] = '\0';
	return *out ? 0 : -2;
}

static int ingest(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"url", required_argument, 0, 'u'},
	    {"token-file", required_argument, 0, 't'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *url = getenv("KEFU_URL"), *token_file = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'u')
			url = optarg;
		else if (o == 't')
			token_file = optarg;
		else if (o == 'h')
			return usage(stdout), 0;
		else
			return usage(stderr), 2;
	}
	if (optind != argc - 1)
		return usage(stderr), 2;
	const char *file = argv[optind];
	if (!url || !*url)
		url = "http://127.0.0.1:8080";
	char host[256], port[16], prefix[256], token[512];
	if (parse_url(url, host, sizeof host, port, sizeof port, prefix, sizeof prefix) < 0) {
		fprintf(stderr, "kefu ticket ingest: --url must be http://HOST[:PORT], not '%.100s'\n", url);
		return 2;
	}
	int tr = read_token(token_file, token, sizeof token);
	if (tr == -1) {
		fprintf(stderr, "kefu ticket ingest: no token: give --token-file or set KEFU_TOKEN\n");
		return 2;
	}
	if (tr < 0) {
		fprintf(stderr, "%s: cannot read a token from it\n", token_file);
		return 1;
	}
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return 1;
	}
	struct buf raw;
	buf_init(&raw);
	int r = read_all(f, MAIL_RAW_MAX, &raw);
	if (f != stdin)
		fclose(f);
	if (r < 0 || raw.len > MAIL_RAW_MAX) {
		fprintf(stderr, "%s: %s\n", file,
			r < 0 ? "read error" : "message: the message is larger than 262144 bytes");
		buf_free(&raw);
		return 1;
	}
	struct mail_msg m;
	struct kefu_err err = {0};
	if (mail_parse(raw.data ? raw.data : "", raw.len, &m, &err) < 0) {
		fprintf(stderr, "%s: %s: %s\n", file, err.field, err.msg);
		buf_free(&raw);
		return 1;
	}
	mail_msg_clear(&m);
	char path[300];
	snprintf(path, sizeof path, "%s/api/v1/channels/email", prefix);
	int status = 0;
	struct buf body;
	buf_init(&body);
	if (http_post(host, port, path, token, &raw, &status, &body) < 0) {
		fprintf(stderr, "kefu ticket ingest: cannot reach %s (%s)\n", url,
			errno ? strerror(errno) : "no answer");
		buf_free(&raw);
		buf_free(&body);
		return 1;
	}
	buf_free(&raw);
	int rc = 0;
	if (status == 200 || status == 201) {
		printf("%s\n", body.data ? body.data : "");
	} else {
		json_t *j = json_loads(body.data ? body.data : "", 0, NULL);
		json_t *e = json_object_get(j, "error");
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		fprintf(stderr, "%s: %s: %s (HTTP %d)\n", file, field ? field : "server",
			msg ? msg : "refused", status);
		json_decref(j);
		rc = 1;
	}
	buf_free(&body);
	return rc;
}

int cli_ticket(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
		return ingest(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage(stdout), 0;
	usage(stderr);
	return 2;
}
