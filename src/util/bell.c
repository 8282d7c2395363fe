/*
 * The doorbell of util/bell.h: a generation count under a mutex, and a condition variable
 * on the monotonic clock, so a wait's timeout does not move with the wall clock.
 */
#include "util/bell.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static uint64_t generation;
static _Thread_local bool marked;

static void init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cond, &attr);
    pthread_condattr_destroy(&attr);
}

void sb_bell_mark(void)
{
    marked = true;
}

void sb_bell_commit(bool committed)
{
    if (!marked)
        return;
    marked = false;
    if (committed)
        sb_bell_ring();
}

void sb_bell_ring(void)
{
    pthread_once(&once, init);
    pthread_mutex_lock(&lock);
    generation++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

uint64_t sb_bell_generation(void)
{
    pthread_mutex_lock(&lock);
    uint64_t g = generation;
    pthread_mutex_unlock(&lock);
    return g;
}

bool sb_bell_wait(uint64_t *seen, int timeout_ms)
{
    pthread_once(&once, init);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (generation == *seen) {
        if (pthread_cond_timedwait(&cond, &lock, &until) != 0)
            break; /* ETIMEDOUT */
    }
    bool moved = generation != *seen;
    *seen = generation;
    pthread_mutex_unlock(&lock);
    return moved;
}
