/* lexicon_admin.c — list, read and replace lexicon files with validation before anything is
 * written (see lexicon_admin.h). Never touches the store; callers record the change. */
#include "guard/lexicon_admin.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "guard/guard.h"

int lexicon_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 5 || n > 64 || name[0] == '.' || strcmp(name + n - 4, ".tsv") != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int read_file(const char *path, char **content, size_t *len, struct kefu_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return KEFU_ERR(err, errno == ENOENT ? KEFU_ENOTFOUND : KEFU_EIO, "file",
				"cannot read lexicon: %s", strerror(errno));
	struct buf b;
	buf_init(&b);
	char chunk[8192];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > LEXICON_MAX_BYTES) {
			rc = KEFU_ERR(err, KEFU_ELIMIT, "file", "lexicon file larger than %u bytes",
				      LEXICON_MAX_BYTES);
			break;
		}
		buf_append(&b, chunk, n);
	}
	fclose(f);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	*len = b.len;
	*content = buf_detach(&b);
	return 0;
}

static int write_file(const char *path, const char *content, size_t len, struct kefu_err *err)
{
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return KEFU_ERR(err, KEFU_EIO, "file", "cannot write lexicon: %s", strerror(errno));
	int ok = fwrite(content, 1, len, f) == len;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return KEFU_ERR(err, KEFU_EIO, "file", "cannot write lexicon: %s", strerror(errno));
	}
	return 0;
}

static const char *version_of(const char *content, size_t len, char *out, size_t cap)
{
	/* first line "#kefu-lexicon <type> <version>" */
	out[0] = '\0';
	const char *nl = memchr(content, '\n', len);
	size_t l = nl ? (size_t)(nl - content) : len;
	if (l > 14 && strncmp(content, "#kefu-lexicon ", 14) == 0) {
		const char *sp = memrchr(content, ' ', l);
		size_t vl = (size_t)(content + l - sp - 1);
		if (vl < cap) {
			memcpy(out, sp + 1, vl);
			out[vl] = '\0';
		}
	}
	return out;
}

int lexicon_list(const char *dir, json_t **out, struct kefu_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return KEFU_ERR(err, KEFU_EIO, "dir", "cannot open lexicon directory: %s", strerror(errno));
	json_t *arr = json_array();
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!lexicon_name_valid(e->d_name))
			continue;
		char path[1100], ver[64];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		char *content = NULL;
		size_t len = 0;
		if (read_file(path, &content, &len, NULL) < 0)
			continue;
		json_array_append_new(arr,
				      json_pack("{s:s,s:I,s:s}", "file", e->d_name, "bytes", (json_int_t)len,
						"version", version_of(content, len, ver, sizeof ver)));
		free(content);
	}
	closedir(d);
	/* by name, for a stable listing */
	size_t n = json_array_size(arr);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(arr, j - 1), *b = json_array_get(arr, j);
			if (strcmp(json_string_value(json_object_get(a, "file")),
				   json_string_value(json_object_get(b, "file"))) <= 0)
				break;
			json_incref(a);
			json_array_set(arr, j - 1, b);
			json_array_set_new(arr, j, a);
		}
	*out = arr;
	return 0;
}

int lexicon_read(const char *dir, const char *name, char **content, size_t *len, struct kefu_err *err)
{
	if (!lexicon_name_valid(name))
		return KEFU_ERR(err, KEFU_EINVAL, "file", "lexicon names are [a-z0-9_.-] ending in .tsv");
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return read_file(path, content, len, err);
}

/* Copies every *.tsv of dir except skip into tmpdir. */
static int copy_set(const char *dir, const char *tmpdir, const char *skip, struct kefu_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return KEFU_ERR(err, KEFU_EIO, "dir", "cannot open lexicon directory: %s", strerror(errno));
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!lexicon_name_valid(e->d_name) || strcmp(e->d_name, skip) == 0)
			continue;
		char src[1100], dst[1100];
		snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof dst, "%s/%s", tmpdir, e->d_name);
		char *content = NULL;
		size_t len = 0;
		rc = read_file(src, &content, &len, err);
		if (rc == 0)
			rc = write_file(dst, content, len, err);
		free(content);
	}
	closedir(d);
	return rc;
}

static void remove_set(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p[1100];
			snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
}

int lexicon_replace(const char *dir, const char *name, const char *content, size_t len, struct guard **out,
		    struct kefu_err *err)
{
	if (!lexicon_name_valid(name))
		return KEFU_ERR(err, KEFU_EINVAL, "file", "lexicon names are [a-z0-9_.-] ending in .tsv");
	if (len > LEXICON_MAX_BYTES)
		return KEFU_ERR(err, KEFU_ELIMIT, "content", "lexicon file larger than %u bytes",
				LEXICON_MAX_BYTES);
	size_t bad;
	if (!utf8_valid(content, len, &bad))
		return KEFU_ERR(err, KEFU_EINVAL, "content", "not valid UTF-8 at byte %zu", bad);
	char tmpdir[] = "/tmp/kefu-lexicon-XXXXXX";
	if (!mkdtemp(tmpdir))
		return KEFU_ERR(err, KEFU_EIO, "dir", "cannot create a scratch directory: %s",
				strerror(errno));
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	int rc = copy_set(dir, tmpdir, name, err);
	if (rc == 0)
		rc = write_file(path, content, len, err);
	struct guard *g = NULL;
	if (rc == 0) {
		struct kefu_err lerr = {0};
		rc = guard_load(tmpdir, &g, &lerr);
		if (rc < 0) {
			/* name the edited file, not the scratch copy: "<name>:<line>" */
			const char *where = lerr.field;
			size_t tl = strlen(tmpdir);
			if (strncmp(where, tmpdir, tl) == 0 && where[tl] == '/')
				where += tl + 1;
			KEFU_ERR(err, rc, where, "%s", lerr.msg);
		}
	}
	if (rc == 0) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
		rc = write_file(path, content, len, err);
		if (rc < 0) {
			guard_unref(g);
			g = NULL;
		}
	}
	remove_set(tmpdir);
	*out = g;
	return rc;
}
