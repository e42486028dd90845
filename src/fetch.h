/*
 * fetch — installs the MNIST pen-stroke data (SPEC.md §2.1-2.2) into a data
 * folder: `ftlab data fetch [--from DIR]`.
 *
 * Each upstream file is a gzip'd ustar archive NAME.tar.gz holding exactly
 * one member NAME.npy. fetch_install obtains every tarball it needs (copied
 * from a mirror folder, or downloaded by running curl), checks its SHA-256
 * against the sum compiled into ftlab, unpacks NAME.npy with zlib, writes a
 * SOURCE file, and only then swaps the finished folder into place. The
 * tarballs are not kept. On any failure the destination is left as it was.
 */
#ifndef FTLAB_FETCH_H
#define FTLAB_FETCH_H

#include <stddef.h>
#include <stdio.h>

/* Upstream commit 7724f8e (PR #1), the only one holding numpy-encoded/ (SPEC.md §2.1). */
#define FETCH_BASE_URL                                                                             \
    "https://raw.githubusercontent.com/edwin-de-jong/mnist-digits-stroke-sequence-data/"           \
    "7724f8eff8502027f7c4d1a9e9bbbf69e5f3cd3a/numpy-encoded"

/* Largest tar member accepted (the training sequences are 224,640,080 bytes). */
#define FETCH_MAX_MEMBER ((size_t)1 << 30)

enum fetch_need {
    FETCH_REQUIRED, /* must be installed */
    FETCH_ONE_OF,   /* at least one row of this kind; a download takes the first listed */
};

/* One row of the table of upstream files. */
struct fetch_file {
    const char *name;   /* "train-labels": the tarball is name.tar.gz, the member name.npy */
    const char *sha256; /* lower-case hex of the .tar.gz */
    enum fetch_need need;
};

/* The compiled-in table (train-padded-trailing first: it is the preferred
 * train file). Upstream's test-padded-trailing is a copy of the training
 * file (SPEC.md §2.1) and is deliberately absent. */
extern const struct fetch_file fetch_table[];
extern const size_t fetch_table_len;

struct fetch_opts {
    FILE *progress;                 /* one line per step, or NULL for silence */
    const char *curl;               /* program to run; NULL: $FTLAB_CURL if set, else "curl" */
    const char *base_url;           /* NULL: FETCH_BASE_URL; the URL is base_url/NAME.tar.gz */
    const struct fetch_file *table; /* NULL: fetch_table (tests pass fabricated sums) */
    size_t table_len;
};

/*
 * Installs the data into dest_dir. from_dir = a folder holding NAME.tar.gz
 * files (every table row present there is installed), or NULL to download the
 * required rows and the first FETCH_ONE_OF row. opts may be NULL (defaults).
 * Works in "DEST.tmp.PID" next to dest_dir; a dest_dir that already exists
 * must be empty or hold a SOURCE file (an earlier install), and is replaced
 * whole. Returns 0, or -1 with one line in err (FTL_ERRLEN bytes).
 */
int fetch_install(const char *from_dir, const char *dest_dir, const struct fetch_opts *opts,
                  char *err);

/*
 * Unpacks the one member `member` of the gzip'd ustar archive `tarball` into
 * out_path (created; must not exist). Rejects anything else: not gzip, a bad
 * header checksum or magic, another name or type, a size above
 * FETCH_MAX_MEMBER, a truncated stream, non-zero bytes after the member.
 * *size (may be NULL) receives the member size. On failure out_path is removed.
 */
int fetch_unpack(const char *tarball, const char *member, const char *out_path, size_t *size,
                 char *err);

/* $XDG_DATA_HOME/ftlab/mnist-strokes (if that variable is an absolute path),
 * else $HOME/.local/share/ftlab/mnist-strokes. Caller frees; NULL if neither
 * variable is usable. */
char *fetch_default_dir(void);
/* The data folder: opt_data (--data) if non-NULL and non-empty, else
 * $FTLAB_DATA if set and non-empty, else fetch_default_dir(). Caller frees. */
char *fetch_resolve_data_dir(const char *opt_data);

#endif
