/*
 * util/smtp.h over libcurl's SMTP: the envelope (MAIL FROM, RCPT TO) from the arguments,
 * the message uploaded from memory; bounded connect and total times so a mail server that
 * hangs holds the outbox's run up for a minute at most.
 */
#include "util/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
    struct upload *u = ud;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

sb_err sb_smtp_send(const char *url, const char *from, const char *const *to, size_t n_to,
                    const char *message, size_t len)
{
    CURL *c = curl_easy_init();
    if (!c)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    char envelope[300];
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < n_to; i++) {
        snprintf(envelope, sizeof(envelope), "<%s>", to[i]);
        struct curl_slist *r = curl_slist_append(rcpt, envelope);
        if (!r) {
            curl_slist_free_all(rcpt);
            curl_easy_cleanup(c);
            return sb_fail(SB_ENOMEM, NULL, NULL);
        }
        rcpt = r;
    }
    snprintf(envelope, sizeof(envelope), "<%s>", from);
    struct upload u = { message, len };
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return SB_OK;
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (code >= 500 && code < 600)
        return sb_fail(SB_EINVALID_FIELD, "smtp", "the mail server refused the message (%ld): %s",
                       code, why);
    return sb_fail(SB_EIO, "smtp", "the mail server could not take the message now (%ld): %s", code,
                   why);
}
