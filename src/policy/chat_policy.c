/* chat_policy.c — built-in live-chat policy defaults (see chat_policy.h). Every number here is a
 * named setting taken from SPEC §2. */
#include "policy/chat_policy.h"

#include <string.h>

static const struct chat_category categories[] = {
    {"product", "产品咨询", "Product", "presale", {"参数", "使用", "对比", NULL}},
    {"order", "订单查询", "Order", "presale", {"物流", "修改", "发票", NULL}},
    {"aftersale", "售后投诉", "After-sale", "aftersale", {"退货", "换货", "投诉", NULL}},
    {"policy", "政策咨询", "Policy", "presale", {"优惠", "退换规则", "会员", NULL}},
};

static const struct chat_policy defaults = {
    .categories = categories,
    .ncategories = sizeof categories / sizeof categories[0],
    .default_category = "product",
    .greeting_s = 30, /* N-01 */
    .frt_web_s = 15, /* N-02 app/web */
    .frt_app_s = 15,
    .frt_phone_s = 10,
    .frt_im_s = 60,
    .art_s = 30, /* N-03 */
    .art_complex_s = 60,
    .warn_share = 0.66,
    .max_text_chars = 2000,
    .default_max_chats = 5,
    .queue_alarm = 50, /* N-21 */
    .negative_share_alert = 0.5, /* C-11 */
    .negative_min_msgs = 2,
    .alerts_kept = 50,
    .suggest_interval_ms = 1000,
};

const struct chat_policy *chat_policy_default(void)
{
	return &defaults;
}

const struct chat_category *chat_policy_category(const struct chat_policy *p, const char *id)
{
	for (size_t i = 0; id && i < p->ncategories; i++)
		if (strcmp(p->categories[i].id, id) == 0)
			return &p->categories[i];
	return NULL;
}

json_t *chat_policy_categories_json(const struct chat_policy *p)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < p->ncategories; i++) {
		const struct chat_category *c = &p->categories[i];
		json_t *items = json_array();
		for (int k = 0; k < 4 && c->items[k]; k++)
			json_array_append_new(items, json_string(c->items[k]));
		json_array_append_new(arr,
				      json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", c->id, "name", c->name_zh,
						"name_en", c->name_en, "group", c->group, "items", items));
	}
	return arr;
}

json_t *chat_policy_norms_json(const struct chat_policy *p)
{
	return json_pack("{s:i,s:{s:i,s:i,s:i,s:i},s:i,s:i,s:f,s:i}", "greeting_s", p->greeting_s, "frt_s",
			 "web", p->frt_web_s, "app", p->frt_app_s, "phone", p->frt_phone_s, "im", p->frt_im_s,
			 "art_s", p->art_s, "art_complex_s", p->art_complex_s, "warn_share", p->warn_share,
			 "max_text_chars", p->max_text_chars);
}
