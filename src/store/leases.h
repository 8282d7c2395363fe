/*
 * Leases (portable SQL over `leases`): how several stockbridge nodes on one
 * database share the background work. A lease is a name ("channel:7", a
 * scheduled job's name), the node that holds it and when it expires. A node
 * takes a lease that is free or expired and renews its own with the same
 * statement; whatever a lease covers is done by its holder alone. Times are
 * ISO 8601 UTC text from the caller's clock (the nodes' clocks must agree to
 * well within a third of a lease: sync/leases.h).
 */
#ifndef SB_STORE_LEASES_H
#define SB_STORE_LEASES_H

#include "store/db.h"

#include <stdbool.h>
#include <stddef.h>

/* Takes the lease `name` for `holder` until `expires_at` when nobody holds it, its holder's
 * time ran out before `now`, or holder already holds it (then it is renewed). *ret_held:
 * whether holder holds it now. One statement (an upsert), so two nodes taking the same
 * lease at once cannot both win. */
sb_err sb_store_lease_take(struct sb_db *db, const char *name, const char *holder, const char *now,
                           const char *expires_at, bool *ret_held);

/* Gives the lease up, if holder holds it (a node that stops hands its work over at once). */
sb_err sb_store_lease_release(struct sb_db *db, const char *name, const char *holder);

/* Whether holder is the lease's holder in the database, whatever its expiry: the fence a
 * write done under a lease runs in its own transaction (nobody took the lease over before
 * this commit, so nobody else did the lease's work meanwhile). */
sb_err sb_store_lease_held(struct sb_db *db, const char *name, const char *holder, bool *ret_held);

/* The lease's holder and expiry (each written into its buffer, "" when nobody ever held
 * it); for the status API and tests. */
sb_err sb_store_lease_get(struct sb_db *db, const char *name, char *ret_holder, size_t holder_cap,
                          char *ret_expires_at, size_t expires_cap);

#endif
