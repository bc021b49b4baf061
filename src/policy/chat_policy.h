/* chat_policy.h — the live-chat policy: question categories (N-12) and the skill group each is
 * queued to, response norms (N-01…N-03), message limits. Read-only defaults now; later issues
 * load versioned policy files into the same struct. policy never touches sockets or SQL. */
#ifndef KEFU_POLICY_CHAT_POLICY_H
#define KEFU_POLICY_CHAT_POLICY_H

#include <jansson.h>
#include <stddef.h>

struct chat_category {
	const char *id; /* product|order|aftersale|policy */
	const char *name_zh; /* 产品咨询 … */
	const char *name_en;
	const char *group; /* skill group the category is queued to */
	const char *items[4]; /* sub-items (N-12), NULL-terminated */
};

struct chat_policy {
	const struct chat_category *categories; /* N-12 */
	size_t ncategories;
	const char *default_category; /* when the customer picks none */
	int greeting_s; /* N-01: greeting within this many seconds */
	int frt_web_s, frt_app_s, frt_phone_s, frt_im_s; /* N-02 */
	int art_s, art_complex_s; /* N-03 */
	double warn_share; /* warn at this share of a norm */
	int max_text_chars; /* longest chat message, in characters */
	int default_max_chats; /* agents without a configured limit */
	int queue_alarm; /* N-21: waiting customers that call in the backup team */
	double negative_share_alert; /* C-11: alert when this share of a chat's customer messages is negative
					… */
	int negative_min_msgs; /* … once the customer has sent at least this many */
	int alerts_kept; /* alerts kept for the supervisor view */
	int suggest_interval_ms; /* KB-3: at most one suggestion search per chat per interval */
};

/* The built-in defaults (SPEC §2). Borrowed, static. */
const struct chat_policy *chat_policy_default(void);
/* Category by id or NULL. */
const struct chat_category *chat_policy_category(const struct chat_policy *p, const char *id);
/* JSON for GET /api/v1/categories and /api/v1/norms (new references). */
json_t *chat_policy_categories_json(const struct chat_policy *p);
json_t *chat_policy_norms_json(const struct chat_policy *p);

#endif
