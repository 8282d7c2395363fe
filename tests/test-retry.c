/*
 * The one retry policy of the durable queues (SPEC I9, O10): the backoff every
 * queue shares, with each queue's own figures, and the one rule that parks an
 * entry (after so many failures, or at once on a permanent error).
 */
#include "core/retry.h"

#include <criterion/criterion.h>

Test(retry, i9_the_wait_doubles_from_the_base_up_to_the_cap)
{
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 1, 0), 2);
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 2, 0), 4);
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 3, 0), 8);
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 12, 0), 4096);
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 13, 0), 4096, "at most the cap");
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 0, 0), 2, "no failure counts as one");
    cr_expect_eq(sb_retry_delay(&sb_retry_events, INT64_MAX, 0), 4096, "no overflow");
    cr_expect_eq(sb_retry_delay(&sb_retry_outbox, 5, 0), 32);
    cr_expect_eq(sb_retry_delay(&sb_retry_stock, 11, 0), 2048);
    cr_expect_eq(sb_retry_delay(&sb_retry_stock, 12, 0), 2048, "the stock queue's cap");
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 1, 0), 30);
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 2, 0), 60);
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 8, 0), 3600, "30 s doubling to an hour");
}

Test(retry, i9_jitter_varies_the_wait_by_at_most_a_quarter)
{
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 3, 250), 150);
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 3, -250), 90);
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 3, 1000), 150, "clamped to the policy's");
    cr_expect_eq(sb_retry_delay(&sb_retry_poll, 3, -1000), 90);
    cr_expect_eq(sb_retry_delay(&sb_retry_events, 4, 125), 18);
    bool low = false, high = false;
    for (int i = 0; i < 10000; i++) {
        int64_t j = sb_retry_jitter(&sb_retry_outbox);
        cr_assert(j >= -250 && j <= 250, "jitter %lld", (long long)j);
        low |= j < -200;
        high |= j > 200;
    }
    cr_expect(low && high, "the jitter spreads over its whole range");
}

Test(retry, o10_i9_an_entry_is_parked_after_the_queues_failures_or_at_once_when_permanent)
{
    struct sb_retry_next r;
    sb_retry_after(&sb_retry_events, 0, SB_EINTERNAL, 0, &r);
    cr_expect_eq(r.attempts, 1);
    cr_expect(!r.parked);
    cr_expect_eq(r.delay, 2, "the first retry 2 s later");
    sb_retry_after(&sb_retry_events, 6, SB_EBUSY, 0, &r);
    cr_expect(!r.parked, "7 failures: tried again");
    cr_expect_eq(r.delay, 128);
    sb_retry_after(&sb_retry_events, 7, SB_EBUSY, 0, &r);
    cr_expect(r.parked, "events fail for good at the 8th failure");
    cr_expect_eq(r.attempts, 8);
    sb_retry_after(&sb_retry_events, 0, SB_EINVALID_JSON, 0, &r);
    cr_expect(r.parked, "a body that does not parse never will");
    sb_retry_after(&sb_retry_events, 0, SB_EUNKNOWN_REFERENCE, 0, &r);
    cr_expect(r.parked);

    sb_retry_after(&sb_retry_outbox, 8, SB_EINTERNAL, 0, &r);
    cr_expect(!r.parked, "9 failures: an outbox call is tried again");
    sb_retry_after(&sb_retry_outbox, 9, SB_EINTERNAL, 0, &r);
    cr_expect(r.parked, "parked at the 10th");
    sb_retry_after(&sb_retry_outbox, 0, SB_ENOT_FOUND, 0, &r);
    cr_expect(r.parked, "the channel has no such order");
    sb_retry_after(&sb_retry_outbox, 0, SB_EINVALID_JSON, 0, &r);
    cr_expect(!r.parked, "not permanent for the outbox: its payload is ours");

    sb_retry_after(&sb_retry_stock, 6, SB_OK, 0, &r);
    cr_expect(!r.parked);
    cr_expect_eq(r.delay, 128);
    sb_retry_after(&sb_retry_stock, 7, SB_OK, 0, &r);
    cr_expect(r.parked, "a stock change is parked at the 8th failure");
    cr_expect_eq(r.delay, 3600, "and tried again an hour later");
    sb_retry_after(&sb_retry_stock, 7, SB_OK, -250, &r);
    cr_expect_eq(r.delay, 2700, "give or take a quarter");

    sb_retry_after(&sb_retry_poll, 1000, SB_EINTERNAL, 0, &r);
    cr_expect(!r.parked, "a poll is never given up");
    cr_expect_eq(r.delay, 3600);
}
