/*
 * Chunked bump allocator with a cleanup list.
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192

struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *ptr;
};

struct sb_arena {
    struct chunk *chunks;
    struct cleanup *cleanups;
};

struct sb_arena *sb_arena_new(void)
{
    return calloc(1, sizeof(struct sb_arena));
}

void sb_arena_free(struct sb_arena *a)
{
    if (!a)
        return;
    for (struct cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->ptr);
    struct chunk *ch = a->chunks;
    while (ch) {
        struct chunk *next = ch->next;
        free(ch);
        ch = next;
    }
    free(a);
}

void *sb_arena_alloc(struct sb_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct chunk *ch = a->chunks;
    if (!ch || ch->cap - ch->used < size) {
        size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        ch = malloc(sizeof(*ch) + cap);
        if (!ch)
            return NULL;
        ch->used = 0;
        ch->cap = cap;
        if (a->chunks && cap > CHUNK_SIZE) {
            /* keep the current chunk in front: it still has room */
            ch->next = a->chunks->next;
            a->chunks->next = ch;
        } else {
            ch->next = a->chunks;
            a->chunks = ch;
        }
    }
    void *p = ch->data + ch->used;
    ch->used += size;
    memset(p, 0, size);
    return p;
}

char *sb_arena_strndup(struct sb_arena *a, const char *s, size_t n)
{
    char *p = sb_arena_alloc(a, n + 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *sb_arena_strdup(struct sb_arena *a, const char *s)
{
    return s ? sb_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sb_arena_printf(struct sb_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = sb_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *sb_arena_defer(struct sb_arena *a, void (*fn)(void *), void *ptr)
{
    struct cleanup *c = sb_arena_alloc(a, sizeof(*c));
    if (!c) {
        fn(ptr);
        return NULL;
    }
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return ptr;
}
