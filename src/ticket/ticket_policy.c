/* ticket_policy.c — parses data/policy/tickets.json (see ticket.h): every deadline the flows name,
 * each with its basis and duration (N-06, N-13…N-20), the warning share and the remote regions of
 * N-18. Validated once at load; immutable after. Never reads the clock or the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/datafile.h"
#include "base/mem.h"
#include "ticket/ticket.h"

#define POLICY_MAX_FILE (1 << 20)
#define POLICY_MAX_REGIONS 256

/* Every deadline name the flows in ticket.c start (pause, resume and resolve walk them all); a
 * policy without one is refused. NULL-terminated. */
const char *const ticket_deadline_names[] = {
    "p1_group",
    "p2_solution",
    "p3_forward",
    "claim",
    "answer",
    "accept",
    "solve",
    "record",
    "progress",
    "complaint_revisit",
    "audit",
    "ship",
    "ship_remote",
    "aftersale_revisit",
    "escalate_senior",
    "escalate_tech",
    "escalate_supervisor",
    "archive",
    NULL,
};
#define N_DEADLINES (sizeof ticket_deadline_names / sizeof ticket_deadline_names[0] - 1)

struct ticket_policy {
	struct sla_spec spec[N_DEADLINES]; /* by index of ticket_deadline_names */
	double warn_share; /* 0 < x < 1 */
	char **regions; /* N-18 remote regions (owned strings) */
	size_t n_regions;
};

void ticket_policy_free(struct ticket_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_regions; i++)
		free(p->regions[i]);
	free(p->regions);
	free(p);
}

int ticket_policy_parse(const char *text, size_t len, struct ticket_policy **out, struct kefu_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return KEFU_ERR(err, KEFU_EINVAL, "json", "line %d column %d: %.120s", je.line, je.column,
				je.text);
	struct ticket_policy *p = xcalloc(1, sizeof *p);
	int r = 0;
	const char *key;
	json_t *v;
	if (!json_is_object(root)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "json", "the ticket policy must be a JSON object");
		goto fail;
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "note") && strcmp(key, "warn_share") && strcmp(key, "deadlines") &&
		    strcmp(key, "remote_regions")) {
			r = KEFU_ERR(err, KEFU_EINVAL, "json", "unknown key '%.40s'", key);
			goto fail;
		}
	}
	json_t *ws = json_object_get(root, "warn_share");
	p->warn_share = ws ? json_number_value(ws) : SLA_WARN_SHARE_DEFAULT;
	if (!(p->warn_share > 0 && p->warn_share < 1)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "warn_share", "must be a number between 0 and 1");
		goto fail;
	}
	json_t *dl = json_object_get(root, "deadlines");
	if (!json_is_object(dl)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "deadlines", "is required: an object of named deadlines");
		goto fail;
	}
	bool seen[N_DEADLINES] = {false};
	json_object_foreach(dl, key, v)
	{
		char field[80];
		snprintf(field, sizeof field, "deadlines.%.60s", key);
		size_t k = 0;
		while (k < N_DEADLINES && strcmp(ticket_deadline_names[k], key))
			k++;
		if (k == N_DEADLINES) {
			r = KEFU_ERR(err, KEFU_EINVAL, field, "is not a deadline kefu knows");
			goto fail;
		}
		const char *basis = json_string_value(json_object_get(v, "basis"));
		const char *dur = json_string_value(json_object_get(v, "duration"));
		if (!json_is_object(v) || !basis || !dur || json_object_size(v) > 3 ||
		    (json_object_size(v) == 3 && !json_is_string(json_object_get(v, "rule")))) {
			r = KEFU_ERR(err, KEFU_EINVAL, field, "must be {\"basis\",\"duration\"[,\"rule\"]}");
			goto fail;
		}
		struct sla_spec *sp = &p->spec[k];
		if (strcmp(basis, "wall") == 0)
			sp->basis = SLA_WALL;
		else if (strcmp(basis, "business") == 0)
			sp->basis = SLA_BUSINESS;
		else {
			r = KEFU_ERR(err, KEFU_EINVAL, field, "basis must be wall or business, not '%.20s'",
				     basis);
			goto fail;
		}
		struct kefu_err derr = {0};
		if (calendar_duration_parse(dur, &sp->dur, &derr) < 0) {
			r = KEFU_ERR(err, KEFU_EINVAL, field, "%s", derr.msg);
			goto fail;
		}
		if (sp->basis == SLA_WALL && sp->dur.unit == CAL_BDAYS) {
			r = KEFU_ERR(err, KEFU_EINVAL, field, "business days need basis business");
			goto fail;
		}
		sp->warn_share = p->warn_share;
		seen[k] = true;
	}
	for (size_t k = 0; k < N_DEADLINES; k++)
		if (!seen[k]) {
			r = KEFU_ERR(err, KEFU_EINVAL, "deadlines", "deadline '%s' is missing",
				     ticket_deadline_names[k]);
			goto fail;
		}
	json_t *regions = json_object_get(root, "remote_regions");
	if (regions && (!json_is_array(regions) || json_array_size(regions) > POLICY_MAX_REGIONS)) {
		r = KEFU_ERR(err, KEFU_EINVAL, "remote_regions", "must be an array of at most %d names",
			     POLICY_MAX_REGIONS);
		goto fail;
	}
	p->regions = xcalloc(json_array_size(regions) + 1, sizeof *p->regions);
	size_t i;
	json_array_foreach(regions, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64) {
			r = KEFU_ERR(err, KEFU_EINVAL, "remote_regions", "entry %zu is not a region name", i);
			goto fail;
		}
		p->regions[p->n_regions++] = xstrdup(json_string_value(v));
	}
	json_decref(root);
	*out = p;
	return 0;
fail:
	json_decref(root);
	ticket_policy_free(p);
	return r;
}

int ticket_policy_load_file(const char *path, struct ticket_policy **out, struct kefu_err *err)
{
	char *text = NULL;
	size_t n = 0;
	int r = datafile_read(path, POLICY_MAX_FILE, "policy", &text, &n, err);
	if (r == 0)
		r = ticket_policy_parse(text, n, out, err);
	free(text);
	return r;
}

const char *ticket_policy_default_path(char *out, size_t cap)
{
	return datafile_path("KEFU_TICKET_POLICY", TICKET_POLICY_FILE, out, cap);
}

const struct sla_spec *ticket_policy_deadline(const struct ticket_policy *p, const char *name)
{
	for (size_t k = 0; k < N_DEADLINES; k++)
		if (strcmp(ticket_deadline_names[k], name) == 0)
			return &p->spec[k];
	return NULL;
}

bool ticket_policy_remote(const struct ticket_policy *p, const char *region)
{
	if (!region)
		return false;
	for (size_t i = 0; i < p->n_regions; i++)
		if (strncmp(region, p->regions[i], strlen(p->regions[i])) == 0)
			return true;
	return false;
}

double ticket_policy_warn_share(const struct ticket_policy *p)
{
	return p->warn_share;
}
