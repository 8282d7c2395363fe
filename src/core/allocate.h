/*
 * Outlet allocation of a web order (SPEC A1-A4), as a pure function: the
 * caller reads available stock (on hand less reserved, never below zero)
 * for the channel's outlets and gets back, per order line, which outlets
 * give how much, and what is backordered at the default outlet.
 *
 *   A1 a forced outlet (the shipping method or pickup point is tied to it)
 *      takes the whole order;
 *   A2 else the first outlet, in the channel's priority order, that can give
 *      every line in full;
 *   A3 else each line is split across outlets by available stock, in priority
 *      order;
 *   A4 what no outlet has is a backorder at the default outlet.
 * Lines that hold no stock (non-inventory, or items that do not track stock)
 * go with the first outlet the order uses.
 */
#ifndef SB_ALLOCATE_H
#define SB_ALLOCATE_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_ALLOC_MAX_OUTLETS 32

struct sb_alloc_line {
    int64_t item_id; /* 0: holds no stock */
    int64_t quantity;
};

/* One part of a line: quantity from an outlet, backorder part included. */
struct sb_alloc_part {
    size_t line;       /* index into the input lines */
    size_t outlet;     /* index into the outlets */
    int64_t quantity;  /* units this outlet fulfils, backorder included */
    int64_t backorder; /* of which not in stock (A4) */
};

struct sb_alloc_input {
    const struct sb_alloc_line *lines;
    size_t n_lines;
    const int64_t *outlets; /* outlet ids in priority order */
    size_t n_outlets;
    size_t default_outlet; /* index of the default outlet in outlets */
    bool forced;           /* A1 */
    size_t forced_outlet;  /* index, when forced */
    /* available(ud, item_id, outlet_id): units available now */
    int64_t (*available)(void *ud, int64_t item_id, int64_t outlet_id);
    void *ud;
};

struct sb_alloc_result {
    struct sb_alloc_part *parts; /* caller-provided, room for n_lines * (n_outlets + 1) */
    size_t n_parts;
    bool split;     /* more than one outlet (A3) */
    bool backorder; /* something is backordered (A4) */
};

sb_err sb_allocate(const struct sb_alloc_input *in, struct sb_alloc_result *ret);

#endif
