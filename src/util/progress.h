/*
 * A progress bar on stderr, drawn only when stderr is a terminal (a log
 * file or CI gets nothing). Redraws at most ten times a second.
 */
#ifndef SB_PROGRESS_H
#define SB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct sb_progress {
    const char *label;
    uint64_t total;
    uint64_t last_draw_ns;
    bool tty;
};

void sb_progress_start(struct sb_progress *p, const char *label, uint64_t total);
void sb_progress_update(struct sb_progress *p, uint64_t done);
void sb_progress_finish(struct sb_progress *p);

#endif
