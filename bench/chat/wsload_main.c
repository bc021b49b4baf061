/* wsload_main.c — bench/chat's load client: one thread, epoll, non-blocking sockets, its own
 * minimal HTTP/1.1 and RFC 6455 client framing (masked frames, random mask keys). It owns every
 * connection it opens and writes only to stdout; it never touches the server's files.
 *   --target kefu      visitors via POST /api/v1/visitor, agents created through the admin API
 *   --target baseline  bench/chat/relay.mjs (ws://HOST:PORT/?role=customer|agent&id=N)
 * Phases in one run: N idle authenticated sockets (server RSS before/after, --pid), then A agents
 * online and V customers each with an assigned chat; saturation (W sends in flight per customer,
 * an `ack` completes one); then an open-loop rate sweep (fractions of the saturation rate, or
 * --rates) to find the highest rate whose ack and end-to-end p99 stay under --p99-ms.
 * Results are printed as `RESULT key=value …` lines for bench/chat/run.sh. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define RING 1024 /* send timestamps kept per customer (≥ the window) */
#define MAX_FRAME (1u << 20) /* largest server frame accepted, bytes */
#define HIST_SUB 64 /* sub-buckets per power of two: ≤ 1.6 % error */
#define HIST_N (64 + 58 * HIST_SUB)
#define SETUP_TIMEOUT_NS (120 * NS_PER_S)
#define NS_PER_S 1000000000ull

/* ---- small helpers --------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "wsload: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q && n)
		die("out of memory (%zu bytes)", n);
	return q;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng32(void) /* xorshift64*: mask keys only need to be unpredictable-ish */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Finds "key":"value" in a flat JSON frame; copies the string value (no escapes expected: ids
 * and tokens) into out. Returns its length or -1. */
static int json_str(const char *p, size_t n, const char *key, char *out, size_t outsz)
{
	char pat[48];
	int pl = snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *k = memmem(p, n, pat, (size_t)pl);
	if (!k)
		return -1;
	const char *v = k + pl, *end = p + n;
	const char *q = memchr(v, '"', (size_t)(end - v));
	if (!q || (size_t)(q - v) >= outsz)
		return -1;
	memcpy(out, v, (size_t)(q - v));
	out[q - v] = 0;
	return (int)(q - v);
}

/* ---- latency histogram (log-linear, nanoseconds) --------------------------------------------- */

struct hist {
	uint64_t b[HIST_N]; /* counts per bucket */
	uint64_t n; /* samples */
};

static int hist_idx(uint64_t v)
{
	if (v < 64)
		return (int)v;
	int e = 63 - __builtin_clzll(v); /* ≥ 6 */
	return 64 + (e - 6) * HIST_SUB + (int)((v >> (e - 6)) - 64);
}

static uint64_t hist_val(int i) /* middle of bucket i */
{
	if (i < 64)
		return (uint64_t)i;
	int e = (i - 64) / HIST_SUB + 6, m = (i - 64) % HIST_SUB;
	uint64_t lo = (uint64_t)(64 + m) << (e - 6);
	return lo + ((1ull << (e - 6)) >> 1);
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_idx(v)]++;
	h->n++;
}

static double hist_pct_us(const struct hist *h, double pct)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)((double)h->n * pct / 100.0), seen = 0;
	if (want >= h->n)
		want = h->n - 1;
	for (int i = 0; i < HIST_N; i++) {
		seen += h->b[i];
		if (seen > want)
			return (double)hist_val(i) / 1000.0;
	}
	return 0;
}

/* ---- options ----------------------------------------------------------------------------------- */

enum target { T_KEFU, T_BASELINE };

static struct opts {
	enum target target;
	const char *host; /* loopback address */
	int port;
	int pid; /* server pid for RSS / CPU readings, 0 = none */
	int idle; /* idle authenticated sockets */
	int customers; /* chatting customers */
	int agents; /* 0 = ceil(customers / max_chats) */
	int max_chats; /* per created agent (kefu allows at most 50) */
	int window; /* sends in flight per customer at saturation */
	double warm_s, measure_s; /* saturation phase */
	double step_warm_s, step_s; /* each rate step */
	double p99_ms; /* latency bound of the rate sweep */
	const char *rates; /* comma list of msgs/s, or NULL: fractions of saturation */
	const char *admin; /* name:password (kefu) */
	const char *text; /* message text */
} o = {
    .target = T_KEFU,
    .host = "127.0.0.1",
    .idle = 0,
    .customers = 1000,
    .max_chats = 50,
    .window = 4,
    .warm_s = 2,
    .measure_s = 5,
    .step_warm_s = 1,
    .step_s = 2,
    .p99_ms = 10,
    .admin = "admin:adminpass",
    .text = "你好，我上周买的电饭煲到现在还没有发货，麻烦帮我查一下物流，谢谢",
};

/* ---- blocking HTTP for the set-up -------------------------------------------------------------- */

static int tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.port)};
	if (inet_pton(AF_INET, o.host, &a.sin_addr) != 1)
		die("bad host %s", o.host);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect %s:%d: %s", o.host, o.port, strerror(errno));
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

struct hconn { /* a blocking keep-alive HTTP connection */
	int fd;
	char buf[1 << 16];
	size_t len; /* bytes in buf not yet consumed */
};

/* Reads one response; body (NUL-terminated, truncated to bodysz) into body. Returns status. */
static int http_read_response(struct hconn *h, char *body, size_t bodysz)
{
	for (;;) {
		char *end = memmem(h->buf, h->len, "\r\n\r\n", 4);
		if (end) {
			size_t hlen = (size_t)(end - h->buf) + 4, clen = 0;
			int status = atoi(h->buf + 9);
			for (char *l = h->buf; l < end; l++)
				if (*l == '\n' && strncasecmp(l + 1, "content-length:", 15) == 0)
					clen = strtoul(l + 16, NULL, 10);
			while (h->len < hlen + clen) {
				if (hlen + clen > sizeof h->buf)
					die("HTTP response too large");
				ssize_t r = read(h->fd, h->buf + h->len, sizeof h->buf - h->len);
				if (r <= 0)
					die("HTTP read: %s", r ? strerror(errno) : "closed");
				h->len += (size_t)r;
			}
			size_t c = clen < bodysz - 1 ? clen : bodysz - 1;
			memcpy(body, h->buf + hlen, c);
			body[c] = 0;
			memmove(h->buf, h->buf + hlen + clen, h->len - hlen - clen);
			h->len -= hlen + clen;
			return status;
		}
		if (h->len == sizeof h->buf)
			die("HTTP header too large");
		ssize_t r = read(h->fd, h->buf + h->len, sizeof h->buf - h->len);
		if (r <= 0)
			die("HTTP read: %s", r ? strerror(errno) : "closed");
		h->len += (size_t)r;
	}
}

static size_t http_format(char *out, size_t outsz, const char *method, const char *path, const char *bearer,
			  const char *body)
{
	char auth[256] = "";
	if (bearer)
		snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", bearer);
	int n = snprintf(out, outsz,
			 "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 method, path, o.host, auth, strlen(body), body);
	if (n < 0 || (size_t)n >= outsz)
		die("request too long");
	return (size_t)n;
}

static int http_call(struct hconn *h, const char *method, const char *path, const char *bearer,
		     const char *body, char *resp, size_t respsz)
{
	char req[2048];
	size_t n = http_format(req, sizeof req, method, path, bearer, body);
	write_all(h->fd, req, n);
	return http_read_response(h, resp, respsz);
}

/* Logs in; returns a malloc'd token. */
static char *kefu_login(struct hconn *h, const char *name, const char *pass)
{
	char body[256], resp[4096], tok[128];
	snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pass);
	int st = http_call(h, "POST", "/api/v1/login", NULL, body, resp, sizeof resp);
	if (st != 200 || json_str(resp, strlen(resp), "token", tok, sizeof tok) < 0)
		die("login %s: HTTP %d %s", name, st, resp);
	return strdup(tok);
}

/* Creates n anonymous visitors, pipelined in batches over several keep-alive connections (the
 * server answers one request of a connection at a time; each token waits for its commit).
 * Returns n malloc'd tokens. */
static char **kefu_visitors(int n)
{
	enum { NCONN = 16, BATCH = 32 };
	char **tok = calloc((size_t)n, sizeof *tok);
	char req[512], resp[4096], t[128];
	size_t rl = http_format(req, sizeof req, "POST", "/api/v1/visitor", NULL, "{\"channel\":\"web\"}");
	char *batch = malloc(rl * BATCH);
	for (int j = 0; j < BATCH; j++)
		memcpy(batch + rl * (size_t)j, req, rl);
	struct hconn *h = calloc(NCONN, sizeof *h);
	for (int c = 0; c < NCONN; c++)
		h[c].fd = tcp_connect();
	for (int i = 0; i < n;) {
		int k[NCONN] = {0};
		for (int c = 0; c < NCONN && i < n; c++) {
			k[c] = n - i < BATCH ? n - i : BATCH;
			write_all(h[c].fd, batch, rl * (size_t)k[c]);
			i += k[c];
		}
		int at = i;
		for (int c = 0; c < NCONN; c++)
			at -= k[c];
		for (int c = 0; c < NCONN; c++)
			for (int j = 0; j < k[c]; j++, at++) {
				int s = http_read_response(&h[c], resp, sizeof resp);
				if (s != 200 || json_str(resp, strlen(resp), "token", t, sizeof t) < 0)
					die("visitor: HTTP %d %s", s, resp);
				tok[at] = strdup(t);
			}
	}
	for (int c = 0; c < NCONN; c++)
		close(h[c].fd);
	free(h);
	free(batch);
	return tok;
}

/* ---- WebSocket connections --------------------------------------------------------------------- */

enum role { R_IDLE, R_AGENT, R_CUSTOMER };

struct conn {
	int fd;
	int idx; /* index within its role */
	enum role role;
	bool dirty; /* on the flush list */
	bool want_out; /* EPOLLOUT registered */
	bool closed; /* the server closed it */
	bool ready; /* idle/agent: welcome (and presence) seen; customer: chat assigned */
	char *in; /* received bytes not yet parsed */
	size_t in_len, in_cap;
	char *out; /* frames not yet written */
	size_t out_off, out_len, out_cap;
	/* customers */
	char session[40]; /* session id */
	uint64_t sent, acked, delivered; /* messages sent / acked / received by the agent */
	uint64_t *ts; /* RING send (or scheduled) times, ns, indexed by message number */
};

static int ep;
static struct conn **dirty_list;
static size_t ndirty, dirty_cap;

static struct { /* counters of the current measurement */
	uint64_t delivered, acks, sent, errors, closes;
	struct hist ack, e2e;
} st;
static uint64_t total_errors, total_closes;

static void conn_want_out(struct conn *c, bool on)
{
	if (c->want_out == on)
		return;
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = on;
}

static void conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				conn_want_out(c, true);
				return;
			}
			c->closed = true;
			c->out_off = c->out_len = 0;
			return;
		}
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	conn_want_out(c, false);
}

static void flush_dirty(void)
{
	for (size_t i = 0; i < ndirty; i++) {
		dirty_list[i]->dirty = false;
		conn_flush(dirty_list[i]);
	}
	ndirty = 0;
}

/* Queues one masked text frame. */
static void ws_send(struct conn *c, const char *p, size_t n)
{
	if (c->out_len + n + 14 > c->out_cap) {
		c->out_cap = (c->out_len + n + 14) * 2;
		c->out = xrealloc(c->out, c->out_cap);
	}
	uint8_t *h = (uint8_t *)c->out + c->out_len;
	size_t hl;
	h[0] = 0x81;
	if (n < 126) {
		h[1] = (uint8_t)(0x80 | n);
		hl = 2;
	} else if (n < 65536) {
		h[1] = 0x80 | 126;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	uint32_t key = rng32();
	uint8_t mk[4];
	memcpy(mk, &key, 4);
	memcpy(h + hl, mk, 4);
	hl += 4;
	uint8_t *d = h + hl;
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)p[i] ^ mk[i & 3];
	c->out_len += hl + n;
	if (!c->dirty) {
		if (ndirty == dirty_cap) {
			dirty_cap = dirty_cap ? dirty_cap * 2 : 1024;
			dirty_list = xrealloc(dirty_list, dirty_cap * sizeof *dirty_list);
		}
		dirty_list[ndirty++] = c;
		c->dirty = true;
	}
}

static void ws_send_str(struct conn *c, const char *s)
{
	ws_send(c, s, strlen(s));
}

/* Opens a WebSocket with a blocking handshake, then makes it non-blocking and adds it to epoll. */
static struct conn *ws_open(enum role role, int idx, const char *path)
{
	int fd = tcp_connect();
	char req[1024];
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %08x%08x%05xA==\r\nSec-WebSocket-Version: 13\r\n\r\n",
			 path, o.host, o.port, rng32(), rng32(), rng32() & 0xfffff);
	if (n < 0 || (size_t)n >= sizeof req)
		die("path too long");
	write_all(fd, req, (size_t)n);
	struct conn *c = calloc(1, sizeof *c);
	c->fd = fd;
	c->idx = idx;
	c->role = role;
	c->in_cap = 1024;
	c->in = malloc(c->in_cap);
	char hb[4096];
	size_t hl = 0;
	char *end = NULL;
	while (!end) {
		ssize_t r = read(fd, hb + hl, sizeof hb - hl - 1);
		if (r <= 0)
			die("handshake read: %s", r ? strerror(errno) : "closed");
		hl += (size_t)r;
		hb[hl] = 0;
		end = strstr(hb, "\r\n\r\n");
		if (!end && hl >= sizeof hb - 1)
			die("handshake reply too large");
	}
	if (strncmp(hb, "HTTP/1.1 101", 12) != 0)
		die("upgrade refused for %s: %.200s", path, hb);
	size_t rest = hl - (size_t)(end + 4 - hb);
	if (rest > c->in_cap) {
		c->in_cap = rest;
		c->in = xrealloc(c->in, c->in_cap);
	}
	memcpy(c->in, end + 4, rest);
	c->in_len = rest;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
	return c;
}

/* ---- the chat traffic ---------------------------------------------------------------------------- */

enum phase { P_SETUP, P_SAT, P_RATE, P_DRAIN };
static enum phase phase = P_SETUP;
static bool measuring; /* count into st */

static struct conn **cust, **agent, **idlec;
static int ncust, nagent, nidle;

/* session id → customer, open addressing */
static struct conn **smap;
static size_t smap_cap;

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static void smap_put(struct conn *c)
{
	size_t i = hash_str(c->session, strlen(c->session)) & (smap_cap - 1);
	while (smap[i] && smap[i] != c)
		i = (i + 1) & (smap_cap - 1);
	smap[i] = c;
}

static struct conn *smap_get(const char *s, size_t n)
{
	size_t i = hash_str(s, n) & (smap_cap - 1);
	for (; smap[i]; i = (i + 1) & (smap_cap - 1))
		if (strlen(smap[i]->session) == n && memcmp(smap[i]->session, s, n) == 0)
			return smap[i];
	return NULL;
}

static char text_json[4096]; /* the text, JSON-escaped */

/* Sends message number c->sent, stamped t (the send time or, open loop, the scheduled time). */
static void cust_send(struct conn *c, uint64_t t)
{
	char f[4600];
	int n = snprintf(f, sizeof f,
			 "{\"type\":\"send\",\"session\":\"%s\",\"text\":\"%s\",\"client_id\":\"k%llu\"}",
			 c->session, text_json, (unsigned long long)c->sent);
	c->ts[c->sent % RING] = t;
	c->sent++;
	if (measuring)
		st.sent++;
	ws_send(c, f, (size_t)n);
}

static bool cust_can_send(const struct conn *c)
{
	uint64_t low = c->acked < c->delivered ? c->acked : c->delivered;
	return !c->closed && c->session[0] && c->sent - low < RING;
}

static void on_error_frame(struct conn *c, const char *p, size_t n)
{
	if (total_errors++ < 5)
		fprintf(stderr, "wsload: error frame on %s %d: %.*s\n",
			c->role == R_AGENT	    ? "agent"
			    : c->role == R_CUSTOMER ? "customer"
						    : "idle",
			c->idx, (int)(n > 300 ? 300 : n), p);
	if (measuring)
		st.errors++;
}

static void on_frame(struct conn *c, const char *p, size_t n)
{
	char type[24];
	if (json_str(p, n, "type", type, sizeof type) < 0)
		return on_error_frame(c, p, n);
	if (strcmp(type, "error") == 0)
		return on_error_frame(c, p, n);
	uint64_t now = now_ns();
	if (c->role == R_CUSTOMER) {
		if (strcmp(type, "ack") == 0) {
			char cid[32];
			if (json_str(p, n, "client_id", cid, sizeof cid) < 1)
				return on_error_frame(c, p, n);
			uint64_t k = strtoull(cid + 1, NULL, 10);
			if (k >= c->sent || c->sent - k > RING)
				return on_error_frame(c, p, n);
			c->acked++;
			if (measuring) {
				st.acks++;
				hist_add(&st.ack, now - c->ts[k % RING]);
			}
			if (phase == P_SAT && c->sent - c->acked < (uint64_t)o.window && cust_can_send(c))
				cust_send(c, now);
		} else if (strcmp(type, "session") == 0) {
			char state[16];
			if (json_str(p, n, "id", c->session, sizeof c->session) < 0)
				return on_error_frame(c, p, n);
			if (json_str(p, n, "state", state, sizeof state) > 0 &&
			    strcmp(state, "assigned") == 0 && !c->ready) {
				c->ready = true;
				smap_put(c);
			}
		}
		return; /* welcome, the greeting msg */
	}
	if (c->role == R_AGENT) {
		if (strcmp(type, "msg") == 0) {
			char from[16], sid[40];
			if (json_str(p, n, "from", from, sizeof from) < 0 || strcmp(from, "customer") != 0)
				return;
			int sl = json_str(p, n, "session", sid, sizeof sid);
			struct conn *cu = sl > 0 ? smap_get(sid, (size_t)sl) : NULL;
			if (!cu || cu->delivered >= cu->sent)
				return on_error_frame(c, p, n);
			uint64_t k = cu->delivered++;
			if (measuring) {
				st.delivered++;
				hist_add(&st.e2e, now - cu->ts[k % RING]);
			}
		} else if (strcmp(type, "presence") == 0) {
			c->ready = true;
		}
		return;
	}
	if (strcmp(type, "welcome") == 0)
		c->ready = true;
}

/* Parses every complete frame in c->in. */
static void conn_parse(struct conn *c)
{
	size_t off = 0;
	while (c->in_len - off >= 2) {
		const uint8_t *h = (const uint8_t *)c->in + off;
		size_t avail = c->in_len - off, hl = 2;
		uint64_t len = h[1] & 0x7f;
		if (h[1] & 0x80)
			die("server sent a masked frame");
		if (len == 126) {
			if (avail < 4)
				break;
			len = ((uint64_t)h[2] << 8) | h[3];
			hl = 4;
		} else if (len == 127) {
			if (avail < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | h[2 + i];
			hl = 10;
		}
		if (len > MAX_FRAME)
			die("server frame of %llu bytes", (unsigned long long)len);
		if (avail < hl + len) {
			if (hl + len > c->in_cap) {
				c->in_cap = hl + len;
				memmove(c->in, c->in + off, avail);
				c->in = xrealloc(c->in, c->in_cap);
				c->in_len = avail;
				return;
			}
			break;
		}
		int op = h[0] & 0x0f;
		const char *payload = (const char *)h + hl;
		if (op == 1 || op == 0) {
			on_frame(c, payload, (size_t)len);
		} else if (op == 9) { /* ping → pong */
			ws_send(c, payload, (size_t)len);
			c->out[c->out_len - len - (len < 126 ? 6 : 8)] = (char)0x8a;
		} else if (op == 8) {
			if (!c->closed && total_closes++ < 5)
				fprintf(stderr, "wsload: server closed %s %d: code %d %.*s\n",
					c->role == R_AGENT	    ? "agent"
					    : c->role == R_CUSTOMER ? "customer"
								    : "idle",
					c->idx,
					len >= 2 ? ((uint8_t)payload[0] << 8) | (uint8_t)payload[1] : 0,
					(int)(len > 2 ? len - 2 : 0), payload + 2);
			c->closed = true;
			if (measuring)
				st.closes++;
		}
		off += hl + len;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

static void conn_read(struct conn *c)
{
	for (;;) {
		if (c->in_cap - c->in_len < 4096) {
			c->in_cap = c->in_cap * 2 + 4096;
			c->in = xrealloc(c->in, c->in_cap);
		}
		ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			if (!c->closed && total_closes++ < 5)
				fprintf(stderr, "wsload: connection lost (%s %d)\n",
					c->role == R_AGENT ? "agent" : "customer", c->idx);
			c->closed = true;
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			return;
		}
		size_t space = c->in_cap - c->in_len;
		c->in_len += (size_t)r;
		conn_parse(c);
		if ((size_t)r < space)
			return;
	}
}

/* One round of the event loop. */
static void poll_once(int timeout_ms)
{
	static struct epoll_event evs[1024];
	flush_dirty();
	int n = epoll_wait(ep, evs, 1024, timeout_ms);
	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;
		if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			conn_read(c);
		if ((evs[i].events & EPOLLOUT) && !c->closed)
			conn_flush(c);
	}
	flush_dirty();
}

static int count_ready(struct conn **v, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += v[i]->ready;
	return k;
}

static void wait_ready(const char *what, struct conn **v, int n)
{
	uint64_t t0 = now_ns();
	while (count_ready(v, n) < n) {
		poll_once(10);
		if (now_ns() - t0 > SETUP_TIMEOUT_NS)
			die("%s: only %d of %d ready after %llu s", what, count_ready(v, n), n,
			    (unsigned long long)(SETUP_TIMEOUT_NS / NS_PER_S));
	}
}

/* ---- server readings ----------------------------------------------------------------------------- */

static long server_rss_kb(void)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", o.pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static double server_cpu_s(void) /* utime + stime of every thread, seconds */
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/stat", o.pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long ut = 0, stt = 0;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2)
		return 0;
	return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

static double machine_busy_s(void) /* every CPU's non-idle time since boot, seconds */
{
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long v[10] = {0};
	if (!f)
		return 0;
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		       &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 8)
		return 0;
	unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* minus idle, iowait */
	return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	    ru.ru_stime.tv_usec / 1e6;
}

/* ---- phases --------------------------------------------------------------------------------------- */

static void stats_reset(void)
{
	memset(&st, 0, sizeof st);
}

static void drain(void)
{
	phase = P_DRAIN;
	uint64_t t0 = now_ns();
	for (;;) {
		bool done = true;
		for (int i = 0; i < ncust && done; i++)
			done = cust[i]->closed ||
			    (cust[i]->acked == cust[i]->sent && cust[i]->delivered == cust[i]->sent);
		if (done)
			return;
		if (now_ns() - t0 > 30 * NS_PER_S) {
			fprintf(stderr, "wsload: drain timed out; messages still unacknowledged\n");
			return;
		}
		poll_once(10);
	}
}

struct measured {
	double secs, delivered_per_s, acks_per_s, sent_per_s;
	double server_cpu, client_cpu, other_cpu; /* cores busy: server, this client, everything else */
	double ack50, ack99, e2e50, e2e99;
	uint64_t errors, closes;
};

/* Runs the loop for warm + measure seconds; rate > 0 makes it open loop at that many msgs/s. */
static struct measured run_phase(enum phase ph, double warm_s, double measure_s, double rate)
{
	phase = ph;
	measuring = false;
	stats_reset();
	uint64_t t0 = now_ns(), tw = t0 + (uint64_t)(warm_s * 1e9), te = tw + (uint64_t)(measure_s * 1e9);
	uint64_t scheduled = 0;
	int rr = 0;
	double scpu0 = 0, ccpu0 = 0, mcpu0 = 0;
	if (ph == P_SAT)
		for (int i = 0; i < ncust; i++)
			while (cust[i]->sent - cust[i]->acked < (uint64_t)o.window && cust_can_send(cust[i]))
				cust_send(cust[i], t0);
	for (;;) {
		uint64_t now = now_ns();
		if (!measuring && now >= tw) {
			stats_reset();
			measuring = true;
			scpu0 = server_cpu_s();
			ccpu0 = self_cpu_s();
			mcpu0 = machine_busy_s();
			tw = now;
		}
		if (now >= te)
			break;
		int timeout = 10;
		if (rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) * rate / 1e9);
			int tries = 0;
			while (scheduled < due && tries < ncust) {
				struct conn *c = cust[rr];
				rr = (rr + 1) % ncust;
				if (!cust_can_send(c)) {
					tries++;
					continue;
				}
				tries = 0;
				cust_send(c, t0 + (uint64_t)((double)scheduled * 1e9 / rate));
				scheduled++;
			}
			timeout = 1;
		}
		poll_once(timeout);
	}
	uint64_t end = now_ns();
	struct measured m = {0};
	m.secs = (double)(end - tw) / 1e9;
	m.delivered_per_s = (double)st.delivered / m.secs;
	m.acks_per_s = (double)st.acks / m.secs;
	m.sent_per_s = (double)st.sent / m.secs;
	m.server_cpu = o.pid ? (server_cpu_s() - scpu0) / m.secs : 0;
	m.client_cpu = (self_cpu_s() - ccpu0) / m.secs;
	m.other_cpu = (machine_busy_s() - mcpu0) / m.secs - m.server_cpu - m.client_cpu;
	if (m.other_cpu < 0)
		m.other_cpu = 0;
	m.ack50 = hist_pct_us(&st.ack, 50);
	m.ack99 = hist_pct_us(&st.ack, 99);
	m.e2e50 = hist_pct_us(&st.e2e, 50);
	m.e2e99 = hist_pct_us(&st.e2e, 99);
	m.errors = st.errors;
	m.closes = st.closes;
	measuring = false;
	drain();
	return m;
}

static void print_measured(const char *label, double rate, const struct measured *m)
{
	printf(
	    "RESULT phase=%s rate=%.0f delivered_per_s=%.0f acks_per_s=%.0f sent_per_s=%.0f ack_p50_us=%.0f "
	    "ack_p99_us=%.0f e2e_p50_us=%.0f e2e_p99_us=%.0f server_cpu=%.2f client_cpu=%.2f other_cpu=%.2f "
	    "errors=%llu "
	    "closes=%llu secs=%.2f\n",
	    label, rate, m->delivered_per_s, m->acks_per_s, m->sent_per_s, m->ack50, m->ack99, m->e2e50,
	    m->e2e99, m->server_cpu, m->client_cpu, m->other_cpu, (unsigned long long)m->errors,
	    (unsigned long long)m->closes, m->secs);
	fflush(stdout);
}

/* ---- set-up ------------------------------------------------------------------------------------- */

static void json_escape(const char *s, char *out, size_t outsz)
{
	size_t k = 0;
	for (; *s && k + 8 < outsz; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[k++] = '\\';
			out[k++] = (char)ch;
		} else if (ch < 0x20) {
			k += (size_t)snprintf(out + k, outsz - k, "\\u%04x", ch);
		} else {
			out[k++] = (char)ch;
		}
	}
	out[k] = 0;
}

static void raise_fd_limit(int need)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((rlim_t)need + 64 > rl.rlim_cur)
		die("need %d file descriptors, the limit is %llu (ulimit -n)", need + 64,
		    (unsigned long long)rl.rlim_cur);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_wsload --port P [--target kefu|baseline] [--host 127.0.0.1] [--pid PID]\n"
		"  [--idle N] [--customers V] [--agents A] [--max-chats 50] [--window W]\n"
		"  [--warm S] [--measure S] [--step-warm S] [--step S] [--rates R1,R2,…|none]\n"
		"  [--p99-ms 10] [--admin name:password] [--text TEXT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--target"))
			o.target = !strcmp(v, "baseline") ? T_BASELINE : T_KEFU;
		else if (!strcmp(a, "--host"))
			o.host = v;
		else if (!strcmp(a, "--port"))
			o.port = atoi(v);
		else if (!strcmp(a, "--pid"))
			o.pid = atoi(v);
		else if (!strcmp(a, "--idle"))
			o.idle = atoi(v);
		else if (!strcmp(a, "--customers"))
			o.customers = atoi(v);
		else if (!strcmp(a, "--agents"))
			o.agents = atoi(v);
		else if (!strcmp(a, "--max-chats"))
			o.max_chats = atoi(v);
		else if (!strcmp(a, "--window"))
			o.window = atoi(v);
		else if (!strcmp(a, "--warm"))
			o.warm_s = atof(v);
		else if (!strcmp(a, "--measure"))
			o.measure_s = atof(v);
		else if (!strcmp(a, "--step-warm"))
			o.step_warm_s = atof(v);
		else if (!strcmp(a, "--step"))
			o.step_s = atof(v);
		else if (!strcmp(a, "--rates"))
			o.rates = v;
		else if (!strcmp(a, "--p99-ms"))
			o.p99_ms = atof(v);
		else if (!strcmp(a, "--admin"))
			o.admin = v;
		else if (!strcmp(a, "--text"))
			o.text = v;
		else
			usage();
	}
	if (o.port <= 0 || o.customers < 1 || o.window < 1 || o.window >= RING || o.max_chats < 1)
		usage();
	if (!o.agents)
		o.agents = (o.customers + o.max_chats - 1) / o.max_chats;
	rng_state ^= now_ns() ^ ((uint64_t)getpid() << 32);
	json_escape(o.text, text_json, sizeof text_json);
	raise_fd_limit(o.idle + o.customers + o.agents);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ncust = o.customers;
	nagent = o.agents;
	nidle = o.idle;
	cust = calloc((size_t)ncust, sizeof *cust);
	agent = calloc((size_t)nagent, sizeof *agent);
	idlec = calloc((size_t)(nidle ? nidle : 1), sizeof *idlec);
	for (smap_cap = 1024; smap_cap < (size_t)ncust * 2; smap_cap *= 2)
		;
	smap = calloc(smap_cap, sizeof *smap);
	bool kefu = o.target == T_KEFU;
	printf("wsload: target=%s port=%d idle=%d customers=%d agents=%d window=%d text_bytes=%zu\n",
	       kefu ? "kefu" : "baseline", o.port, nidle, ncust, nagent, o.window, strlen(o.text));
	fflush(stdout);

	/* Tokens (kefu): agents created through the admin API with the largest max_chats, each
	 * logged in once; one visitor token per customer and idle socket. */
	char **agent_tok = NULL, **vis_tok = NULL;
	uint64_t t0 = now_ns();
	if (kefu) {
		struct hconn *h = calloc(1, sizeof *h);
		h->fd = tcp_connect();
		char admin_name[64], *pw = strchr(o.admin, ':');
		if (!pw)
			usage();
		snprintf(admin_name, sizeof admin_name, "%.*s", (int)(pw - o.admin), o.admin);
		char *admin_tok = kefu_login(h, admin_name, pw + 1);
		agent_tok = calloc((size_t)nagent, sizeof *agent_tok);
		for (int i = 0; i < nagent; i++) {
			char name[64], body[512], resp[4096];
			snprintf(name, sizeof name, "wsl%dr%04xa%d", (int)getpid(), rng32() & 0xffff, i);
			snprintf(body, sizeof body,
				 "{\"name\":\"%s\",\"password\":\"bench-pass-%d\",\"role\":\"agent\","
				 "\"level\":\"senior\","
				 "\"skills\":[\"presale\",\"aftersale\"],\"max_chats\":%d}",
				 name, i, o.max_chats);
			int s = http_call(h, "POST", "/api/v1/users", admin_tok, body, resp, sizeof resp);
			if (s != 201)
				die("create agent %s: HTTP %d %s", name, s, resp);
			char pass[32];
			snprintf(pass, sizeof pass, "bench-pass-%d", i);
			agent_tok[i] = kefu_login(h, name, pass);
		}
		vis_tok = kefu_visitors(nidle + ncust);
		close(h->fd);
		free(h);
		free(admin_tok);
		printf("wsload: %d agents created and logged in, %d visitor tokens in %.1f s\n", nagent,
		       nidle + ncust, (double)(now_ns() - t0) / 1e9);
		fflush(stdout);
	}

	/* Idle authenticated sockets: upgrade + hello, then the server's RSS growth per socket. */
	char path[512];
	if (nidle) {
		long rss0 = o.pid ? server_rss_kb() : -1;
		t0 = now_ns();
		for (int i = 0; i < nidle; i++) {
			if (kefu)
				snprintf(path, sizeof path, "/ws?token=%s", vis_tok[ncust + i]);
			else
				snprintf(path, sizeof path, "/?role=customer&id=idle%d", i);
			idlec[i] = ws_open(R_IDLE, i, path);
			ws_send_str(idlec[i], "{\"type\":\"hello\"}");
			if (i % 256 == 255)
				poll_once(0);
		}
		wait_ready("idle sockets", idlec, nidle);
		double open_s = (double)(now_ns() - t0) / 1e9;
		for (int i = 0; i < 100; i++) /* let the server settle (and node collect garbage) */
			poll_once(10);
		long rss1 = o.pid ? server_rss_kb() : -1;
		for (int i = 0; i < nidle; i++) { /* release client-side buffers: they stay idle */
			free(idlec[i]->in);
			idlec[i]->in = malloc(256);
			idlec[i]->in_cap = 256;
			free(idlec[i]->out);
			idlec[i]->out = NULL;
			idlec[i]->out_cap = 0;
		}
		printf("RESULT phase=idle conns=%d open_s=%.2f rss_before_kb=%ld rss_after_kb=%ld "
		       "bytes_per_conn=%.0f\n",
		       nidle, open_s, rss0, rss1, rss0 > 0 ? (double)(rss1 - rss0) * 1024.0 / nidle : -1.0);
		fflush(stdout);
	}

	/* Agents online, then customers with a chat each, every chat assigned. */
	t0 = now_ns();
	for (int i = 0; i < nagent; i++) {
		if (kefu)
			snprintf(path, sizeof path, "/ws?token=%s", agent_tok[i]);
		else
			snprintf(path, sizeof path, "/?role=agent&id=a%d", i);
		agent[i] = ws_open(R_AGENT, i, path);
		agent[i]->in_cap = 1 << 16;
		agent[i]->in = xrealloc(agent[i]->in, agent[i]->in_cap);
		ws_send_str(agent[i], "{\"type\":\"hello\"}");
		ws_send_str(agent[i], "{\"type\":\"presence\",\"status\":\"online\"}");
	}
	wait_ready("agents", agent, nagent);
	for (int i = 0; i < ncust; i++) {
		if (kefu)
			snprintf(path, sizeof path, "/ws?token=%s", vis_tok[i]);
		else
			snprintf(path, sizeof path, "/?role=customer&id=c%d", i);
		cust[i] = ws_open(R_CUSTOMER, i, path);
		cust[i]->ts = calloc(RING, sizeof *cust[i]->ts);
		ws_send_str(cust[i], "{\"type\":\"hello\"}");
		ws_send_str(cust[i], "{\"type\":\"open\",\"category\":\"product\"}");
		if (i % 256 == 255)
			poll_once(0);
	}
	wait_ready("customer chats", cust, ncust);
	printf("wsload: %d agents online, %d chats assigned in %.1f s; %d WebSockets open\n", nagent, ncust,
	       (double)(now_ns() - t0) / 1e9, nidle + nagent + ncust);
	fflush(stdout);

	/* Saturation: W in flight per customer. */
	struct measured sat = run_phase(P_SAT, o.warm_s, o.measure_s, 0);
	print_measured("saturation", 0, &sat);

	/* Open-loop sweep: the highest rate with ack and end-to-end p99 under the bound. */
	double rates[64];
	int nr = 0;
	if (o.rates && strcmp(o.rates, "none") == 0) {
		nr = 0;
	} else if (o.rates) {
		for (const char *p = o.rates; *p && nr < 64;) {
			rates[nr++] = atof(p);
			p = strchr(p, ',');
			if (!p)
				break;
			p++;
		}
	} else {
		static const double frac[] = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
		for (size_t i = 0; i < sizeof frac / sizeof frac[0]; i++)
			rates[nr++] = frac[i] * sat.delivered_per_s;
	}
	double best = 0;
	int fails = 0;
	for (int i = 0; i < nr && fails < 2; i++) {
		struct measured m = run_phase(P_RATE, o.step_warm_s, o.step_s, rates[i]);
		bool pass = m.ack99 < o.p99_ms * 1000 && m.e2e99 < o.p99_ms * 1000 &&
		    m.delivered_per_s >= 0.95 * rates[i] && m.errors == 0 && m.closes == 0;
		print_measured(pass ? "rate_pass" : "rate_fail", rates[i], &m);
		if (pass && rates[i] > best)
			best = rates[i];
		fails = pass ? 0 : fails + 1;
	}
	uint64_t sent = 0, acked = 0, delivered = 0;
	for (int i = 0; i < ncust; i++) {
		sent += cust[i]->sent;
		acked += cust[i]->acked;
		delivered += cust[i]->delivered;
	}
	printf("RESULT phase=summary best_rate=%.0f p99_bound_ms=%.1f sent=%llu acked=%llu delivered=%llu "
	       "errors=%llu closes=%llu\n",
	       best, o.p99_ms, (unsigned long long)sent, (unsigned long long)acked,
	       (unsigned long long)delivered, (unsigned long long)total_errors,
	       (unsigned long long)total_closes);
	fflush(stdout);
	return sent == acked && acked == delivered && !total_errors ? 0 : 3;
}
