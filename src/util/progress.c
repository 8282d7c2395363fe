/*
 * Terminal progress bar.
 */
#include "util/progress.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <unistd.h>

void sb_progress_start(struct sb_progress *p, const char *label, uint64_t total)
{
    p->label = label;
    p->total = total ? total : 1;
    p->last_draw_ns = 0;
    p->tty = isatty(STDERR_FILENO);
}

static void draw(struct sb_progress *p, uint64_t done)
{
    enum {
        WIDTH = 40
    };
    if (done > p->total)
        done = p->total;
    unsigned filled = (unsigned)(done * WIDTH / p->total);
    char bar[WIDTH + 1];
    for (unsigned i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %3u%% %llu/%llu", p->label, bar, (unsigned)(done * 100 / p->total),
            (unsigned long long)done, (unsigned long long)p->total);
    fflush(stderr);
}

void sb_progress_update(struct sb_progress *p, uint64_t done)
{
    if (!p->tty)
        return;
    uint64_t now = sb_clock_ns();
    if (now - p->last_draw_ns < 100000000u && done < p->total)
        return;
    p->last_draw_ns = now;
    draw(p, done);
}

void sb_progress_finish(struct sb_progress *p)
{
    if (!p->tty)
        return;
    draw(p, p->total);
    fputc('\n', stderr);
}
