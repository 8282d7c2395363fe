/*
 * A process-wide doorbell for "a notification was committed on this node" (SPEC N1): the
 * store marks the thread that inserts a notification (sb_bell_mark), and the commit that
 * makes it visible rings the bell (sb_bell_commit, from sb_db_end), so the notification
 * streams of this process wake at once instead of at their next look at the database.
 * A ring carries no data: a woken stream reads the table itself, so a ring that comes
 * for nothing (a job's savepoint rolled back inside a committed batch) costs one query.
 * Other nodes' notifications are found by the streams' periodic look (http/notify-stream.c).
 */
#ifndef SB_UTIL_BELL_H
#define SB_UTIL_BELL_H

#include <stdbool.h>
#include <stdint.h>

/* This thread's transaction has written a notification. */
void sb_bell_mark(void);
/* This thread's outermost transaction ended: ring when it committed a marked write. */
void sb_bell_commit(bool committed);
/* Wakes every waiter. */
void sb_bell_ring(void);
/* The count of rings so far. */
uint64_t sb_bell_generation(void);
/* Waits until the count of rings differs from *seen or timeout_ms passes; sets *seen to the
 * count now and returns whether it moved. */
bool sb_bell_wait(uint64_t *seen, int timeout_ms);

#endif
