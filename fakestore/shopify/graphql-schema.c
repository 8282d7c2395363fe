/*
 * The Admin API versions the simulated shop serves, and their schemas.
 * Shopify supports four stable versions at a time; a request naming an
 * older one (2025-01, say) is answered as the oldest supported, one
 * naming a version past the newest (or "unstable") as the newest. Each
 * version's schema is Shopify's own introspection answer, fetched at build
 * time by scripts/fetch-shopify-schema into the build directory (meson.build
 * passes that directory as FS_SCHEMA_DIR; $STOCKBRIDGE_FAKESTORE_SCHEMAS
 * overrides it), loaded on the first request that needs it and kept for the
 * life of the process: schemas are read-only once loaded, so every shop and
 * thread shares them.
 */
#include "graphql.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FS_SCHEMA_DIR
#define FS_SCHEMA_DIR "."
#endif
#define SCHEMA_DIR_ENV "STOCKBRIDGE_FAKESTORE_SCHEMAS"

/* Oldest first; the one place the supported versions are listed. */
const char *const fs_gql_versions[FS_GQL_N_VERSIONS] = { "2026-01", "2026-04", "2026-07",
                                                         "2026-10" };

static pthread_mutex_t schema_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sb_gql_schema *schemas[FS_GQL_N_VERSIONS];

const char *fs_gql_version_served(const char *requested, size_t len)
{
    char v[16];
    if (!requested || len >= sizeof(v))
        return fs_gql_versions[FS_GQL_N_VERSIONS - 1];
    memcpy(v, requested, len);
    v[len] = '\0';
    if (strcmp(v, "unstable") == 0)
        return fs_gql_versions[FS_GQL_N_VERSIONS - 1];
    /* "YYYY-MM" compares as text */
    if (strcmp(v, fs_gql_versions[0]) < 0)
        return fs_gql_versions[0];
    const char *served = fs_gql_versions[0];
    for (size_t i = 0; i < FS_GQL_N_VERSIONS; i++)
        if (strcmp(fs_gql_versions[i], v) <= 0)
            served = fs_gql_versions[i];
    return served;
}

sb_err fs_gql_schema_for(const char *version, const struct sb_gql_schema **ret)
{
    size_t i = 0;
    while (i < FS_GQL_N_VERSIONS && strcmp(fs_gql_versions[i], version) != 0)
        i++;
    if (i == FS_GQL_N_VERSIONS)
        return sb_fail(SB_ENOT_FOUND, "version", "no such API version");
    pthread_mutex_lock(&schema_mu);
    sb_err err = SB_OK;
    if (!schemas[i]) {
        const char *dir = getenv(SCHEMA_DIR_ENV);
        char path[4096];
        snprintf(path, sizeof(path), "%s/admin_%s.json", dir && *dir ? dir : FS_SCHEMA_DIR,
                 version);
        err = sb_gql_schema_load_file(path, &schemas[i]);
    }
    *ret = schemas[i];
    pthread_mutex_unlock(&schema_mu);
    return err;
}

void fs_gql_schemas_free(void)
{
    pthread_mutex_lock(&schema_mu);
    for (size_t i = 0; i < FS_GQL_N_VERSIONS; i++) {
        sb_gql_schema_free(schemas[i]);
        schemas[i] = NULL;
    }
    pthread_mutex_unlock(&schema_mu);
}
