/* map.c — string-keyed open-addressing hash map (see map.h). */
#include "base/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static char tombstone_mark;
#define MAP_TOMBSTONE (&tombstone_mark)

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void map_init(struct map *m)
{
	memset(m, 0, sizeof *m);
}

void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != MAP_TOMBSTONE)
			free(m->slots[i].key);
	free(m->slots);
	map_init(m);
}

static struct map_slot *find(const struct map *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
		struct map_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != MAP_TOMBSTONE && strcmp(s->key, key) == 0)
			return s;
	}
}

static void grow(struct map *m)
{
	struct map_slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap = old_cap ? old_cap * 2 : 16;
	if (old_cap && m->len * 4 < old_cap)
		m->cap = old_cap; /* mostly tombstones: rehash at the same size */
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	m->used = m->len;
	size_t mask = m->cap - 1;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key || old[i].key == MAP_TOMBSTONE)
			continue;
		size_t j = hash_str(old[i].key) & mask;
		while (m->slots[j].key)
			j = (j + 1) & mask;
		m->slots[j] = old[i];
	}
	free(old);
}

void *map_get(const struct map *m, const char *key)
{
	struct map_slot *s = find(m, key);
	return s ? s->value : NULL;
}

void *map_put(struct map *m, const char *key, void *value)
{
	struct map_slot *s = find(m, key);
	if (s) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	if ((m->used + 1) * 4 >= m->cap * 3)
		grow(m);
	size_t mask = m->cap - 1;
	size_t i = hash_str(key) & mask;
	while (m->slots[i].key && m->slots[i].key != MAP_TOMBSTONE)
		i = (i + 1) & mask;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = xstrdup(key);
	m->slots[i].value = value;
	m->len++;
	return NULL;
}

void *map_del(struct map *m, const char *key)
{
	struct map_slot *s = find(m, key);
	if (!s)
		return NULL;
	void *v = s->value;
	free(s->key);
	s->key = MAP_TOMBSTONE;
	s->value = NULL;
	m->len--;
	return v;
}

int map_next(const struct map *m, size_t *iter, const char **key, void **value)
{
	for (size_t i = *iter; i < m->cap; i++) {
		if (m->slots[i].key && m->slots[i].key != MAP_TOMBSTONE) {
			if (key)
				*key = m->slots[i].key;
			if (value)
				*value = m->slots[i].value;
			*iter = i + 1;
			return 1;
		}
	}
	*iter = m->cap;
	return 0;
}
