/* Unit tests for src/ticket/mail.c: the RFC 5322 / MIME reader of the email channel (N-06) —
 * folded headers, RFC 2047 subjects in UTF-8 and GBK, quoted-printable and base64 texts,
 * multipart down to the first text/plain part, the sender's address in its common forms,
 * Message-ID / In-Reply-To / References, the subject token, and refusal of malformed mail with
 * the field that is wrong and nothing left allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ticket/mail.h"

static void parse_ok(const char *raw, struct mail_msg *m)
{
	struct kefu_err err = {0};
	int r = mail_parse(raw, strlen(raw), m, &err);
	if (r < 0)
		print_error("%s: %s\n", err.field, err.msg);
	assert_int_equal(r, 0);
}

static void parse_bad(const char *raw, int code, const char *field)
{
	struct mail_msg m;
	struct kefu_err err = {0};
	assert_int_equal(mail_parse(raw, strlen(raw), &m, &err), code);
	assert_string_equal(err.field, field);
	assert_true(strlen(err.msg) > 5);
	assert_null(m.subject);
	assert_null(m.body);
}

static void plain_mail_with_folded_headers(void **state)
{
	struct mail_msg m;
	parse_ok("From: \"Wang Li\" <Wang.Li@Example.COM>\r\n"
		 "Subject: where is\r\n my refund\r\n"
		 "Message-ID: <abc.123@mail.example>\r\n"
		 "In-Reply-To: <prev@kefu.local>\r\n"
		 "References: <r1@x>\r\n\t<r2@x> <prev@kefu.local>\r\n"
		 "\r\n"
		 "Hello,\r\nthe refund is late.\r\n\r\n",
		 &m);
	assert_string_equal(m.from, "wang.li@example.com");
	assert_string_equal(m.name, "Wang Li");
	assert_string_equal(m.subject, "where is my refund");
	assert_string_equal(m.body, "Hello,\nthe refund is late.");
	assert_string_equal(m.message_id, "abc.123@mail.example");
	assert_string_equal(m.in_reply_to, "prev@kefu.local");
	assert_int_equal(m.nrefs, 3);
	assert_string_equal(m.refs[0], "r1@x");
	assert_string_equal(m.refs[2], "prev@kefu.local");
	mail_msg_clear(&m);
}

static void encoded_words_in_utf8_and_gbk(void **state)
{
	struct mail_msg m;
	/* "退款" in GBK is CD CB BF EE; "还没到账" in UTF-8 as Q */
	parse_ok("From: =?UTF-8?B?546L5Li9?= <li@x.example>\n"
		 "Subject: =?GBK?B?zcu/7g==?= =?UTF-8?Q?=E8=BF=98=E6=B2=A1=E5=88=B0=E8=B4=A6?=\n"
		 "Message-ID: <g1@x>\n\n"
		 "body\n",
		 &m);
	assert_string_equal(m.name, "王丽");
	assert_string_equal(m.subject, "退款还没到账"); /* the blank between two encoded words is dropped */
	mail_msg_clear(&m);
}

static void multipart_takes_the_first_text_part_and_decodes_it(void **state)
{
	struct mail_msg m;
	parse_ok("From: li@x.example\n"
		 "Message-ID: <mp@x>\n"
		 "Subject: mp\n"
		 "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
		 "preamble\n"
		 "--outer\n"
		 "Content-Type: multipart/alternative; boundary=inner\n\n"
		 "--inner\n"
		 "Content-Type: text/html; charset=utf-8\n\n"
		 "<p>html</p>\n"
		 "--inner\n"
		 "Content-Type: text/plain; charset=gb2312\n"
		 "Content-Transfer-Encoding: base64\n\n"
		 "zcu/7rW9wcvC8KO/\n"
		 "--inner--\n"
		 "--outer\n"
		 "Content-Type: image/png\n\n"
		 "xx\n"
		 "--outer--\n",
		 &m);
	assert_string_equal(m.body, "退款到了吗？");
	mail_msg_clear(&m);
	parse_ok("From: li@x.example\nMessage-ID: <qp@x>\nSubject: qp\n"
		 "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
		 "=E9=80=80=E6=AC=BE soft=\nbreak, a=3Db\n",
		 &m);
	assert_string_equal(m.body, "退款 softbreak, a=b");
	mail_msg_clear(&m);
}

static void subject_token_names_a_ticket(void **state)
{
	char id[24];
	assert_int_equal(mail_subject_ticket("Re: 退款 [#tk_0123456789abcdef]", id, sizeof id), 0);
	assert_string_equal(id, "tk_0123456789abcdef");
	assert_int_equal(mail_subject_ticket("[#tk_0123] [#tk_0123456789ABCDEF]", id, sizeof id),
			 -KEFU_ENOTFOUND);
	assert_int_equal(mail_subject_ticket("no token", id, sizeof id), -KEFU_ENOTFOUND);
}

static void json_fields_get_the_same_checks(void **state)
{
	struct mail_msg m;
	struct kefu_err err = {0};
	assert_int_equal(mail_from_fields("王丽 <li@x.example>", "s", "b\r\n", "<j1@x>", NULL, &m, &err), 0);
	assert_string_equal(m.from, "li@x.example");
	assert_string_equal(m.message_id, "j1@x");
	assert_string_equal(m.body, "b");
	mail_msg_clear(&m);
	assert_int_equal(mail_from_fields("not an address", "s", "b", "j2@x", NULL, &m, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "from");
	assert_int_equal(mail_from_fields("a@b.example", "s", "b", "has space", NULL, &m, &err),
			 -KEFU_EINVAL);
	assert_string_equal(err.field, "message_id");
	assert_int_equal(mail_from_fields("a@b.example", "", "", "j3@x", NULL, &m, &err), -KEFU_EINVAL);
	assert_string_equal(err.field, "body");
}

static void malformed_mail_is_refused_naming_the_field(void **state)
{
	parse_bad("Subject: no sender\nMessage-ID: <x@x>\n\nb\n", -KEFU_EINVAL, "from");
	parse_bad("From: a@b.example\nFrom: c@d.example\nMessage-ID: <x@x>\n\nb\n", -KEFU_EINVAL, "from");
	parse_bad("From: a@b.example\nSubject: s\n\nb\n", -KEFU_EINVAL, "message_id");
	parse_bad("From: a@b.example\nMessage-ID: <x@x\n\nb\n", -KEFU_EINVAL, "message_id");
	parse_bad(" folded first\nFrom: a@b.example\n\nb\n", -KEFU_EINVAL, "header");
	parse_bad("From a@b.example\n\nb\n", -KEFU_EINVAL, "header");
	parse_bad("From: a@b.example\nMessage-ID: <x@x>\nContent-Transfer-Encoding: base64\n\n!!!\n",
		  -KEFU_EINVAL, "body");
	parse_bad(
	    "From: a@b.example\nMessage-ID: <x@x>\nContent-Type: text/plain; charset=utf-8\n\n\xff\xfe\n",
	    -KEFU_EINVAL, "body");
	parse_bad("From: a@b.example\nMessage-ID: <x@x>\nContent-Type: multipart/mixed\n\nb\n", -KEFU_EINVAL,
		  "body");
	parse_bad("From: a@b.example\nMessage-ID: <x@x>\nContent-Type: text/plain; charset=x-no-such\n\nb\n",
		  -KEFU_EINVAL, "body");
	parse_bad("From: a@b.example\nMessage-ID: <x@x>\nSubject: \n\n\n", -KEFU_EINVAL, "body");
	size_t n = MAIL_BODY_MAX + 100;
	char *big = malloc(n + 100);
	int k = snprintf(big, 100, "From: a@b.example\nMessage-ID: <x@x>\n\n");
	memset(big + k, 'x', n);
	big[k + n] = '\0';
	parse_bad(big, -KEFU_ELIMIT, "body");
	free(big);
	struct mail_msg m;
	struct kefu_err err = {0};
	assert_int_equal(mail_parse("x", MAIL_RAW_MAX + 1, &m, &err), -KEFU_ELIMIT); /* size checked first */
	assert_string_equal(err.field, "message");
}

/* A text part whose decoding is far over the cap is -KEFU_ELIMIT (413), in a multipart part as
 * at the top level; it was reported as -KEFU_EINVAL with err->code ELIMIT inside a multipart. */
static void a_decoded_text_over_the_cap_is_a_limit_in_any_part(void **state)
{
	size_t n = 4 * MAIL_BODY_MAX + 3000; /* decoded bytes, a multiple of 3 */
	n -= n % 3;
	size_t b64 = n / 3 * 4;
	char *raw = malloc(b64 + 400);
	const char *head =
	    "From: a@b.example\nMessage-ID: <x@x>\nContent-Type: multipart/mixed; boundary=zz\n\n"
	    "--zz\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n";
	size_t k = strlen(head);
	memcpy(raw, head, k);
	for (size_t i = 0; i < b64; i += 4)
		memcpy(raw + k + i, "eHh4", 4); /* "xxx" */
	snprintf(raw + k + b64, 100, "\n--zz--\n");
	parse_bad(raw, -KEFU_ELIMIT, "body");
	free(raw);
}

/* A subject (or name) that decodes to CR/LF or other control bytes is kept on one line: the
 * agent's reply hands "Re: <subject>" to the relay as a header, so no decoded line break may
 * start another header field there (Bcc: injection). */
static void a_decoded_line_break_never_leaves_the_subject_line(void **state)
{
	struct mail_msg m;
	parse_ok("From: =?UTF-8?Q?Li=0D=0ABcc:_x?= <li@x.example>\n"
		 "Subject: =?UTF-8?Q?refund=0D=0ABcc:_victim@evil.example?= =?UTF-8?B?CXRhYg==?=\n"
		 "Message-ID: <inj@x>\n\nbody\n",
		 &m);
	assert_string_equal(m.subject, "refund Bcc: victim@evil.example tab"); /* CRLF is one line end */
	assert_string_equal(m.name, "Li  Bcc: x");
	assert_null(strpbrk(m.subject, "\r\n\t"));
	mail_msg_clear(&m);
	struct kefu_err err = {0};
	assert_int_equal(
	    mail_from_fields("a@b.example", "a\r\nBcc: c@d.example\x7f", "b", "inj2@x", NULL, &m, &err), 0);
	assert_string_equal(m.subject, "a Bcc: c@d.example ");
	assert_string_equal(m.body, "b");
	mail_msg_clear(&m);
	/* the body keeps its line breaks */
	parse_ok("From: a@b.example\nMessage-ID: <inj3@x>\n\nline 1\nline 2\n", &m);
	assert_string_equal(m.body, "line 1\nline 2");
	mail_msg_clear(&m);
}

/* A References header longer than MAIL_REFS_MAX ids keeps the newest ones (they thread the reply:
 * a long conversation's ticket mail is near the end), oldest first. */
static void a_long_references_header_keeps_the_newest_ids(void **state)
{
	char raw[4096];
	int k = snprintf(raw, sizeof raw, "From: a@b.example\nMessage-ID: <lr@x>\nSubject: s\nReferences:");
	for (int i = 1; i <= 40; i++)
		k += snprintf(raw + k, sizeof raw - (size_t)k, " <r%d@x>", i);
	snprintf(raw + k, sizeof raw - (size_t)k, "\n\nbody\n");
	struct mail_msg m;
	parse_ok(raw, &m);
	assert_int_equal(m.nrefs, MAIL_REFS_MAX);
	assert_string_equal(m.refs[0], "r9@x");
	assert_string_equal(m.refs[MAIL_REFS_MAX - 1], "r40@x");
	for (int i = 0; i < MAIL_REFS_MAX; i++) {
		char want[16];
		snprintf(want, sizeof want, "r%d@x", i + 9);
		assert_string_equal(m.refs[i], want);
	}
	mail_msg_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_mail_with_folded_headers),
	    cmocka_unit_test(encoded_words_in_utf8_and_gbk),
	    cmocka_unit_test(multipart_takes_the_first_text_part_and_decodes_it),
	    cmocka_unit_test(subject_token_names_a_ticket),
	    cmocka_unit_test(json_fields_get_the_same_checks),
	    cmocka_unit_test(malformed_mail_is_refused_naming_the_field),
	    cmocka_unit_test(a_decoded_text_over_the_cap_is_a_limit_in_any_part),
	    cmocka_unit_test(a_decoded_line_break_never_leaves_the_subject_line),
	    cmocka_unit_test(a_long_references_header_keeps_the_newest_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
