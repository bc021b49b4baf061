/* mail.h — the inbound mail of the email / complaint-form channel (issue 6, N-06) as plain data:
 * a strict, bounded parser for one RFC 5322 message (unfolded headers, RFC 2047 encoded words in
 * the subject and display name, MIME multipart down to the first text/plain part, base64 and
 * quoted-printable, any charset iconv knows converted to UTF-8), and the same checks for the
 * JSON form {from, subject, body, message_id}. Never touches the store, never logs. */
#ifndef KEFU_TICKET_MAIL_H
#define KEFU_TICKET_MAIL_H

#include <stddef.h>

#include "base/err.h"

#define MAIL_RAW_MAX (256 * 1024) /* bytes of a raw message */
#define MAIL_BODY_MAX (32 * 1024) /* bytes of the decoded text */
#define MAIL_SUBJECT_MAX 998 /* bytes of the decoded subject */
#define MAIL_ADDR_MAX 254 /* bytes of an address (RFC 5321 path limit) */
#define MAIL_ID_MAX 250 /* bytes of a Message-ID without the angle brackets */
#define MAIL_REFS_MAX 32 /* Message-IDs kept from References (the newest) */

struct mail_msg {
	char from[MAIL_ADDR_MAX + 1]; /* addr-spec, lower case */
	char name[128]; /* display name (UTF-8, one line), may be "" */
	char *subject; /* UTF-8 on one line (control bytes as spaces), owned, may be "" */
	char *body; /* UTF-8 text, LF line ends, owned, may be "" (not both empty) */
	char message_id[MAIL_ID_MAX + 1]; /* without <> */
	char in_reply_to[MAIL_ID_MAX + 1]; /* "" when none */
	char refs[MAIL_REFS_MAX][MAIL_ID_MAX + 1]; /* the newest References, oldest first */
	int nrefs;
};

/* Parses one raw RFC 5322 message. Returns 0 and fills *out (clear with mail_msg_clear()), or
 * -KEFU_EINVAL / -KEFU_ELIMIT with err->field naming the header ("from", "message_id",
 * "subject", "body", "header") and the message saying what is wrong, out left empty. */
int mail_parse(const char *raw, size_t len, struct mail_msg *out, struct kefu_err *err);
/* The JSON form: the same checks on given fields (from may be "Name <addr>"; in_reply_to may be
 * NULL). Returns 0 or -KEFU_EINVAL / -KEFU_ELIMIT as mail_parse(). */
int mail_from_fields(const char *from, const char *subject, const char *body, const char *message_id,
		     const char *in_reply_to, struct mail_msg *out, struct kefu_err *err);
void mail_msg_clear(struct mail_msg *m);
/* The ticket id in a subject token "[#tk_0123456789abcdef]" into id (cap >= 20), or -KEFU_ENOTFOUND. */
int mail_subject_ticket(const char *subject, char *id, size_t cap);

#endif
