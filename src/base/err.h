/* err.h — kefu's one closed set of result codes and the optional error detail.
 * Functions that can fail return 0 or -KEFU_E…; detail (where, which field, why) goes to an
 * optional `struct kefu_err *` that may be NULL. This file never prints or exits. */
#ifndef KEFU_BASE_ERR_H
#define KEFU_BASE_ERR_H

enum kefu_code {
	KEFU_OK = 0,
	KEFU_EINVAL, /* bad input: syntax, type, range, unknown field */
	KEFU_ENOMEM, /* allocation sized by untrusted input failed */
	KEFU_EIO, /* file or socket error */
	KEFU_ENOTFOUND, /* the thing named does not exist */
	KEFU_EEXIST, /* already exists with different content */
	KEFU_EAUTH, /* no valid login */
	KEFU_EPERM, /* logged in but not allowed */
	KEFU_ELIMIT, /* a configured limit was passed (size, rate) */
	KEFU_ECONFLICT, /* state does not allow it (closed session, busy) */
	KEFU_ESTORE, /* the store failed (SQLite error) */
	KEFU_ECLOSED, /* shutting down or connection gone */
	KEFU_EINTERNAL, /* broken invariant caught at run time */
	KEFU_CODE_COUNT
};

struct kefu_err {
	int code; /* enum kefu_code, positive */
	const char *file; /* __FILE__ where the error started */
	int line; /* __LINE__ where the error started */
	char field[64]; /* field or location the error is about, "" if none */
	char msg[256]; /* human-readable reason, never holds message text or PII */
};

/* Short stable name of a code ("invalid", "not_found", …); used as the API error code. */
const char *kefu_strerror(int code);

/* Records code/field/message in err (if non-NULL) and returns -code. */
int kefu_err_set_(struct kefu_err *err, const char *file, int line, int code, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define KEFU_ERR(err, code, field, ...) kefu_err_set_((err), __FILE__, __LINE__, (code), (field), __VA_ARGS__)

/* Clears err to "no error". err may be NULL. */
void kefu_err_clear(struct kefu_err *err);

#endif
