/* profile.h — the customer profile panel (N-23) as an agent may see it: structured fields are
 * masked for roles without pii.reveal (C-10). Free-text PII detection is the guard's job. */
#ifndef KEFU_CHAT_PROFILE_H
#define KEFU_CHAT_PROFILE_H

#include <jansson.h>
#include <stddef.h>

/* Masks a phone number in place: keeps the first 3 and last 4 digits ("138****5678"); shorter
 * values become all '*'. */
void profile_mask_phone(char *s);
/* Masks a name: keeps the first character (UTF-8 aware), the rest become "*" per character. */
void profile_mask_name(char *s, size_t cap);
/* Masks the "name", "phone" and "region" fields of a profile object in place. */
void profile_mask(json_t *profile);

#endif
