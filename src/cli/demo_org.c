/* demo_org.c — the demo organisation `make run` starts with: accounts for every role, a few
 * customers (new, returning, VIP) with orders and tags. Loaded once: skipped when the admin
 * account already exists. Demo passwords are printed; they are for local trials only. */
#include <stdio.h>
#include <string.h>

#include "auth/users.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "store/store.h"

struct demo_user {
	const char *name, *password, *display, *role, *level, *team, *post, *skills;
	int max_chats;
	const char *dept; /* department of a dept account (N-14), else NULL */
};

static const struct demo_user users[] = {
    {"admin", "adminpass", "管理员", "admin", NULL, NULL, NULL, NULL, 0, NULL},
    {"agent1", "agent1pass", "小美", "agent", "junior", "t1", "presale", "presale,aftersale", 5, NULL},
    {"agent2", "agent2pass", "小刚", "agent", "senior", "t1", "aftersale", "presale,aftersale", 5, NULL},
    {"lead1", "lead1pass", "王组长", "lead", "lead", "t1", "presale", "presale,aftersale", 3, NULL},
    {"sup1", "sup1pass", "李主管", "supervisor", "supervisor", "t1", NULL, NULL, 0, NULL},
    {"mgr1", "mgr1pass", "赵经理", "manager", "manager", NULL, NULL, NULL, 0, NULL},
    {"qa1", "qa1pass1", "质检员", "qa", NULL, NULL, NULL, NULL, 0, NULL},
    {"dept1", "dept1pass", "物流部", "dept", NULL, NULL, NULL, NULL, 0, "logistics"},
};

struct demo_customer {
	const char *id, *name, *phone, *type, *region, *tags;
};

static const struct demo_customer customers[] = {
    {"c001", "王丽", "13812345678", "vip", "上海市", "[\"VIP\",\"偏好快递顺丰\",\"母婴\"]"},
    {"c002", "李强", "13987654321", "new", "北京市", "[\"新客\"]"},
    {"c003", "张敏", "13700001111", "returning", "广东省广州市", "[\"老客\",\"数码\"]"},
};

static int add_customer(struct store *s, const struct demo_customer *c, struct kefu_err *err)
{
	json_t *tags = json_loads(c->tags, 0, NULL);
	struct store_event ev = {.type = "customer.upserted",
				 .data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", c->id, "name", c->name,
						   "phone", c->phone, "type", c->type, "region", c->region,
						   "tags", tags)};
	return store_append_sync(s, &ev, NULL, err);
}

static int add_order(struct store *s, const char *id, const char *customer, int64_t at_ms, double amount,
		     const char *status, const char *item, struct kefu_err *err)
{
	struct store_event ev = {.type = "order.recorded",
				 .data = json_pack("{s:s,s:s,s:I,s:f,s:s,s:s}", "id", id, "customer",
						   customer, "at_ms", (json_int_t)at_ms, "amount", amount,
						   "status", status, "item", item)};
	return store_append_sync(s, &ev, NULL, err);
}

int demo_org_load(struct store *s, struct store_reader *r, struct kefu_err *err)
{
	struct store_user existing = {0};
	if (store_user_by_name(r, "admin", &existing, NULL) == 0) {
		store_user_clear(&existing);
		return 0;
	}
	int rc;
	for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
		const struct demo_user *d = &users[i];
		json_t *skills = json_array();
		if (d->skills) {
			char buf[128];
			snprintf(buf, sizeof buf, "%s", d->skills);
			for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				json_array_append_new(skills, json_string(t));
		}
		struct user_new u = {.name = d->name,
				     .password = d->password,
				     .display = d->display,
				     .role = d->role,
				     .level = d->level,
				     .team = d->team,
				     .post = d->post,
				     .skills = skills,
				     .max_chats = d->max_chats,
				     .dept = d->dept};
		char id[24];
		rc = users_add_sync(s, r, &u, id, err);
		json_decref(skills);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof customers / sizeof customers[0]; i++)
		if ((rc = add_customer(s, &customers[i], err)) < 0)
			return rc;
	int64_t day = 86400000LL, now = clock_now_ms();
	if ((rc = add_order(s, "o1001", "c001", now - 3 * day, 299.0, "shipped", "婴儿推车", err)) < 0 ||
	    (rc = add_order(s, "o1002", "c001", now - 40 * day, 89.5, "completed", "奶瓶套装", err)) < 0 ||
	    (rc = add_order(s, "o1003", "c003", now - 10 * day, 1999.0, "completed", "蓝牙耳机", err)) < 0)
		return rc;
	printf("kefu: demo organisation loaded. Logins (name / password):\n");
	for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
		printf("  %-7s / %-11s %s (%s%s%s)\n", users[i].name, users[i].password, users[i].display,
		       users[i].role, users[i].level ? ", " : "", users[i].level ? users[i].level : "");
	printf("  demo customers for the widget: c001 (VIP), c002 (new), c003 (returning); anonymous "
	       "visitors work too\n");
	fflush(stdout);
	return 0;
}
