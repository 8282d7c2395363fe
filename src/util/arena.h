/*
 * A per-request memory arena (nginx's pool, h2o's mem_pool): allocations
 * live until sb_arena_free(), and cleanups registered on the arena (for
 * json_decref and friends) run then, last registered first. Request code
 * never calls free().
 */
#ifndef SB_ARENA_H
#define SB_ARENA_H

#include <stddef.h>

struct sb_arena;

struct sb_arena *sb_arena_new(void);
void sb_arena_free(struct sb_arena *a); /* accepts NULL */
/* Zeroed memory; NULL only when out of memory. */
void *sb_arena_alloc(struct sb_arena *a, size_t size);
char *sb_arena_strdup(struct sb_arena *a, const char *s);
char *sb_arena_strndup(struct sb_arena *a, const char *s, size_t n);
char *sb_arena_printf(struct sb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Runs fn(ptr) when the arena is freed. Returns ptr (NULL if registration failed, after
 * running fn). */
void *sb_arena_defer(struct sb_arena *a, void (*fn)(void *), void *ptr);

#endif
