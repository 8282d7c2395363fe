/*
 * The demo store: everything a newcomer needs to try stockbridge, written
 * through the same store functions as the API uses.
 */
#ifndef SB_DEMO_DATA_H
#define SB_DEMO_DATA_H

#include "store/db.h"
#include "util/secret.h"

#define SB_DEMO_ITEMS 50

/* Creates the demo store in an empty database (SB_ECONFLICT when it already has outlets). */
sb_err sb_demo_seed(struct sb_db *db);
/* A fresh bearer token for the demo's admin user. */
sb_err sb_demo_admin_token(struct sb_db *db, char out[SB_TOKEN_LEN]);

#endif
