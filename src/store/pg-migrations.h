/* The PostgreSQL backend's schema, as numbered migrations (pg-migrations.c). */
#ifndef SB_PG_MIGRATIONS_H
#define SB_PG_MIGRATIONS_H

#include <stddef.h>

/* The migrations in order: element N-1 is migration N, one string of SQL statements. */
const char *const *sb_pg_migrations(size_t *ret_count);

#endif
