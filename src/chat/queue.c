/* queue.c — the waiting queue per skill group and routing (N-21, N-22): VIP first, then oldest
 * first; a session goes to the online agent of its group with the most spare capacity (fewest
 * active chats, then longest since the last assignment). Never touches the store directly. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "chat/chat_internal.h"

struct group_queue *chat__queue_get(struct chat *c, const char *group)
{
	struct group_queue *q = map_get(&c->queues, group);
	if (!q) {
		q = xcalloc(1, sizeof *q);
		map_put(&c->queues, group, q);
	}
	return q;
}

static bool before(const struct chat_session *a, const struct chat_session *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return a->queued_ms < b->queued_ms;
}

void chat__queue_insert(struct chat *c, struct chat_session *s)
{
	struct group_queue *q = chat__queue_get(c, s->group);
	struct chat_session *at = q->tail;
	while (at && before(s, at)) /* walk back from the tail: new sessions usually go last */
		at = at->qprev;
	s->qprev = at;
	s->qnext = at ? at->qnext : q->head;
	if (s->qnext)
		s->qnext->qprev = s;
	else
		q->tail = s;
	if (at)
		at->qnext = s;
	else
		q->head = s;
	q->len++;
}

void chat__queue_remove(struct chat *c, struct chat_session *s)
{
	struct group_queue *q = map_get(&c->queues, s->group);
	if (!q)
		return;
	if (s->qprev)
		s->qprev->qnext = s->qnext;
	else if (q->head == s)
		q->head = s->qnext;
	else
		return; /* not queued */
	if (s->qnext)
		s->qnext->qprev = s->qprev;
	else
		q->tail = s->qprev;
	s->qprev = s->qnext = NULL;
	q->len--;
}

int chat__queue_position(struct chat *c, const struct chat_session *s)
{
	struct group_queue *q = map_get(&c->queues, s->group);
	int pos = 1;
	for (struct chat_session *it = q ? q->head : NULL; it; it = it->qnext, pos++)
		if (it == s)
			return pos;
	return 0;
}

bool chat__agent_has_skill(const struct chat_agent *a, const char *group)
{
	for (int i = 0; i < a->nskills; i++)
		if (strcmp(a->skills[i], group) == 0)
			return true;
	return false;
}

static struct chat_agent *pick_agent(struct chat *c, const char *group)
{
	struct chat_agent *best = NULL;
	void *v;
	for (size_t it = 0; map_next(&c->agents, &it, NULL, &v);) {
		struct chat_agent *a = v;
		if (strcmp(a->status, "online") != 0 || a->active >= a->max_chats ||
		    !chat__agent_has_skill(a, group))
			continue;
		if (!best || a->active < best->active ||
		    (a->active == best->active && a->last_assigned_ms < best->last_assigned_ms))
			best = a;
	}
	return best;
}

void chat__route_group(struct chat *c, const char *group)
{
	struct group_queue *q = map_get(&c->queues, group);
	while (q && q->head) {
		struct chat_agent *a = pick_agent(c, group);
		if (!a)
			return;
		chat__assign(c, q->head, a, "route", NULL);
	}
}

void chat__route_agent(struct chat *c, struct chat_agent *a)
{
	for (int i = 0; i < a->nskills; i++)
		chat__route_group(c, a->skills[i]);
}
