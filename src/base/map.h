/* map.h — string-keyed hash map (open addressing, linear probing) holding borrowed void*
 * values. The map copies keys; values are the caller's to own and free. Not thread-safe. */
#ifndef KEFU_BASE_MAP_H
#define KEFU_BASE_MAP_H

#include <stddef.h>

struct map_slot {
	char *key; /* owned copy; NULL = empty; MAP_TOMBSTONE = deleted */
	void *value; /* borrowed */
};

struct map {
	struct map_slot *slots; /* cap entries */
	size_t cap; /* power of two, 0 before first put */
	size_t len; /* live entries */
	size_t used; /* live + tombstones */
};

void map_init(struct map *m);
/* Frees the keys and the table, not the values. */
void map_free(struct map *m);
void *map_get(const struct map *m, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *map_put(struct map *m, const char *key, void *value);
/* Removes; returns the removed value or NULL. */
void *map_del(struct map *m, const char *key);

/* Iteration: for (size_t i = 0; map_next(m, &i, &k, &v);) … ; safe against map_del of the
 * current key, not against map_put. */
int map_next(const struct map *m, size_t *iter, const char **key, void **value);

#endif
