/*
 * journal — the session journal: every control change a user made, stamped
 * with the training step it took effect at, so that a session can be
 * replayed, audited and grepped.
 *
 * FORMAT (version 1): text, one item per line, each line ending in '\n'.
 *
 *     # ftlab journal 1              the header, always the first line
 *     config KEY VALUE               the run's configuration; only before the first step line
 *     step STEP KEY [VALUE]          a control change, e.g. "step 3000 lr 0.0005", "step 3400
 * pause" rewind STEP EVENTS             the run went back to a checkpoint (see below) # anything a
 * comment; empty lines are allowed too
 *
 * Fields are separated by one or more spaces. KEY is [a-z0-9_]+; VALUE is one token of
 * printable non-space bytes (ASCII 0x21-0x7e, or UTF-8 bytes >= 0x80); STEP
 * and EVENTS are decimal integers. Numbers are written with "%.17g" so that
 * a replay sees bit-identical doubles (journal_event_double). Steps never go
 * down, except through a rewind. A line is at most JOURNAL_MAX_LINE bytes.
 *
 * rewind: a run resumed from a checkpoint taken at step S, when the journal
 * held N step lines (the trainer stores journal_event_count() in every
 * checkpoint), writes "rewind S N". Step lines N and later (0-based, in file
 * order) happened in a future that was thrown away: the reader marks them
 * `superseded`, and a replay skips them. The next step line may be at S.
 *
 * Durability: each line goes to the kernel in one write() on an O_APPEND
 * descriptor, so it survives the process crashing (kill -9, a segfault) and
 * is never interleaved. It is not fsync'd per line: that would stall the
 * trainer thread for a disk flush (often tens of ms) at every key press.
 * journal_sync() fsyncs; the trainer calls it just before committing a
 * checkpoint, so a checkpoint that survived a power cut never refers to
 * journal lines that did not. A crash mid-line leaves a torn last line
 * (no '\n'): the reader ignores it and sets `torn`; journal_open_append
 * cuts it off before appending.
 *
 * Errors follow util.h (-1 and one line in err); the reader's messages are
 * "FILE:LINE: problem".
 */
#ifndef FTLAB_JOURNAL_H
#define FTLAB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_VERSION 1
#define JOURNAL_MAX_LINE 4096 /* bytes, without the '\n' */

// ---- writing ----

/* An open journal. One writer at a time (the trainer thread); not thread-safe. */
struct journal {
    int fd;
    char *path;
    uint64_t last_step; /* steps written from here on must be >= this */
    uint64_t nevents;   /* step lines in the file so far, superseded ones included */
    int has_events;     /* a step line exists: no more config lines */
};

/*
 * Opens path for appending, creating it with the header line if it does not
 * exist (or is empty). An existing journal is read and validated first (a
 * damaged one is refused), and a torn last line is cut off.
 */
int journal_open_append(struct journal *j, const char *path, char *err);
/* A config line; -1 once a step line exists, or for a bad key or value. */
int journal_config(struct journal *j, const char *key, const char *value, char *err);
/* A step line; value may be NULL. -1 when step < the last step, or for a bad key or value. */
int journal_event(struct journal *j, uint64_t step, const char *key, const char *value, char *err);
/* A step line whose value is the double v printed with "%.17g" (round-trips exactly). */
int journal_event_double(struct journal *j, uint64_t step, const char *key, double v, char *err);
/* A rewind line: back to a checkpoint taken at step, when the journal held nevents step lines. */
int journal_rewind(struct journal *j, uint64_t step, uint64_t nevents, char *err);
/* Step lines written so far (store it in a checkpoint, for journal_rewind). */
uint64_t journal_event_count(const struct journal *j);
/* fsync: everything written so far survives a power cut. */
int journal_sync(struct journal *j, char *err);
/* Closes (without fsync); returns -1 if the close reported an error. Frees j's memory. */
int journal_close(struct journal *j, char *err);

// ---- reading ----

struct journal_config_pair {
    const char *key, *value;
};

struct journal_entry {
    uint64_t step;
    const char *key;
    const char *value; /* NULL when the line has none */
    unsigned line;     /* 1-based line number in the file */
    int superseded;    /* thrown away by a later rewind: skip it when replaying */
};

/* A journal as read. The strings point into `text`, which the log owns. */
struct journal_log {
    int version;
    struct journal_config_pair *config;
    size_t nconfig;
    struct journal_entry *events;
    size_t nevents;
    uint64_t last_step; /* of the last step or rewind line: the next step must be >= it */
    int torn;           /* the file ended in an incomplete line, which was ignored */
    size_t valid_bytes; /* length of the file up to the end of its last whole line */
    char *text;
};

/* Reads and validates a whole journal; journal_log_free() it after success. */
int journal_read(const char *path, struct journal_log *log, char *err);
/* The same from a buffer (fuzzing); `name` is used in messages. */
int journal_read_mem(const void *buf, size_t len, const char *name, struct journal_log *log,
                     char *err);
void journal_log_free(struct journal_log *log);

/* Parses a whole value as a double (the inverse of journal_event_double); 0 or -1. */
int journal_parse_double(const char *value, double *out);

#endif
