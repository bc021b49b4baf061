/* datafile.c — reading and locating shipped data files (see datafile.h). */
#include "base/datafile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"

int datafile_read(const char *path, size_t max, const char *field, char **text, size_t *len,
		  struct kefu_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return KEFU_ERR(err, KEFU_EIO, field, "cannot open %.200s: %s", path, strerror(errno));
	char *buf = xmalloc(max + 1);
	size_t n = fread(buf, 1, max + 1, fp);
	fclose(fp);
	if (n > max) {
		free(buf);
		return KEFU_ERR(err, KEFU_EINVAL, field, "%.200s is larger than %zu KiB", path, max / 1024);
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int datafile_load_optional(const char *dir, const char *name, size_t max, const char *field,
			   datafile_parse_fn parse, void *ctx, struct kefu_err *err)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 1;
	fclose(fp);
	char *text = NULL;
	size_t len = 0;
	int rc = datafile_read(path, max, field, &text, &len, err);
	if (rc == 0)
		rc = parse(text, len, ctx, err);
	free(text);
	if (rc < 0 && err) {
		char msg[sizeof err->msg];
		snprintf(msg, sizeof msg, "%s", err->msg);
		snprintf(err->msg, sizeof err->msg, "%.100s: %.150s", path, msg);
	}
	return rc;
}

const char *datafile_path(const char *env, const char *rel, char *out, size_t cap)
{
	const char *over = env ? getenv(env) : NULL;
	struct stat st;
	if (over && *over) {
		snprintf(out, cap, "%s", over);
		return out;
	}
	if (stat(rel, &st) == 0) {
		snprintf(out, cap, "%s", rel);
		return out;
	}
	const char *src = getenv("KEFU_SOURCE_DIR");
#ifdef KEFU_SOURCE_DIR
	if (!src || !*src)
		src = KEFU_SOURCE_DIR;
#endif
	snprintf(out, cap, "%s/%s", src && *src ? src : ".", rel);
	return out;
}
