/* fuzz_mail.c — libFuzzer harness for src/ticket/mail.c: every inbound mail of the email channel
 * (POST /api/v1/channels/email, raw RFC 5322) is parsed here before anything is stored. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ticket/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_msg m;
	struct kefu_err err = {0};
	if (mail_parse((const char *)data, size, &m, &err) == 0) {
		char id[24];
		(void)mail_subject_ticket(m.subject, id, sizeof id);
		(void)strlen(m.body);
		mail_msg_clear(&m);
	}
	return 0;
}
