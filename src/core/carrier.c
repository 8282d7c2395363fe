/*
 * Carrier tracking links (issue 16 item 3). Each carrier's public tracking
 * page takes the number in its URL; the table below holds the patterns,
 * and the names each carrier is known by, compared without case, spaces or
 * punctuation so that "Royal Mail", "royal-mail" and "ROYALMAIL" agree.
 */
#include "core/carrier.h"

#include <string.h>

struct carrier {
    const char *name;    /* canonical */
    const char *aliases; /* normalised names, separated by '|' */
    const char *prefix;  /* the tracking page up to the number */
    const char *suffix;  /* after it, may be "" */
};

static const struct carrier carriers[] = {
    { "UPS", "ups|unitedparcelservice", "https://www.ups.com/track?tracknum=", "" },
    { "USPS", "usps|unitedstatespostalservice|uspostalservice",
      "https://tools.usps.com/go/TrackConfirmAction?tLabels=", "" },
    { "FedEx", "fedex|federalexpress", "https://www.fedex.com/fedextrack/?trknbr=", "" },
    { "DHL", "dhl|dhlexpress",
      "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=",
      "" },
    { "Royal Mail", "royalmail", "https://www.royalmail.com/track-your-item#/tracking-results/",
      "" },
    { "Canada Post", "canadapost|postescanada",
      "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=", "" },
    { "Australia Post", "australiapost|auspost", "https://auspost.com.au/mypost/track/details/",
      "" },
    { "PostNL", "postnl", "https://postnl.nl/tracktrace/?B=", "" },
    { "DPD", "dpd", "https://tracking.dpd.de/status/en_US/parcel/", "" },
};

/* Lower-case letters and digits only; false when it does not fit. */
static bool normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in; in++) {
        char c = *in;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            continue;
        if (n + 1 >= cap)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

static const struct carrier *find(const char *name)
{
    char key[64];
    if (!name || !normalise(name, key, sizeof(key)))
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < sizeof(carriers) / sizeof(carriers[0]); i++) {
        const char *a = carriers[i].aliases;
        while (*a) {
            const char *end = strchr(a, '|');
            size_t len = end ? (size_t)(end - a) : strlen(a);
            if (len == klen && memcmp(a, key, len) == 0)
                return &carriers[i];
            a += len + (end ? 1 : 0);
        }
    }
    return NULL;
}

const char *sb_carrier_canonical(const char *carrier)
{
    const struct carrier *c = find(carrier);
    return c ? c->name : NULL;
}

static bool put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
    if (*n + len + 1 > cap)
        return false;
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
    return true;
}

bool sb_carrier_tracking_url(const char *carrier, const char *number, char *buf, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    if (cap)
        buf[0] = '\0';
    const struct carrier *c = find(carrier);
    if (!c || !number || strlen(number) > SB_CARRIER_NUMBER_MAX || cap == 0)
        return false;
    size_t n = 0, digits = 0;
    bool ok = put(buf, cap, &n, c->prefix, strlen(c->prefix));
    for (const unsigned char *p = (const unsigned char *)number; ok && *p; p++) {
        if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
            continue;
        digits++;
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-') {
            ok = put(buf, cap, &n, (const char *)p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            ok = put(buf, cap, &n, esc, 3);
        }
    }
    if (ok)
        ok = put(buf, cap, &n, c->suffix, strlen(c->suffix));
    if (!ok || digits == 0) {
        buf[0] = '\0';
        return false;
    }
    return true;
}
