/* profile.c — masking of the structured customer fields shown in the profile panel (C-10). */
#include "chat/profile.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

void profile_mask_phone(char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (n < 8 || (i >= 3 && i < n - 4))
			s[i] = '*';
}

void profile_mask_name(char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n == 0)
		return;
	size_t first = 1;
	while (first < n && ((unsigned char)s[first] & 0xC0) == 0x80)
		first++;
	size_t rest = utf8_count(s + first, n - first);
	size_t out = first;
	for (size_t i = 0; i < rest && out + 1 < cap; i++)
		s[out++] = '*';
	s[out < cap ? out : cap - 1] = '\0';
}

static void mask_field(json_t *o, const char *key, int kind)
{
	const char *v = json_string_value(json_object_get(o, key));
	if (!v || !*v)
		return;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", v);
	if (kind == 0)
		profile_mask_phone(buf);
	else
		profile_mask_name(buf, sizeof buf);
	json_object_set_new(o, key, json_string(buf));
}

void profile_mask(json_t *profile)
{
	mask_field(profile, "phone", 0);
	mask_field(profile, "name", 1);
	json_object_set_new(profile, "masked", json_true());
}
