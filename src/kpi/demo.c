/* demo.c — the `kefu demo` generator (demo.h). A splitmix64 stream per seed drives every choice, so
 * output is byte-identical per seed. Load: ~30 sessions per agent per working day scaled by a
 * weekly curve (weekends busier), a promotion curve peaking at 4× on 11-11, and the agent's
 * presence; skill (0.6–1.0) drives reply speed, ratings, resolution, conversion and complaints.
 * Banned phrases (C-01 极限词) appear in 1% of agent replies. Never touches the store. */
#include "kpi/demo.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"

enum { DAY_MS = 86400000, OFFSET_MIN = 480, CUSTOMERS_PER_AGENT = 300 };

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;
}

static int pick(uint64_t *s, const double *w, int n)
{
	double t = 0, u;
	for (int i = 0; i < n; i++)
		t += w[i];
	u = unif(s) * t;
	for (int i = 0; i < n; i++) {
		if (u < w[i])
			return i;
		u -= w[i];
	}
	return n - 1;
}

static double expo(uint64_t *s, double mean)
{
	return -log(1 - unif(s)) * mean;
}

static const char *const channels[] = {"web", "app", "im", "phone", "email", "form"};
static const double channel_w[] = {30, 40, 20, 6, 2, 2};
static const char *const categories[] = {"product", "order", "aftersale", "policy"};
static const double category_w[] = {40, 30, 20, 10};
static const char *const ctypes[] = {"new", "returning", "vip"};
static const double ctype_w[] = {50, 40, 10};
static const char *const posts[] = {"presale", "aftersale", "complaint"};
static const double post_w[] = {50, 35, 15};
static const char *const levels[] = {"junior", "senior", "lead"};
static const char *const regions[] = {"浙江", "广东", "江苏", "北京", "上海", "四川", "湖北", "山东"};
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
static const char *const given[] = {"小红", "晓明", "丽娜", "建国", "婷婷", "海洋", "静", "磊", "芳", "伟"};
static const char *const c_open[] = {
    "在吗",	    "你好，请问这款有货吗", "我的订单什么时候发货", "这个尺码偏大还是偏小",
    "退货怎么操作", "优惠券用不了",	    "能便宜一点吗",	    "物流好几天没更新了"};
static const char *const c_more[] = {"还有别的颜色吗", "好的",	       "那我再看看",
				     "麻烦快一点",     "订单号发你了", "能开发票吗"};
static const char *const a_reply[] = {"亲，您好，在的，请问有什么可以帮您",
				      "亲，这款现货充足，今天下单48小时内发货",
				      "亲，建议您按平时尺码选择哦",
				      "亲，已为您查询，包裹正在派送中",
				      "亲，退货请在订单页点击申请售后，我们会尽快处理",
				      "亲，优惠券需满199元可用哦",
				      "好的亲，已为您备注加急"};
static const char *const a_banned[] = {"亲，这是全网最低价了", "亲，我们是国家级品质，绝对第一"};
static const char *const c_thanks[] = {"谢谢", "好的谢谢", "明白了"};
static const char *const bot_hello = "您好，欢迎光临，客服马上为您服务";

/* Load multiplier of a local day (days since epoch): weekly curve and the 11-11 promotion. */
static double day_factor(int64_t day)
{
	int wd = (int)((day + 4) % 7); /* 0 = Sunday */
	double f = (wd == 0 || wd == 6) ? 1.2 : 1.0;
	/* day of year: find month/day via civil conversion */
	int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	if (m == 11 && d >= 1 && d <= 12) { /* warm-up from 11-01, 4× on 11-11 */
		static const double peak[] = {0, 1.3, 1.3, 1.4, 1.4, 1.5, 1.6, 1.8, 2.0, 2.5, 3.2, 4.0, 2.2};
		f *= peak[d];
	}
	if (m == 6 && d >= 16 && d <= 18) /* 618 */
		f *= 2.0;
	return f;
}

struct gen {
	FILE *f;
	uint64_t rng;
	char ts[40];
	struct kpi_demo_counts *c;
};

static const char *ts(struct gen *g, int64_t ms)
{
	clock_format_rfc3339(ms - ms % 1000, OFFSET_MIN, g->ts, sizeof g->ts);
	return g->ts;
}

static void msg(struct gen *g, int64_t sid, const char *from, int64_t at, const char *text)
{
	fprintf(
	    g->f,
	    "{\"kind\":\"message\",\"session\":\"s%lld\",\"from\":\"%s\",\"at\":\"%s\",\"text\":\"%s\"}\n",
	    (long long)sid, from, ts(g, at), text);
	g->c->lines++;
	g->c->messages++;
}

/* Day of month (1..31) and month (1..12) of a local day. */
static void civil_md(int64_t day, int *m, int *d)
{
	int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
}

static const char *const departments[] = {"logistics", "warehouse", "finance", "product"};

/* The people and quality records of agent i on a day (K-35…K-44, K-52), from their own random
 * stream so the sessions above stay as they were: on the 20th a product exam (and a new_product
 * exam in the first month of each quarter), a self and a peer review, two collaboration ratings;
 * on any day a contribution (~5 a month for skill > 0.8, ~2 else; accepted more often with skill)
 * and a citation of another agent's case (now and then of one's own, which does not count). */
static void people_day(struct gen *g, uint64_t *rng, int64_t day, int i, int n, double sk)
{
	int m, d;
	civil_md(day, &m, &d);
	int64_t t = day * DAY_MS - (int64_t)OFFSET_MIN * 60000 + 18 * 3600000LL;
	char id[48];
	FILE *f = g->f;
	if (d == 20) {
		snprintf(id, sizeof id, "e%lld-%04d", (long long)day, i + 1);
		int score = (int)(55 + 45 * sk + 10 * (unif(rng) - 0.5));
		fprintf(f,
			"{\"kind\":\"exam\",\"id\":\"%s\",\"agent\":\"a%04d\",\"at\":\"%s\",\"score\":%d,"
			"\"pass_mark\":80,\"topic\":\"product\"}\n",
			id, i + 1, ts(g, t), score > 100 ? 100 : score);
		g->c->lines++;
		if (m % 3 == 1) {
			score = (int)(50 + 50 * sk + 10 * (unif(rng) - 0.5));
			fprintf(f,
				"{\"kind\":\"exam\",\"id\":\"%sn\",\"agent\":\"a%04d\",\"at\":\"%s\","
				"\"score\":%d,"
				"\"pass_mark\":80,\"topic\":\"new_product\"}\n",
				id, i + 1, ts(g, t + 3600000), score > 100 ? 100 : score);
			g->c->lines++;
		}
		fprintf(f,
			"{\"kind\":\"review\",\"id\":\"rs%lld-%04d\",\"agent\":\"a%04d\",\"at\":\"%s\","
			"\"type\":\"self\",\"score\":%d}\n",
			(long long)day, i + 1, i + 1, ts(g, t), 7 + (int)(next(rng) % 4));
		fprintf(f,
			"{\"kind\":\"review\",\"id\":\"rp%lld-%04d\",\"agent\":\"a%04d\",\"at\":\"%s\","
			"\"type\":\"peer\",\"score\":%d,\"reviewer\":\"a%04d\"}\n",
			(long long)day, i + 1, i + 1, ts(g, t), 4 + (int)(6 * sk + unif(rng)),
			(i + 1) % n + 1);
		for (int k = 0; k < 2; k++)
			fprintf(f,
				"{\"kind\":\"collab_rating\",\"id\":\"cr%lld-%04d-%d\",\"agent\":\"a%04d\","
				"\"department\":\"%s\",\"at\":\"%s\",\"score\":%d}\n",
				(long long)day, i + 1, k, i + 1, departments[next(rng) % 4], ts(g, t),
				unif(rng) < 0.5 + 0.5 * sk ? 4 + (int)(next(rng) % 2)
							   : 2 + (int)(next(rng) % 2));
		g->c->lines += 4;
	}
	if (unif(rng) < (sk > 0.8 ? 5.0 : 2.0) / 30) {
		double u = unif(rng);
		fprintf(
		    f,
		    "{\"kind\":\"kb_contribution\",\"id\":\"kc%lld-%04d\",\"agent\":\"a%04d\",\"at\":\"%s\","
		    "\"article\":\"faq-%d\",\"state\":\"%s\"}\n",
		    (long long)day, i + 1, i + 1, ts(g, t), (int)(next(rng) % 200),
		    u < 0.5 + 0.45 * sk ? "accepted"
			: u < 0.95	? "rejected"
					: "pending");
		g->c->lines++;
	}
	if (n > 1 && unif(rng) < 0.08) {
		int author = unif(rng) < 0.1 ? i : (int)(next(rng) % (uint64_t)n);
		fprintf(f,
			"{\"kind\":\"case_citation\",\"case\":\"case-%04d-%d\",\"author\":\"a%04d\","
			"\"by\":\"a%04d\",\"at\":\"%s\"}\n",
			author + 1, (int)(next(rng) % 5), author + 1, i + 1, ts(g, t + 60000));
		g->c->lines++;
	}
}

/* Tickets, returns and exchanges (issue 6; K-11, K-27…K-29, K-33, K-34) from their own random
 * stream: an after-sale agent turns ~8% of sessions into a return (60%) or an exchange, a
 * complaint specialist ~6% into a complaint ticket, a pre-sale agent ~2% into a general ticket.
 * Skill drives how fast they are audited, shipped and resolved, how often a flow step is skipped
 * and how often the handling plan is left empty. 8% of exchanges go to remote regions. */
static const char *const remote_regions[] = {"新疆", "西藏", "青海", "内蒙古"};

static void ticket_line(struct gen *g, uint64_t *rng, int post, int i, double sk, int64_t sid, int64_t cust,
			int64_t at, int64_t *tid)
{
	double rate = post == 1 ? 0.08 : post == 2 ? 0.06 : 0.02;
	if (unif(rng) >= rate)
		return;
	FILE *f = g->f;
	double slow = 1.6 - sk; /* 0.6 (best) … 1.0 */
	const char *kind = post == 1 ? (unif(rng) < 0.6 ? "return" : "exchange") : "ticket";
	/* complex problems (K-11) among general and complaint tickets; returns and exchanges are timed
	 * by K-27/K-28 and take days by nature */
	bool complaint = post == 2, complex = unif(rng) < 0.15 && post != 1;
	int64_t created = at + 60000;
	fprintf(f, "{\"kind\":\"%s\",\"id\":\"tk%lld\",\"agent\":\"a%04d\",\"created\":\"%s\",", kind,
		(long long)++*tid, i + 1, ts(g, created));
	fprintf(f, "\"type\":\"%s\",\"priority\":\"%s\",\"department\":\"%s\",",
		post == 1	? "退换货"
		    : complaint ? "投诉"
				: "咨询",
		complex ? "P1" : "P2", post == 1 ? "warehouse" : "service");
	if (post != 0 || unif(rng) < 0.7)
		fprintf(f, "\"order\":\"O%lld\",", (long long)(900000 + sid));
	fprintf(f, "\"description\":\"客户反馈问题，已记录\",");
	if (unif(rng) >= 0.12 * slow) /* K-34: the plan is sometimes left empty */
		fprintf(f, "\"plan\":\"按流程处理并回访\",");
	fprintf(f, "\"complex\":%s,\"customer\":\"c%lld\",\"session\":\"s%lld\",", complex ? "true" : "false",
		(long long)cust, (long long)sid);
	int64_t t = created + (int64_t)expo(rng, 1200000 * slow);
	fprintf(f, "\"claimed\":\"%s\",", ts(g, t));
	int64_t end = t;
	if (strcmp(kind, "return") == 0) {
		int64_t audited = created + (int64_t)expo(rng, 10 * 3600000.0 * slow);
		int64_t received = audited + DAY_MS + (int64_t)expo(rng, DAY_MS);
		int64_t completed = received + (int64_t)expo(rng, 6 * 3600000.0 * slow);
		fprintf(f, "\"audited\":\"%s\",", ts(g, audited));
		if (unif(rng) >= 0.05 * slow) /* K-33: the received step is sometimes skipped */
			fprintf(f, "\"steps\":\"received@%s\",", ts(g, received));
		fprintf(f, "\"completed\":\"%s\",", ts(g, completed));
		end = completed + 3600000;
	} else if (strcmp(kind, "exchange") == 0) {
		bool remote = unif(rng) < 0.08;
		int64_t audited = created + (int64_t)expo(rng, 8 * 3600000.0 * slow);
		int64_t shipped = audited + (int64_t)expo(rng, (remote ? 30 : 20) * 3600000.0 * slow);
		if (remote)
			fprintf(f, "\"region\":\"%s\",", remote_regions[next(rng) % 4]);
		fprintf(f, "\"audited\":\"%s\",", ts(g, audited));
		fprintf(f, "\"shipped\":\"%s\",", ts(g, shipped));
		end = shipped + DAY_MS;
	} else {
		end = t + (int64_t)expo(rng, (complex ? 16 : 6) * 3600000.0 * slow);
		if (complaint) { /* N-16: record → soothe → facts → options → follow_up */
			static const char *const steps[] = {"record", "soothe", "facts", "options",
							    "follow_up"};
			int skip = unif(rng) < 0.06 * slow ? 1 + (int)(next(rng) % 4) : -1;
			fprintf(f, "\"complaint\":true,\"steps\":\"");
			int64_t st = created + 120000;
			for (int k = 0, w = 0; k < 5; k++) {
				if (k == skip)
					continue;
				fprintf(f, "%s%s@%s", w++ ? "," : "", steps[k], ts(g, st));
				st += (end - st) / 3;
			}
			fprintf(f, "\",");
		}
	}
	if (unif(rng) < 0.97) /* some are still open */
		fprintf(f, "\"resolved\":\"%s\"}\n", ts(g, end));
	else
		fprintf(f, "\"channel\":\"chat\"}\n");
	g->c->lines++;
}

int kpi_demo_write(FILE *f, const struct kpi_demo_opts *o, struct kpi_demo_counts *c)
{
	memset(c, 0, sizeof *c);
	struct gen g = {.f = f, .rng = o->seed * 0x2545f4914f6cdd1dULL + 1, .c = c};
	int n = o->agents;
	double *skill = xmalloc((size_t)n * sizeof *skill);
	int *postix = xmalloc((size_t)n * sizeof *postix); /* index into posts */
	for (int i = 0; i < n; i++) {
		skill[i] = 0.6 + 0.4 * unif(&g.rng);
		int pi = pick(&g.rng, post_w, 3);
		const char *post = posts[pi];
		postix[i] = pi;
		fprintf(f,
			"{\"kind\":\"agent\",\"id\":\"a%04d\",\"name\":\"%s%s\",\"team\":\"t%02d\",\"post\":"
			"\"%s\","
			"\"level\":\"%s\"}\n",
			i + 1, surnames[next(&g.rng) % 10], given[next(&g.rng) % 10], i / 10 + 1, post,
			levels[skill[i] > 0.95	    ? 2
				   : skill[i] > 0.8 ? 1
						    : 0]);
		c->lines++;
	}
	int64_t ncust = (int64_t)n * CUSTOMERS_PER_AGENT;
	unsigned char *seen = xcalloc((size_t)(ncust / 8 + 1), 1); /* customer line written */
	int64_t sid = 0, oid = 0, pid = 0, tid = 0;
	uint64_t trng = o->seed * 0xd1b54a32d192ed03ULL + 11; /* tickets: their own stream */
	uint64_t prng = o->seed * 0x9e3779b97f4a7c15ULL + 7; /* people records: their own stream */
	for (int64_t day = o->start_day; day < o->start_day + o->days; day++) {
		double load = day_factor(day);
		int64_t t_day = day * DAY_MS - (int64_t)OFFSET_MIN * 60000;
		for (int i = 0; i < n; i++) {
			people_day(&g, &prng, day, i, n, skill[i]);
			if ((day + i) % 7 == 3 && load < 1.5)
				continue; /* one rest day a week outside promotions */
			/* presence 08:30–17:30 ± 30 min, with a lunch break; promotions add an evening shift
			 */
			int64_t from = t_day + (int64_t)((8.5 + unif(&g.rng) - 0.5) * 3600000);
			int64_t to = from + 9 * 3600000LL;
			int64_t lunch = t_day + 12 * 3600000LL;
			fprintf(f, "{\"kind\":\"presence\",\"agent\":\"a%04d\",\"from\":\"%s\",", i + 1,
				ts(&g, from));
			fprintf(f, "\"to\":\"%s\"}\n", ts(&g, lunch));
			fprintf(f, "{\"kind\":\"presence\",\"agent\":\"a%04d\",\"from\":\"%s\",", i + 1,
				ts(&g, lunch + 3600000));
			if (load > 1.5)
				to += 4 * 3600000LL;
			fprintf(f, "\"to\":\"%s\"}\n", ts(&g, to));
			c->lines += 2;
			int sessions = (int)(30 * load * (0.8 + 0.4 * unif(&g.rng)));
			for (int k = 0; k < sessions; k++) {
				int64_t cust = (int64_t)(next(&g.rng) % (uint64_t)ncust);
				if (!(seen[cust / 8] & (1 << (cust % 8)))) {
					seen[cust / 8] |= (unsigned char)(1 << (cust % 8));
					fprintf(f,
						"{\"kind\":\"customer\",\"id\":\"c%lld\",\"type\":\"%s\","
						"\"region\":\"%s\"}\n",
						(long long)cust, ctypes[pick(&g.rng, ctype_w, 3)],
						regions[next(&g.rng) % 8]);
					c->lines++;
				}
				int64_t start =
				    from + (int64_t)(unif(&g.rng) * (double)(to - from - 1800000));
				const char *ch = channels[pick(&g.rng, channel_w, 6)];
				const char *cat = categories[pick(&g.rng, category_w, 4)];
				++sid;
				int64_t t = start;
				if (unif(&g.rng) < 0.1)
					msg(&g, sid, "bot", t, bot_hello);
				int rounds = 1 + (int)(next(&g.rng) % 4);
				for (int r = 0; r < rounds; r++) {
					int burst = 1 + (int)(next(&g.rng) % 3);
					for (int b = 0; b < burst; b++) {
						msg(&g, sid, "customer", t,
						    r == 0 && b == 0 ? c_open[next(&g.rng) % 8]
								     : c_more[next(&g.rng) % 6]);
						t += 1000 + (int64_t)(next(&g.rng) % 8000);
					}
					if (r == rounds - 1 && unif(&g.rng) < 0.02)
						break; /* the last round stays unanswered */
					double mean = 12000 / skill[i] * (load > 2 ? 2 : 1);
					int64_t delay = unif(&g.rng) < 0.03
					    ? 600000 + (int64_t)expo(&g.rng, 300000)
					    : (int64_t)expo(&g.rng, mean);
					t += delay + 1000;
					bool banned = unif(&g.rng) < 0.01;
					c->violations += banned;
					msg(&g, sid, "agent", t,
					    banned ? a_banned[next(&g.rng) % 2] : a_reply[next(&g.rng) % 7]);
					t += 5000 + (int64_t)(next(&g.rng) % 30000);
				}
				if (unif(&g.rng) < 0.3)
					msg(&g, sid, "customer", t, c_thanks[next(&g.rng) % 3]);
				int64_t end = t + 30000 + (int64_t)(next(&g.rng) % 90000);
				bool has_end = unif(&g.rng) >= 0.03;
				fprintf(f,
					"{\"kind\":\"session\",\"id\":\"s%lld\",\"channel\":\"%s\","
					"\"customer\":\"c%lld\","
					"\"agent\":\"a%04d\",\"start\":\"%s\",",
					(long long)sid, ch, (long long)cust, i + 1, ts(&g, start));
				if (has_end)
					fprintf(f, "\"end\":\"%s\",", ts(&g, end));
				fprintf(f, "\"category\":\"%s\",\"complex\":%s}\n", cat,
					unif(&g.rng) < 0.1 ? "true" : "false");
				c->lines++;
				c->sessions++;
				double sk = skill[i];
				if (unif(&prng) < 0.02) { /* QA samples ~2% of sessions (K-35) */
					fprintf(f,
						"{\"kind\":\"review\",\"id\":\"rq%lld\",\"agent\":\"a%04d\","
						"\"at\":\"%s\",\"type\":\"qa\",\"score\":%d,\"session\":\"s%"
						"lld\"}\n",
						(long long)sid, i + 1, ts(&g, end + DAY_MS),
						5 + (int)(5 * sk * unif(&prng) + 0.5), (long long)sid);
					c->lines++;
				}
				if (unif(&g.rng) < 0.6) {
					double u = unif(&g.rng);
					int score = u < 0.55 * sk + 0.3 ? 5
					    : u < 0.9			? 4
					    : u < 0.95			? 3
					    : u < 0.98			? 2
									: 1;
					bool solved = unif(&g.rng) < 0.75 + 0.2 * sk;
					fprintf(f,
						"{\"kind\":\"rating\",\"session\":\"s%lld\",\"at\":\"%s\","
						"\"score\":%d,\"solved\":%s}\n",
						(long long)sid, ts(&g, end + 5000), score,
						solved ? "true" : "false");
					c->lines++;
				}
				if (unif(&g.rng) < 0.25 * sk) {
					fprintf(f,
						"{\"kind\":\"order\",\"id\":\"o%lld\",\"customer\":\"c%lld\","
						"\"at\":\"%s\","
						"\"amount\":%d.%02d,\"new_product\":%s,\"recommended\":%s}\n",
						(long long)++oid, (long long)cust,
						ts(&g, end + (int64_t)(unif(&g.rng) * 2 * DAY_MS)),
						20 + (int)(next(&g.rng) % 980), (int)(next(&g.rng) % 100),
						unif(&g.rng) < 0.1 ? "true" : "false",
						unif(&g.rng) < 0.3 ? "true" : "false");
					c->lines++;
				}
				if (unif(&g.rng) < 0.006 * (1.6 - sk)) {
					fprintf(f,
						"{\"kind\":\"complaint\",\"id\":\"p%lld\",\"customer\":\"c%"
						"lld\",\"at\":\"%s\","
						"\"session\":\"s%lld\",\"escalated\":%s}\n",
						(long long)++pid, (long long)cust, ts(&g, end + DAY_MS / 2),
						(long long)sid, unif(&g.rng) < 0.1 ? "true" : "false");
					c->lines++;
				}
				ticket_line(&g, &trng, postix[i], i, sk, sid, cust, end, &tid);
			}
		}
	}
	free(seen);
	free(skill);
	free(postix);
	if (ferror(f))
		return -KEFU_EIO;
	return 0;
}
