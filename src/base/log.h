/* log.h — structured one-line logs to stderr: `ts level module event key=value…`.
 * Rule (DESIGN §6): callers never pass message text, tokens or PII; log ids, counts and codes. */
#ifndef KEFU_BASE_LOG_H
#define KEFU_BASE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below level are dropped. Default LOG_INFO. Thread-safe. */
void log_set_level(enum log_level level);
/* Parses "debug|info|warn|error"; returns 0 or -KEFU_EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_write(LOG_DEBUG, (mod), __VA_ARGS__)
#define log_info(mod, ...) log_write(LOG_INFO, (mod), __VA_ARGS__)
#define log_warn(mod, ...) log_write(LOG_WARN, (mod), __VA_ARGS__)
#define log_error(mod, ...) log_write(LOG_ERROR, (mod), __VA_ARGS__)

#endif
