/*
 * A pool of database connections shared by the server's threads. Opening
 * the store applies migrations once; each request then borrows one
 * connection (its prepared-statement cache stays warm) and gives it back.
 */
#ifndef SB_STORE_H
#define SB_STORE_H

#include "store/db.h"

struct sb_store;

sb_err sb_store_open(const char *url, unsigned max_idle, struct sb_store **ret);
void sb_store_close(struct sb_store *s); /* accepts NULL */
sb_err sb_store_acquire(struct sb_store *s, struct sb_db **ret);
void sb_store_release(struct sb_store *s, struct sb_db *db); /* accepts NULL db */
int sb_store_schema_version(const struct sb_store *s);

#endif
