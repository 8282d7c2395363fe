/*
 * This node's leases (issue 15: several stateless nodes on one database).
 * Every process that runs the pipeline is a node with an id of its own
 * (host:pid:random). The background work is leased: one lease per channel
 * ("channel:<id>") covers every lane's work for that channel (events, polls,
 * reconciliations, outbox calls, stock and price pushes), so one node at a
 * time talks to a channel from the background and its adapter state (cost
 * budget, pacing) lives in one place; named leases cover the scheduled jobs
 * that are not a channel's (SB_LEASE_SALE_WINDOWS).
 *
 * A lease lasts STOCKBRIDGE_LEASE_SECONDS (default 30) and is renewed every
 * third of that by a thread of its own. The node counts a lease as its own
 * only until two thirds of the lease after it last took or renewed it (its
 * own monotonic clock), so it stops working a channel a third of a lease
 * before any other node may take it over; the nodes' clocks must agree to
 * well within that third (NTP). A lease it failed to renew, or found taken,
 * is dropped and its lanes leave the channel alone at their next step. A
 * node that stops gives its leases back; one that dies has its leases taken
 * over once they expire (at most a lease and a third later).
 */
#ifndef SB_SYNC_LEASES_H
#define SB_SYNC_LEASES_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_LEASE_NAME_LEN     48
#define SB_NODE_ID_LEN        128
#define SB_LEASE_SALE_WINDOWS "sale-windows" /* PR3: sales starting and ending by the clock */

struct sb_leases;

/* This node's id and its lease thread. STOCKBRIDGE_LEASE_SECONDS: 3 to 3600 (SB_EINVALID_FIELD
 * otherwise). */
sb_err sb_leases_start(struct sb_store *store, struct sb_leases **ret);
/* Stops renewing and gives every lease held back (another node takes the work over at
 * once). Accepts NULL. */
void sb_leases_stop(struct sb_leases *l);

const char *sb_leases_node(const struct sb_leases *l);
int64_t sb_leases_seconds(const struct sb_leases *l);

/* "channel:<id>". */
void sb_lease_channel_name(int64_t channel, char *buf, size_t cap);

/* Whether this node holds the lease now: from memory while it has time to spare, else
 * taken in the database now (not again for a third of a lease when another node holds
 * it). Called before starting work under the lease. */
bool sb_leases_hold(struct sb_leases *l, const char *name);
/* Whether this node still holds the lease, from memory only (cheap): checked before each
 * step of the work, each call to the channel. */
bool sb_leases_valid(struct sb_leases *l, const char *name);
/* Forgets the lease (found taken by another node): not valid from now on. */
void sb_leases_drop(struct sb_leases *l, const char *name);

/* The same for a channel's lease; with l NULL (no leases: a tool's own pipeline) always
 * true. */
bool sb_leases_hold_channel(struct sb_leases *l, int64_t channel);
bool sb_leases_valid_channel(struct sb_leases *l, int64_t channel);

/* A fence for writes done under a lease: held is called in the write's own transaction
 * (store/leases.h: sb_store_lease_held), so the write is kept only if no other node took
 * the lease over before it commits. */
struct sb_lease_fence {
    char name[SB_LEASE_NAME_LEN];
    const char *holder;       /* NULL: no fence (a tool working alone) */
    struct sb_leases *leases; /* told when the fence fails: the lease is dropped at once */
};
void sb_lease_fence_channel(struct sb_leases *l, int64_t channel, struct sb_lease_fence *ret);
/* Whether the fence still holds, read in db's current transaction (true without a fence);
 * a store error counts as not holding. A fence found not holding drops the lease from this
 * node's memory, so its runs stop at their next step (sb_leases_valid). */
bool sb_lease_fence_holds(struct sb_db *db, const struct sb_lease_fence *f);

#endif
