/*
 * Secrets at rest (util/secretbox.c): the key file's path, creation (0600,
 * 32 bytes, reused), the refusals (wrong size, too-open mode, not a file),
 * seal/open round trips, tamper and wrong-key detection, and concurrent use.
 * Each Criterion test runs in its own process, so the loaded key never
 * leaks from one test into another.
 */
#include "util/secretbox.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    unsetenv("STOCKBRIDGE_KEY_FILE");
    snprintf(dir, sizeof(dir), "/tmp/sbbox-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm(const char *name)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    unlink(p);
}

static void teardown(void)
{
    rm("a.db.key");
    rm("b.db.key");
    rm("env.key");
    rm("bad.key");
    rm("stockbridge.key");
    rmdir(dir);
}

TestSuite(secretbox, .init = setup, .fini = teardown);

static void url_for(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "sqlite:%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    cr_assert_eq(fchmod(fd, mode), 0);
    close(fd);
}

static char *seal(const char *plain)
{
    char *text = NULL;
    cr_assert_eq(sb_secret_seal(plain, &text), SB_OK, "%s", sb_err_last()->message);
    return text;
}

Test(secretbox, key_path_follows_env_then_database_then_default)
{
    char p[256];
    cr_assert_eq(sb_secretbox_key_path("sqlite:/var/lib/sb/shop.db", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "/var/lib/sb/shop.db.key");
    cr_assert_eq(sb_secretbox_key_path("sqlite:shop.db", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "shop.db.key");
    cr_assert_eq(sb_secretbox_key_path("postgres://db/shop", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "stockbridge.key");
    cr_assert_eq(sb_secretbox_key_path("sqlite::memory:", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "stockbridge.key");
    cr_assert_eq(sb_secretbox_key_path(NULL, p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "stockbridge.key");
    setenv("STOCKBRIDGE_KEY_FILE", "/etc/sb/keyfile", 1);
    cr_assert_eq(sb_secretbox_key_path("sqlite:/var/lib/sb/shop.db", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "/etc/sb/keyfile");
    setenv("STOCKBRIDGE_KEY_FILE", "", 1); /* empty counts as unset */
    cr_assert_eq(sb_secretbox_key_path("sqlite:/x.db", p, sizeof(p)), SB_OK);
    cr_expect_str_eq(p, "/x.db.key");
    char tiny[8];
    cr_expect_eq(sb_secretbox_key_path("sqlite:/var/lib/sb/shop.db", tiny, sizeof(tiny)), SB_EIO);
}

Test(secretbox, key_file_created_0600_and_reused)
{
    char url[128], path[160];
    url_for(url, sizeof(url), "a.db");
    snprintf(path, sizeof(path), "%s/a.db.key", dir);
    umask(0); /* the file must be 0600 whatever the umask */
    cr_assert_eq(sb_secretbox_init(url), SB_OK, "%s", sb_err_last()->message);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0600);
    cr_expect_eq(st.st_size, 32);
    unsigned char first[32], again[32];
    FILE *f = fopen(path, "rb");
    cr_assert_eq(fread(first, 1, 32, f), 32);
    fclose(f);

    char *text = seal("shpat_0123456789abcdef");
    /* a second start reads the same key: what was sealed still opens */
    cr_assert_eq(sb_secretbox_init(url), SB_OK);
    f = fopen(path, "rb");
    cr_assert_eq(fread(again, 1, 32, f), 32);
    fclose(f);
    cr_expect_eq(memcmp(first, again, 32), 0);
    char *plain = NULL;
    cr_assert_eq(sb_secret_open(text, &plain), SB_OK);
    cr_expect_str_eq(plain, "shpat_0123456789abcdef");
    free(plain);
    free(text);

    /* no temporary file is left beside it */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(secretbox, env_overrides_the_database_path)
{
    char url[128], path[160];
    url_for(url, sizeof(url), "a.db");
    snprintf(path, sizeof(path), "%s/env.key", dir);
    setenv("STOCKBRIDGE_KEY_FILE", path, 1);
    cr_assert_eq(sb_secretbox_init(url), SB_OK);
    struct stat st;
    cr_expect_eq(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/a.db.key", dir);
    cr_expect_neq(stat(path, &st), 0);
}

Test(secretbox, round_trip)
{
    char url[128];
    url_for(url, sizeof(url), "a.db");
    cr_assert_eq(sb_secretbox_init(url), SB_OK);
    const char *cases[] = { "", "x", "{\"access_token\":\"shpat_abc\",\"webhook_secret\":\"s3\"}",
                            "ünïcödé ✓" };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = seal(cases[i]);
        cr_expect_null(strstr(text, "shpat"), "sealed text shows the secret");
        char *plain = NULL;
        cr_assert_eq(sb_secret_open(text, &plain), SB_OK, "case %zu: %s", i,
                     sb_err_last()->message);
        cr_expect_str_eq(plain, cases[i]);
        free(plain);
        free(text);
    }
    /* a fresh nonce each time: the same secret never seals to the same text */
    char *a = seal("same"), *b = seal("same");
    cr_expect_str_neq(a, b);
    free(a);
    free(b);
    /* a long secret */
    char *big = malloc(100001);
    memset(big, 'k', 100000);
    big[100000] = '\0';
    char *text = seal(big), *plain = NULL;
    cr_assert_eq(sb_secret_open(text, &plain), SB_OK);
    cr_expect_str_eq(plain, big);
    free(plain);
    free(text);
    free(big);
}

static void expect_refused(const char *text)
{
    char *plain = (char *)"untouched";
    cr_expect_eq(sb_secret_open(text, &plain), SB_EINTERNAL, "opened %s", text);
    cr_expect_str_eq(plain, "untouched");
    cr_expect_not_null(strstr(sb_err_last()->message, "cannot be opened"));
}

Test(secretbox, tampering_is_detected)
{
    char url[128];
    url_for(url, sizeof(url), "a.db");
    cr_assert_eq(sb_secretbox_init(url), SB_OK);
    char *text = seal("{\"access_token\":\"shpat_abc\"}");
    size_t len = strlen(text);
    /* flip one character at several places: nonce, MAC, ciphertext */
    size_t spots[] = { 0, 10, 33, 45, len - 6 };
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        char *t = strdup(text);
        t[spots[i]] = t[spots[i]] == 'A' ? 'B' : 'A';
        expect_refused(t);
        free(t);
    }
    char *t = strdup(text);
    t[len - 8] = '\0'; /* truncated */
    expect_refused(t);
    free(t);
    expect_refused("");
    expect_refused("not base64 at all!");
    expect_refused("AAAA"); /* decodes, but shorter than nonce + MAC */
    /* valid base64 of the right length, never sealed */
    expect_refused("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    free(text);
}

Test(secretbox, wrong_key_is_detected)
{
    char a[128], b[128];
    url_for(a, sizeof(a), "a.db");
    url_for(b, sizeof(b), "b.db");
    cr_assert_eq(sb_secretbox_init(a), SB_OK);
    char *text = seal("webhook-secret");
    cr_assert_eq(sb_secretbox_init(b), SB_OK); /* another database, another key */
    expect_refused(text);
    cr_assert_eq(sb_secretbox_init(a), SB_OK);
    char *plain = NULL;
    cr_assert_eq(sb_secret_open(text, &plain), SB_OK);
    cr_expect_str_eq(plain, "webhook-secret");
    free(plain);
    free(text);
}

Test(secretbox, nothing_works_before_init)
{
    char *out = NULL;
    cr_expect_eq(sb_secret_seal("x", &out), SB_EINTERNAL);
    cr_expect_null(out);
    cr_expect_eq(sb_secret_open("AAAA", &out), SB_EINTERNAL);
    cr_expect_null(out);
    cr_expect_not_null(strstr(sb_err_last()->message, "not loaded"));
}

static void expect_init_refused(const char *url, const char *why)
{
    cr_expect_eq(sb_secretbox_init(url), SB_EIO);
    cr_expect_not_null(strstr(sb_err_last()->message, why), "message: %s", sb_err_last()->message);
    cr_expect_str_eq(sb_err_last()->field, "key_file");
}

Test(secretbox, wrong_size_key_file_refused)
{
    char url[128], path[160];
    snprintf(path, sizeof(path), "%s/bad.key", dir);
    setenv("STOCKBRIDGE_KEY_FILE", path, 1);
    url_for(url, sizeof(url), "a.db");
    unsigned char k[40] = { 1 };
    write_file("bad.key", k, 31, 0600);
    expect_init_refused(url, "holds 31 bytes");
    write_file("bad.key", k, 33, 0600);
    expect_init_refused(url, "holds 33 bytes");
    write_file("bad.key", k, 0, 0600);
    expect_init_refused(url, "holds 0 bytes");
    /* a failed init loads nothing */
    char *out = NULL;
    cr_expect_eq(sb_secret_seal("x", &out), SB_EINTERNAL);
    /* the file is left alone: the operator decides */
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_size, 0);
}

Test(secretbox, too_open_key_file_refused)
{
    char url[128], path[160];
    snprintf(path, sizeof(path), "%s/bad.key", dir);
    setenv("STOCKBRIDGE_KEY_FILE", path, 1);
    url_for(url, sizeof(url), "a.db");
    unsigned char k[32] = { 7 };
    write_file("bad.key", k, 32, 0644);
    expect_init_refused(url, "mode 0644");
    write_file("bad.key", k, 32, 0660);
    expect_init_refused(url, "mode 0660");
    write_file("bad.key", k, 32, 0604);
    expect_init_refused(url, "mode 0604");
    write_file("bad.key", k, 32, 0400); /* read-only for its owner is fine */
    cr_expect_eq(sb_secretbox_init(url), SB_OK, "%s", sb_err_last()->message);
}

Test(secretbox, unusable_paths_refused)
{
    char url[128], path[160];
    /* a directory where the key file should be */
    snprintf(path, sizeof(path), "%s", dir);
    setenv("STOCKBRIDGE_KEY_FILE", path, 1);
    url_for(url, sizeof(url), "a.db");
    expect_init_refused(url, "not a regular file");
    /* a directory that does not exist */
    snprintf(path, sizeof(path), "%s/missing/dir/key", dir);
    setenv("STOCKBRIDGE_KEY_FILE", path, 1);
    expect_init_refused(url, "cannot create key file");
}

Test(secretbox, default_path_in_working_directory)
{
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    cr_assert_eq(chdir(dir), 0);
    cr_expect_eq(sb_secretbox_init("postgres://db/shop"), SB_OK);
    struct stat st;
    cr_expect_eq(stat("stockbridge.key", &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0600);
    cr_assert_eq(chdir(cwd), 0);
}

struct worker {
    int id;
    int failures;
};

static void *work(void *ud)
{
    struct worker *w = ud;
    for (int i = 0; i < 200; i++) {
        char secret[64], *text = NULL, *plain = NULL;
        snprintf(secret, sizeof(secret), "token-%d-%d", w->id, i);
        if (sb_secret_seal(secret, &text) != SB_OK || sb_secret_open(text, &plain) != SB_OK ||
            strcmp(plain, secret) != 0)
            w->failures++;
        free(text);
        free(plain);
    }
    return NULL;
}

Test(secretbox, thread_safe_after_init)
{
    char url[128];
    url_for(url, sizeof(url), "a.db");
    cr_assert_eq(sb_secretbox_init(url), SB_OK);
    pthread_t th[8];
    struct worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (struct worker){ .id = i };
        cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        cr_expect_eq(w[i].failures, 0, "worker %d", i);
    }
}
