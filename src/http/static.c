/* static.c — serves GET/HEAD for paths no route matches from one directory (web/dist): refuses
 * traversal ("..", backslash, NUL, dot-files), maps a directory to its index.html, sets the
 * content type and Cache-Control, answers 404 JSON otherwise. Never follows a path outside dir
 * by name and never writes to disk. Files are read whole on the loop thread, so this is meant
 * for the small built web assets, bounded by HTTP_STATIC_MAX_FILE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http_internal.h"

#define HTTP_STATIC_MAX_FILE (32u * 1024 * 1024) /* larger files are refused with 404 */
#define HTTP_STATIC_MAX_PATH 1024 /* longest file path built, bytes */

const char *http__content_type(const char *name)
{
	static const struct {
		const char *ext; /* file extension with the dot */
		const char *type; /* Content-Type value */
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".map", "application/json"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* A path is safe when it is absolute and no segment is empty-dot, "..", or hidden. */
static bool path_safe(const char *p)
{
	if (p[0] != '/' || strchr(p, '\\'))
		return false;
	for (const char *s = p; *s; s++)
		if (*s == '/' && s[1] == '.')
			return false; /* "/.", "/..", "/.git" */
	return true;
}

static void not_found(struct http_req *req)
{
	http_reply_error(req, 404, kefu_strerror(KEFU_ENOTFOUND), "no such resource", NULL);
}

/* Reads a regular file into out. Returns 0, 1 for a directory, or -1. */
static int read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return 1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > HTTP_STATIC_MAX_FILE) {
		close(fd);
		return -1;
	}
	buf_reserve(out, (size_t)st.st_size);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, out->data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	out->len = got;
	out->data[got] = '\0';
	return got == (size_t)st.st_size ? 0 : -1;
}

void http__static_serve(const char *dir, struct http_req *req)
{
	const char *p = http_req_path(req);
	if (!path_safe(p)) {
		http_reply_error(req, 400, kefu_strerror(KEFU_EINVAL), "bad path", NULL);
		return;
	}
	char full[HTTP_STATIC_MAX_PATH];
	size_t plen = strlen(p);
	bool want_index = p[plen - 1] == '/';
	int n = snprintf(full, sizeof full, "%s%s%s", dir, p, want_index ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof full) {
		not_found(req);
		return;
	}
	struct buf body;
	buf_init(&body);
	int rc = read_file(full, &body);
	if (rc == 1) {
		n = snprintf(full, sizeof full, "%s%s/index.html", dir, p);
		if (n < 0 || (size_t)n >= sizeof full) {
			not_found(req);
			return;
		}
		rc = read_file(full, &body);
	}
	if (rc != 0) {
		buf_free(&body);
		not_found(req);
		return;
	}
	const char *type = http__content_type(full);
	/* HTML names stay stable across builds: revalidate; other assets may be cached a while. */
	const char *cache = strncmp(type, "text/html", 9) == 0 ? "Cache-Control: no-cache\r\n"
							       : "Cache-Control: public, max-age=3600\r\n";
	http_reply(req, 200, type, body.data ? body.data : "", body.len, cache);
	buf_free(&body);
}
