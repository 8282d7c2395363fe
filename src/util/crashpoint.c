/*
 * STOCKBRIDGE_CRASH_AT=name:N: the Nth pass through crash point `name` raises SIGKILL.
 * Read once; passes are counted atomically, so a point inside threads still fires once.
 */
#include "util/crashpoint.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char point[64];
static long at;
static atomic_long passes;

static void load(void)
{
    const char *env = getenv("STOCKBRIDGE_CRASH_AT");
    const char *colon = env ? strrchr(env, ':') : NULL;
    if (!colon || (size_t)(colon - env) >= sizeof(point))
        return;
    char *end;
    long n = strtol(colon + 1, &end, 10);
    if (*end || n <= 0)
        return;
    memcpy(point, env, (size_t)(colon - env));
    point[colon - env] = '\0';
    at = n;
}

void sb_crashpoint(const char *name)
{
    pthread_once(&once, load);
    if (!at || strcmp(name, point) != 0)
        return;
    if (atomic_fetch_add(&passes, 1) + 1 == at) {
        fprintf(stderr, "crash point %s:%ld: SIGKILL\n", name, at);
        raise(SIGKILL);
    }
}
