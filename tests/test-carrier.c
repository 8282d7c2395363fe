/*
 * Unit tests of the carrier tracking links (issue 16 item 3): each carrier's
 * public tracking page, names written any way, unknown carriers and bad
 * numbers given no link, and a number that cannot break out of its URL.
 */
#include "core/carrier.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *url(const char *carrier, const char *number)
{
    static char buf[SB_CARRIER_URL_MAX];
    return sb_carrier_tracking_url(carrier, number, buf, sizeof(buf)) ? buf : NULL;
}

Test(carrier, item3_each_carrier_has_its_public_tracking_page)
{
    cr_expect_str_eq(url("UPS", "1Z999AA10123456784"),
                     "https://www.ups.com/track?tracknum=1Z999AA10123456784");
    cr_expect_str_eq(url("USPS", "9400100000000000000000"),
                     "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000");
    cr_expect_str_eq(url("FedEx", "123456789012"),
                     "https://www.fedex.com/fedextrack/?trknbr=123456789012");
    cr_expect_str_eq(url("DHL", "1234567890"),
                     "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
                     "?submit=1&tracking-id=1234567890");
    cr_expect_str_eq(url("Royal Mail", "AB123456789GB"),
                     "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB");
    cr_expect_str_eq(url("Canada Post", "1234567890123456"),
                     "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
                     "?searchFor=1234567890123456");
    cr_expect_str_eq(url("Australia Post", "33ABC1234567"),
                     "https://auspost.com.au/mypost/track/details/33ABC1234567");
    cr_expect_str_eq(url("PostNL", "3SABCD1234567"),
                     "https://postnl.nl/tracktrace/?B=3SABCD1234567");
    cr_expect_str_eq(url("DPD", "01234567890123"),
                     "https://tracking.dpd.de/status/en_US/parcel/01234567890123");
}

Test(carrier, item3_names_are_matched_without_case_or_punctuation)
{
    cr_expect_str_eq(url("ups", "1Z1"), "https://www.ups.com/track?tracknum=1Z1");
    cr_expect_str_eq(url("royal-mail", "X1"),
                     "https://www.royalmail.com/track-your-item#/tracking-results/X1");
    cr_expect_str_eq(url(" ROYALMAIL ", "X1"),
                     "https://www.royalmail.com/track-your-item#/tracking-results/X1");
    cr_expect_str_eq(url("Federal Express", "9"), "https://www.fedex.com/fedextrack/?trknbr=9");
    cr_expect_str_eq(url("AusPost", "9"), "https://auspost.com.au/mypost/track/details/9");
    cr_expect_str_eq(url("Postes Canada", "9"),
                     "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
                     "?searchFor=9");
    cr_expect_str_eq(sb_carrier_canonical("royal mail"), "Royal Mail");
    cr_expect_str_eq(sb_carrier_canonical("U.S.P.S."), "USPS");
    cr_expect_null(sb_carrier_canonical("Pigeon Post"));
    cr_expect_null(sb_carrier_canonical(""));
    cr_expect_null(sb_carrier_canonical(NULL));
}

Test(carrier, item3_unknown_carrier_or_no_number_gives_no_link)
{
    char buf[SB_CARRIER_URL_MAX] = "x";
    cr_expect_not(sb_carrier_tracking_url("Pigeon Post", "123", buf, sizeof(buf)));
    cr_expect_str_eq(buf, "");
    cr_expect_null(url(NULL, "123"));
    cr_expect_null(url("", "123"));
    cr_expect_null(url("UPS", NULL));
    cr_expect_null(url("UPS", ""));
    cr_expect_null(url("UPS", "   "));
    /* a number longer than a shipment keeps is no number */
    char long_number[SB_CARRIER_NUMBER_MAX + 2];
    memset(long_number, '9', sizeof(long_number) - 1);
    long_number[sizeof(long_number) - 1] = '\0';
    cr_expect_null(url("UPS", long_number));
    long_number[SB_CARRIER_NUMBER_MAX] = '\0';
    cr_expect_not_null(url("UPS", long_number));
    /* a buffer too small: no half link */
    char small[20] = "x";
    cr_expect_not(sb_carrier_tracking_url("UPS", "1Z999", small, sizeof(small)));
    cr_expect_str_eq(small, "");
}

Test(carrier, item3_number_is_escaped_and_spaces_dropped)
{
    cr_expect_str_eq(url("UPS", "1Z 999 AA1"), "https://www.ups.com/track?tracknum=1Z999AA1");
    cr_expect_str_eq(url("UPS", "A-1"), "https://www.ups.com/track?tracknum=A-1");
    /* no way out of the query: &, #, quotes and slashes are escaped */
    cr_expect_str_eq(url("UPS", "1&x=\"/#<"),
                     "https://www.ups.com/track?tracknum=1%26x%3D%22%2F%23%3C");
    cr_expect_str_eq(url("UPS", "\xc3\xa9"), "https://www.ups.com/track?tracknum=%C3%A9");
}
