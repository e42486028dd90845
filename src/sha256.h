/*
 * sha256 — SHA-256 (FIPS 180-4), small and dependency-free, for checking the
 * downloaded data tarballs against the sums compiled into ftlab.
 *
 * Streaming: sha256_init, then sha256_update any number of times with pieces
 * of any size, then sha256_final. The context owns no heap memory.
 */
#ifndef FTLAB_SHA256_H
#define FTLAB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 64 /* a hex string needs SHA256_HEX_LEN + 1 bytes */

struct sha256 {
    uint32_t state[8];
    uint64_t total;    /* message bytes seen so far */
    uint8_t block[64]; /* a partial block waiting for more input */
    size_t fill;       /* bytes used in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest; the context must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t digest[SHA256_DIGEST_LEN]);

/* One-shot digest of a buffer. */
void sha256_buffer(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_LEN]);
/* Lower-case hex, NUL-terminated: hex must hold SHA256_HEX_LEN + 1 bytes. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN + 1]);
/* Digest of a whole file; 0, or -1 with "PATH: problem" in err (FTL_ERRLEN bytes). */
int sha256_file(const char *path, uint8_t digest[SHA256_DIGEST_LEN], char *err);

#endif
