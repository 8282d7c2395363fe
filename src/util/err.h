/*
 * Error codes shared by every layer. One X-macro list generates the enum,
 * the wire code, the HTTP status and a default message, so the tables can
 * never drift apart (libuv's UV_ERRNO_MAP). Library code returns an sb_err;
 * sb_fail() also records which field was wrong and a message for the
 * caller that reports it (the HTTP or CLI layer), in thread-local storage,
 * the way errno works.
 */
#ifndef SB_ERR_H
#define SB_ERR_H

#define SB_ERRORS(XX)                                                                       \
    XX(OK, 200, "ok", "ok")                                                                 \
    XX(INVALID_JSON, 400, "invalid_json", "request body is not valid JSON")                 \
    XX(INVALID_QUERY, 400, "invalid_query", "invalid query parameter")                      \
    XX(INVALID_CSV, 400, "invalid_csv", "CSV rows are invalid")                             \
    XX(INVALID_PATH, 400, "invalid_path", "the request path holds a control character")     \
    XX(UNAUTHORIZED, 401, "unauthorized", "missing or invalid bearer token")                \
    XX(INVALID_CREDENTIALS, 401, "invalid_credentials", "wrong user name or password")      \
    XX(CONNECTION_RETIRED, 401, "connection_retired", "this connection was retired")        \
    XX(UNBALANCED, 422, "unbalanced", "the payments do not add up to the order's total")    \
    XX(FORBIDDEN, 403, "forbidden", "your role may not do this")                            \
    XX(OUTLET_FORBIDDEN, 403, "outlet_forbidden", "you have no access to this outlet")      \
    XX(CSRF, 403, "csrf", "missing or wrong X-CSRF-Token for this session")                 \
    XX(NOT_FOUND, 404, "not_found", "not found")                                            \
    XX(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "method not allowed")                 \
    XX(CONFLICT, 409, "conflict", "conflicts with the current state")                       \
    XX(DUPLICATE, 409, "duplicate", "already exists")                                       \
    XX(INVALID_TRANSITION, 409, "invalid_transition", "status change not allowed")          \
    XX(FULFILLMENT_CANCELLED, 409, "fulfillment_cancelled", "fulfillment cancelled")        \
    XX(SALE_VOIDED, 409, "sale_voided", "the sale is voided")                               \
    XX(EXCEEDS_STOCK, 409, "exceeds_stock", "more than the outlet has in stock")            \
    XX(CONNECTION_INCOMPLETE, 409, "connection_incomplete", "the connection is incomplete") \
    XX(NOT_EXPORTED, 409, "not_exported", "the sale was not exported by a webstore")        \
    XX(TOO_LARGE, 413, "payload_too_large", "request body too large")                       \
    XX(URI_TOO_LONG, 414, "uri_too_long", "the request URI is too long")                    \
    XX(UNSUPPORTED_MEDIA, 415, "unsupported_media_type", "unsupported content type")        \
    XX(MISSING_FIELD, 422, "missing_field", "a required field is missing")                  \
    XX(INVALID_FIELD, 422, "invalid_field", "a field has an invalid type or value")         \
    XX(UNKNOWN_REFERENCE, 422, "unknown_reference", "a referenced record does not exist")   \
    XX(INSUFFICIENT, 422, "insufficient", "not enough to do this")                          \
    XX(NO_CHANGE, 422, "no_change", "the request changes nothing")                          \
    XX(TOO_MANY, 429, "too_many_attempts", "too many attempts: wait and try again")         \
    XX(RATE_LIMITED, 429, "rate_limited", "too many requests: wait and try again")          \
    XX(HEADERS_TOO_LARGE, 431, "headers_too_large", "the request headers are too large")    \
    XX(NOMEM, 500, "out_of_memory", "out of memory")                                        \
    XX(STORAGE, 500, "storage_error", "storage error")                                      \
    XX(BUSY, 503, "busy", "storage is busy, retry")                                         \
    XX(TOO_MANY_STREAMS, 503, "too_many_streams", "too many event streams open")            \
    XX(INTERNAL, 500, "internal", "internal error")                                         \
    XX(IO, 500, "io_error", "input/output error")

typedef enum {
#define XX(name, status, code, msg) SB_E##name,
    SB_ERRORS(XX)
#undef XX
    SB_E__COUNT
} sb_err;

#define SB_OK SB_EOK

struct sb_errinfo {
    sb_err err;
    char field[64];
    char message[256];
};

/* Records details for err and returns err; field may be NULL. */
sb_err sb_fail(sb_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The details of the last sb_fail() on this thread (message defaults to the table's). */
const struct sb_errinfo *sb_err_last(void);
void sb_err_clear(void);

int sb_err_status(sb_err err);
const char *sb_err_code(sb_err err);
const char *sb_err_message(sb_err err);

#endif
