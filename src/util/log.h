/*
 * One line per event, key=value, to stderr:
 *   ts=2026-11-22T14:01:44Z level=info event=http.request method=GET ...
 * Values with spaces or quotes are quoted. Thread-safe (one write per line).
 */
#ifndef SB_LOG_H
#define SB_LOG_H

enum sb_log_level {
    SB_LOG_DEBUG,
    SB_LOG_INFO,
    SB_LOG_WARN,
    SB_LOG_ERROR
};

void sb_log_set_level(enum sb_log_level level);
/* Applies $STOCKBRIDGE_LOG_LEVEL (debug, info, warn, error) when set. */
void sb_log_level_from_env(void);
/* kv is a NULL-terminated list of key, value string pairs. */
void sb_log(enum sb_log_level level, const char *event, ...) __attribute__((sentinel));

#endif
