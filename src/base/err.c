/* err.c — result-code names and error-detail recording (see err.h). */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[KEFU_CODE_COUNT] = {
    [KEFU_OK] = "ok",
    [KEFU_EINVAL] = "invalid",
    [KEFU_ENOMEM] = "no_memory",
    [KEFU_EIO] = "io",
    [KEFU_ENOTFOUND] = "not_found",
    [KEFU_EEXIST] = "exists",
    [KEFU_EAUTH] = "unauthenticated",
    [KEFU_EPERM] = "forbidden",
    [KEFU_ELIMIT] = "limit",
    [KEFU_ECONFLICT] = "conflict",
    [KEFU_ESTORE] = "store",
    [KEFU_ECLOSED] = "closed",
    [KEFU_EINTERNAL] = "internal",
};

const char *kefu_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code >= KEFU_CODE_COUNT)
		return "unknown";
	return code_names[code];
}

int kefu_err_set_(struct kefu_err *err, const char *file, int line, int code, const char *field,
		  const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (err) {
		err->code = code;
		err->file = file;
		err->line = line;
		snprintf(err->field, sizeof err->field, "%s", field ? field : "");
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -code;
}

void kefu_err_clear(struct kefu_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
}
