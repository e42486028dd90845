/* journal — the replayable session journal. See journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define HEADER_LINE "# ftlab journal 1\n"
#define HEADER_PREFIX "# ftlab journal "
#define MAX_TOKENS 5 /* one more than any line kind takes, to detect extra fields */

// ---- the lexical rules, shared by the writer and the reader ----

static int key_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

/* A byte allowed inside a token: printable ASCII except space, or any byte >= 0x80. */
static int token_byte_ok(unsigned char c)
{
    return (c > 0x20 && c < 0x7f) || c >= 0x80;
}

static int value_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!token_byte_ok((unsigned char)*s)) return 0;
    return 1;
}

/* A whole decimal u64: digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t x = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

int journal_parse_double(const char *value, double *out)
{
    char *end;
    if (!value || !*value || !token_byte_ok((unsigned char)value[0])) return -1;
    double v = strtod(value, &end); /* ERANGE for subnormals is fine: the value is exact */
    if (*end != '\0') return -1;
    *out = v;
    return 0;
}

/* Makes room for one more element in a growing array. */
static void *grow(void *p, size_t count, size_t *cap, size_t size)
{
    if (count < *cap) return p;
    *cap = *cap ? 2 * *cap : 16;
    size_t bytes;
    if (ftl_mul_overflow(*cap, size, &bytes))
        bytes = SIZE_MAX; /* xrealloc then aborts as out of memory */
    return xrealloc(p, bytes);
}

// ---- reading ----

struct parser {
    const char *name;
    struct journal_log *log;
    size_t cap_config, cap_events;
    unsigned line;
    unsigned last_step_line; /* the line that set log->last_step, for messages */
    char *err;
};

/* "FILE:LINE: problem" */
static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
    char what[FTL_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ftl_error(ps->err, "%s:%u: %s", ps->name, ps->line, what);
}

static int parse_header(struct parser *ps, const char *line)
{
    size_t n = strlen(HEADER_PREFIX);
    uint64_t version;
    if (strncmp(line, HEADER_PREFIX, n) != 0 || parse_u64(line + n, &version) != 0 || version == 0)
        return fail(ps, "missing header '%.*s'", (int)strlen(HEADER_LINE) - 1, HEADER_LINE);
    if (version > JOURNAL_VERSION)
        return fail(ps, "written by a newer ftlab (journal format %" PRIu64 ")", version);
    ps->log->version = (int)version;
    return 0;
}

static int parse_config(struct parser *ps, char **tok, int ntok)
{
    struct journal_log *log = ps->log;
    if (ntok != 3) return fail(ps, "a config line is 'config KEY VALUE'");
    if (log->nevents > 0) return fail(ps, "config line after the first step line");
    if (!key_ok(tok[1])) return fail(ps, "key '%.64s' is not made of [a-z0-9_]", tok[1]);
    log->config = grow(log->config, log->nconfig, &ps->cap_config, sizeof *log->config);
    log->config[log->nconfig++] = (struct journal_config_pair){tok[1], tok[2]};
    return 0;
}

static int parse_step_number(struct parser *ps, const char *s, uint64_t *step)
{
    if (parse_u64(s, step) != 0) return fail(ps, "step '%.64s' is not a whole number", s);
    if (*step < ps->log->last_step)
        return fail(ps, "step %" PRIu64 " is before step %" PRIu64 " (line %u)", *step,
                    ps->log->last_step, ps->last_step_line);
    return 0;
}

static int parse_step(struct parser *ps, char **tok, int ntok)
{
    struct journal_log *log = ps->log;
    uint64_t step = 0;
    if (ntok != 3 && ntok != 4) return fail(ps, "a step line is 'step STEP KEY [VALUE]'");
    if (parse_step_number(ps, tok[1], &step) != 0) return -1;
    if (!key_ok(tok[2])) return fail(ps, "key '%.64s' is not made of [a-z0-9_]", tok[2]);
    log->events = grow(log->events, log->nevents, &ps->cap_events, sizeof *log->events);
    log->events[log->nevents++] = (struct journal_entry){
        .step = step, .key = tok[2], .value = ntok == 4 ? tok[3] : NULL, .line = ps->line};
    log->last_step = step;
    ps->last_step_line = ps->line;
    return 0;
}

/* "rewind S N": step lines N.. are superseded; the next step may be S again. */
static int parse_rewind(struct parser *ps, char **tok, int ntok)
{
    struct journal_log *log = ps->log;
    uint64_t step, keep;
    if (ntok != 3) return fail(ps, "a rewind line is 'rewind STEP EVENTS'");
    if (parse_u64(tok[1], &step) != 0 || parse_u64(tok[2], &keep) != 0)
        return fail(ps, "rewind '%.64s %.64s' is not two whole numbers", tok[1], tok[2]);
    if (keep > log->nevents)
        return fail(ps, "rewind keeps %" PRIu64 " step lines, but there are only %zu", keep,
                    log->nevents);
    if (step > log->last_step)
        return fail(ps, "rewind to step %" PRIu64 ", after the last step %" PRIu64, step,
                    log->last_step);
    if (keep > 0 && log->events[keep - 1].step > step)
        return fail(ps, "rewind to step %" PRIu64 " keeps line %u, which is at step %" PRIu64, step,
                    log->events[keep - 1].line, log->events[keep - 1].step);
    for (size_t i = keep; i < log->nevents; i++)
        log->events[i].superseded = 1;
    log->last_step = step;
    ps->last_step_line = ps->line;
    return 0;
}

/* Splits a line in place on runs of spaces; returns the token count (at most MAX_TOKENS). */
static int split(char *line, char **tok)
{
    int n = 0;
    char *p = line;
    while (*p && n < MAX_TOKENS) {
        while (*p == ' ')
            p++;
        if (!*p) break;
        tok[n++] = p;
        while (*p && *p != ' ')
            p++;
        if (*p) *p++ = '\0';
    }
    return n;
}

/* One whole line (NUL-terminated in place, without its '\n'). */
static int parse_line(struct parser *ps, char *line, size_t len)
{
    if (len > JOURNAL_MAX_LINE) return fail(ps, "line longer than %d bytes", JOURNAL_MAX_LINE);
    if (memchr(line, '\0', len)) return fail(ps, "NUL byte in the line");
    if (ps->line == 1) return parse_header(ps, line);
    if (len == 0 || line[0] == '#') return 0;
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && !token_byte_ok((unsigned char)line[i]))
            return fail(ps, "control character 0x%02x at column %zu", (unsigned char)line[i],
                        i + 1);
    char *tok[MAX_TOKENS];
    int ntok = split(line, tok);
    if (ntok == 0) return 0;
    if (strcmp(tok[0], "config") == 0) return parse_config(ps, tok, ntok);
    if (strcmp(tok[0], "step") == 0) return parse_step(ps, tok, ntok);
    if (strcmp(tok[0], "rewind") == 0) return parse_rewind(ps, tok, ntok);
    return fail(ps, "unknown line kind '%.64s'", tok[0]);
}

void journal_log_free(struct journal_log *log)
{
    free(log->config);
    free(log->events);
    free(log->text);
    memset(log, 0, sizeof *log);
}

int journal_read_mem(const void *buf, size_t len, const char *name, struct journal_log *log,
                     char *err)
{
    memset(log, 0, sizeof *log);
    struct parser ps = {.name = name, .log = log, .err = err};
    const char *b = buf;
    size_t whole = len; /* up to and including the last '\n' */
    while (whole > 0 && b[whole - 1] != '\n')
        whole--;
    log->valid_bytes = whole;
    log->torn = log->valid_bytes < len;
    log->text = xmalloc(log->valid_bytes + 1);
    memcpy(log->text, buf, log->valid_bytes);
    log->text[log->valid_bytes] = '\0';
    int rc = 0;
    char *p = log->text, *end = log->text + log->valid_bytes;
    while (p < end && rc == 0) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        *nl = '\0';
        ps.line++;
        rc = parse_line(&ps, p, (size_t)(nl - p));
        p = nl + 1;
    }
    if (rc == 0 && ps.line == 0) {
        ps.line = 1;
        rc = fail(&ps, "missing header '%.*s'", (int)strlen(HEADER_LINE) - 1, HEADER_LINE);
    }
    if (rc != 0) journal_log_free(log);
    return rc;
}

int journal_read(const char *path, struct journal_log *log, char *err)
{
    char *buf;
    size_t len;
    memset(log, 0, sizeof *log);
    if (ftl_read_file(path, &buf, &len, err) != 0) return -1;
    int rc = journal_read_mem(buf, len, path, log, err);
    free(buf);
    return rc;
}

// ---- writing ----

/* Reads everything from fd's start; the caller frees *buf. */
static int read_all(int fd, char **buf, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap);
    for (;;) {
        if (n == cap) b = xrealloc(b, cap *= 2);
        ssize_t got = pread(fd, b + n, cap - n, (off_t)n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            free(b);
            return -1;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Whether a file that holds no whole line is a journal that died while being created. */
static int is_torn_header(const char *buf, size_t len)
{
    return len < strlen(HEADER_LINE) && memcmp(buf, HEADER_LINE, len) == 0;
}

/*
 * Appends one line with one write(). If the write fails partway (a full disk),
 * the partial line is cut off again so that later lines do not join it.
 */
static int write_line(struct journal *j, const char *line, size_t len, char *err)
{
    off_t before = lseek(j->fd, 0, SEEK_END);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(j->fd, line + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            if (before >= 0 && ftruncate(j->fd, before) != 0) {
                /* nothing more to do: the reader will reject the damaged line */
            }
            return ftl_error(err, "%s: write failed: %s", j->path, strerror(e));
        }
        done += (size_t)n;
    }
    return 0;
}

/* The state of an existing journal; cuts a torn last line off. */
static int adopt_existing(struct journal *j, char *err)
{
    char *buf;
    size_t len;
    if (read_all(j->fd, &buf, &len) != 0)
        return ftl_error(err, "%s: cannot read: %s", j->path, strerror(errno));
    int rc = 0;
    if (is_torn_header(buf, len)) {
        free(buf);
        if (ftruncate(j->fd, 0) != 0)
            return ftl_error(err, "%s: cannot write: %s", j->path, strerror(errno));
        return write_line(j, HEADER_LINE, strlen(HEADER_LINE), err);
    }
    struct journal_log log;
    rc = journal_read_mem(buf, len, j->path, &log, err);
    free(buf);
    if (rc != 0) return -1;
    if (log.torn && ftruncate(j->fd, (off_t)log.valid_bytes) != 0)
        rc = ftl_error(err, "%s: cannot cut off the torn last line: %s", j->path, strerror(errno));
    j->last_step = log.last_step;
    j->nevents = log.nevents;
    j->has_events = log.nevents > 0;
    journal_log_free(&log);
    return rc;
}

int journal_open_append(struct journal *j, const char *path, char *err)
{
    memset(j, 0, sizeof *j);
    j->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (j->fd < 0) return ftl_error(err, "%s: cannot open: %s", path, strerror(errno));
    j->path = xstrdup(path);
    struct stat st;
    int rc;
    if (fstat(j->fd, &st) != 0)
        rc = ftl_error(err, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = ftl_error(err, "%s: not a regular file", path);
    else if (st.st_size > 0)
        rc = adopt_existing(j, err);
    else if ((rc = write_line(j, HEADER_LINE, strlen(HEADER_LINE), err)) == 0)
        ftl_sync_parent(path); /* a new file: make its name durable too */
    if (rc != 0) {
        close(j->fd);
        free(j->path);
        memset(j, 0, sizeof *j);
        j->fd = -1;
    }
    return rc;
}

int journal_config(struct journal *j, const char *key, const char *value, char *err)
{
    if (j->has_events)
        return ftl_error(err, "%s: config '%s' after the first step line", j->path, key);
    if (!key_ok(key) || !value || !value_ok(value))
        return ftl_error(err, "%s: config key '%.64s' or value '%.64s' is not a single word",
                         j->path, key, value ? value : "");
    char line[JOURNAL_MAX_LINE + 2];
    int n = snprintf(line, sizeof line, "config %s %s\n", key, value);
    if (n < 0 || (size_t)n > JOURNAL_MAX_LINE + 1)
        return ftl_error(err, "%s: config '%s' line longer than %d bytes", j->path, key,
                         JOURNAL_MAX_LINE);
    return write_line(j, line, (size_t)n, err);
}

int journal_event(struct journal *j, uint64_t step, const char *key, const char *value, char *err)
{
    if (step < j->last_step)
        return ftl_error(err, "%s: event '%s' at step %" PRIu64 ", before step %" PRIu64, j->path,
                         key, step, j->last_step);
    if (!key_ok(key) || (value && !value_ok(value)))
        return ftl_error(err, "%s: event key '%.64s' or value '%.64s' is not a single word",
                         j->path, key, value ? value : "");
    char line[JOURNAL_MAX_LINE + 2];
    int n = snprintf(line, sizeof line, "step %" PRIu64 " %s%s%s\n", step, key, value ? " " : "",
                     value ? value : "");
    if (n < 0 || (size_t)n > JOURNAL_MAX_LINE + 1)
        return ftl_error(err, "%s: event '%s' line longer than %d bytes", j->path, key,
                         JOURNAL_MAX_LINE);
    if (write_line(j, line, (size_t)n, err) != 0) return -1;
    j->last_step = step;
    j->nevents++;
    j->has_events = 1;
    return 0;
}

int journal_event_double(struct journal *j, uint64_t step, const char *key, double v, char *err)
{
    char value[40];
    snprintf(value, sizeof value, "%.17g", v);
    return journal_event(j, step, key, value, err);
}

int journal_rewind(struct journal *j, uint64_t step, uint64_t nevents, char *err)
{
    if (step > j->last_step || nevents > j->nevents)
        return ftl_error(err,
                         "%s: rewind to step %" PRIu64 " with %" PRIu64
                         " step lines, but the journal is at step %" PRIu64 " with %" PRIu64,
                         j->path, step, nevents, j->last_step, j->nevents);
    char line[64];
    int n = snprintf(line, sizeof line, "rewind %" PRIu64 " %" PRIu64 "\n", step, nevents);
    if (write_line(j, line, (size_t)n, err) != 0) return -1;
    j->last_step = step;
    return 0;
}

uint64_t journal_event_count(const struct journal *j)
{
    return j->nevents;
}

int journal_sync(struct journal *j, char *err)
{
    if (fsync(j->fd) != 0 && errno != EINVAL)
        return ftl_error(err, "%s: fsync failed: %s", j->path, strerror(errno));
    return 0;
}

int journal_close(struct journal *j, char *err)
{
    int rc = 0;
    if (j->fd >= 0 && close(j->fd) != 0)
        rc = ftl_error(err, "%s: close failed: %s", j->path, strerror(errno));
    free(j->path);
    memset(j, 0, sizeof *j);
    j->fd = -1;
    return rc;
}
