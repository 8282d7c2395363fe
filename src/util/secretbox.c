/*
 * The key file and crypto_secretbox around it (see secretbox.h).
 *
 * The key file is created under a temporary name and hard-linked into place,
 * so that two processes starting at once on a fresh database (the server and
 * a CLI command) agree on one key: link() fails with EEXIST for the loser,
 * which then reads the winner's complete file. A plain create-then-write
 * could let the second process read a short file.
 */
#include "util/secretbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_LEN   crypto_secretbox_KEYBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define MAC_LEN   crypto_secretbox_MACBYTES
/* Sealed text longer than this is not ours (credentials are a few hundred bytes). */
#define SEALED_MAX (1u << 20)

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char key[KEY_LEN];
static bool key_loaded;

sb_err sb_secretbox_key_path(const char *db_url, char *buf, size_t cap)
{
    const char *env = getenv("STOCKBRIDGE_KEY_FILE");
    int n;
    if (env && *env)
        n = snprintf(buf, cap, "%s", env);
    else if (db_url && strncmp(db_url, "sqlite:", 7) == 0 && db_url[7] &&
             strcmp(db_url + 7, ":memory:") != 0)
        n = snprintf(buf, cap, "%s.key", db_url + 7);
    else
        n = snprintf(buf, cap, "stockbridge.key");
    if (n < 0 || (size_t)n >= cap)
        return sb_fail(SB_EIO, "key_file", "the key file path is too long");
    return SB_OK;
}

static sb_err read_full(int fd, unsigned char *out, size_t len, const char *path)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, out + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return sb_fail(SB_EIO, "key_file", "cannot read key file %s: %s", path,
                           strerror(errno));
        if (r == 0)
            return sb_fail(SB_EIO, "key_file", "key file %s is shorter than %u bytes", path,
                           (unsigned)len);
        got += (size_t)r;
    }
    return SB_OK;
}

/* Reads and checks an existing key file. ENOENT is returned as SB_ENOT_FOUND. */
static sb_err load_key(const char *path, unsigned char out[KEY_LEN])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return SB_ENOT_FOUND;
    if (fd < 0)
        return sb_fail(SB_EIO, "key_file", "cannot open key file %s: %s", path, strerror(errno));
    struct stat st;
    sb_err err = SB_OK;
    if (fstat(fd, &st) != 0)
        err = sb_fail(SB_EIO, "key_file", "cannot stat key file %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        err = sb_fail(SB_EIO, "key_file", "key file %s is not a regular file", path);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        err = sb_fail(SB_EIO, "key_file",
                      "key file %s has mode %04o: it must be readable by its owner only"
                      " (chmod 600)",
                      path, (unsigned)(st.st_mode & 07777));
    else if (st.st_size != (off_t)KEY_LEN)
        err = sb_fail(SB_EIO, "key_file",
                      "key file %s holds %lld bytes, not %u: it is not a stockbridge key", path,
                      (long long)st.st_size, (unsigned)KEY_LEN);
    else
        err = read_full(fd, out, KEY_LEN, path);
    close(fd);
    return err;
}

static sb_err write_full(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return SB_EIO;
        p += w;
        len -= (size_t)w;
    }
    return SB_OK;
}

static void sync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Writes a fresh key under a temporary name and links it into place; EEXIST (another
 * process won the race) is fine: the caller loads whatever is there. */
static sb_err create_key(const char *path)
{
    char tmp[4200];
    int n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return sb_fail(SB_EIO, "key_file", "the key file path is too long");
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0)
        return sb_fail(SB_EIO, "key_file", "cannot create key file %s: %s", path, strerror(errno));
    unsigned char fresh[KEY_LEN];
    randombytes_buf(fresh, sizeof(fresh));
    sb_err err = SB_OK;
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_full(fd, fresh, sizeof(fresh)) != SB_OK ||
        fsync(fd) != 0)
        err = sb_fail(SB_EIO, "key_file", "cannot write key file %s: %s", path, strerror(errno));
    sodium_memzero(fresh, sizeof(fresh));
    close(fd);
    if (!err && link(tmp, path) != 0 && errno != EEXIST)
        err = sb_fail(SB_EIO, "key_file", "cannot create key file %s: %s", path, strerror(errno));
    unlink(tmp);
    if (!err)
        sync_dir_of(path);
    return err;
}

sb_err sb_secretbox_init(const char *db_url)
{
    if (sodium_init() < 0)
        return sb_fail(SB_EINTERNAL, NULL, "libsodium failed to start");
    char path[4096];
    sb_err err = sb_secretbox_key_path(db_url, path, sizeof(path));
    if (err)
        return err;
    unsigned char fresh[KEY_LEN];
    err = load_key(path, fresh);
    if (err == SB_ENOT_FOUND) {
        err = create_key(path);
        if (!err)
            err = load_key(path, fresh);
        if (err == SB_ENOT_FOUND)
            err = sb_fail(SB_EIO, "key_file", "key file %s vanished while it was created", path);
    }
    if (!err) {
        pthread_mutex_lock(&key_lock);
        if (!key_loaded)
            (void)sodium_mlock(key, sizeof(key)); /* best effort: keep it out of swap */
        memcpy(key, fresh, sizeof(key));
        key_loaded = true;
        pthread_mutex_unlock(&key_lock);
    }
    sodium_memzero(fresh, sizeof(fresh));
    return err;
}

static bool copy_key(unsigned char out[KEY_LEN])
{
    pthread_mutex_lock(&key_lock);
    bool ok = key_loaded;
    if (ok)
        memcpy(out, key, KEY_LEN);
    pthread_mutex_unlock(&key_lock);
    return ok;
}

sb_err sb_secret_seal(const char *plain, char **ret_text)
{
    unsigned char k[KEY_LEN];
    if (!copy_key(k))
        return sb_fail(SB_EINTERNAL, NULL, "the secret key is not loaded (no key file read)");
    size_t plen = strlen(plain);
    size_t blen = NONCE_LEN + MAC_LEN + plen;
    size_t tlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    unsigned char *box = malloc(blen);
    char *text = malloc(tlen);
    sb_err err = SB_OK;
    if (!box || !text) {
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    } else {
        randombytes_buf(box, NONCE_LEN);
        crypto_secretbox_easy(box + NONCE_LEN, (const unsigned char *)plain, plen, box, k);
        sodium_bin2base64(text, tlen, box, blen, sodium_base64_VARIANT_ORIGINAL);
    }
    sodium_memzero(k, sizeof(k));
    free(box);
    if (err) {
        free(text);
        return err;
    }
    *ret_text = text;
    return SB_OK;
}

sb_err sb_secret_open(const char *text, char **ret_plain)
{
    static const char *const damaged =
        "sealed credentials cannot be opened: they were altered, or sealed under another key"
        " file";
    size_t tlen = strlen(text);
    if (tlen > SEALED_MAX)
        return sb_fail(SB_EINTERNAL, NULL, "%s", damaged);
    unsigned char k[KEY_LEN];
    if (!copy_key(k))
        return sb_fail(SB_EINTERNAL, NULL, "the secret key is not loaded (no key file read)");
    size_t cap = tlen / 4 * 3 + 3;
    unsigned char *box = malloc(cap);
    char *plain = NULL;
    size_t blen = 0;
    sb_err err = SB_OK;
    if (!box)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    else if (sodium_base642bin(box, cap, text, tlen, NULL, &blen, NULL,
                               sodium_base64_VARIANT_ORIGINAL) != 0 ||
             blen < NONCE_LEN + MAC_LEN)
        err = sb_fail(SB_EINTERNAL, NULL, "%s", damaged);
    else if (!(plain = malloc(blen - NONCE_LEN - MAC_LEN + 1)))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    else if (crypto_secretbox_open_easy((unsigned char *)plain, box + NONCE_LEN, blen - NONCE_LEN,
                                        box, k) != 0)
        err = sb_fail(SB_EINTERNAL, NULL, "%s", damaged);
    sodium_memzero(k, sizeof(k));
    free(box);
    if (err) {
        free(plain);
        return err;
    }
    size_t plen = blen - NONCE_LEN - MAC_LEN;
    plain[plen] = '\0';
    if (strlen(plain) != plen) { /* we never seal text with a NUL inside */
        sodium_memzero(plain, plen);
        free(plain);
        return sb_fail(SB_EINTERNAL, NULL, "%s", damaged);
    }
    *ret_plain = plain;
    return SB_OK;
}
