/* strokes_text — the upstream plain-text stroke format. See strokes_text.h. */
#include "strokes_text.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const field_name[4] = {"dx", "dy", "eos", "eod"};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * One decimal integer at *p (before end): [-]digits, then a blank or the end
 * of the line. Values far out of range stop accumulating (no overflow) but
 * still consume their digits, so the message can say "out of range".
 * Returns 0, -1 when there is no integer here, -2 when it is out of int8 range.
 */
static int parse_int8(const char **p, const char *end, int *out)
{
    const char *s = *p;
    int neg = 0;
    long v = 0;
    if (s < end && *s == '-') {
        neg = 1;
        s++;
    }
    const char *digits = s;
    while (s < end && *s >= '0' && *s <= '9') {
        if (v <= 1000) v = v * 10 + (*s - '0');
        s++;
    }
    if (s == digits || (s < end && !is_blank(*s))) return -1;
    *p = s;
    v = neg ? -v : v;
    if (v < -128 || v > 127) return -2;
    *out = (int)v;
    return 0;
}

/* Parses line [p, end) (no newline, CR already dropped) into r[4]. */
static int parse_line(const char *p, const char *end, int r[4], const char *name, size_t line,
                      char *err)
{
    for (int f = 0; f < 4; f++) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            return ftl_error(err, "%s:%zu: %d fields, expected 4 (dx dy eos eod)", name, line, f);
        int rc = parse_int8(&p, end, &r[f]);
        if (rc == -1)
            return ftl_error(err, "%s:%zu: %s is not an integer", name, line, field_name[f]);
        if (rc == -2)
            return ftl_error(err, "%s:%zu: %s is outside [-128, 127]", name, line, field_name[f]);
    }
    while (p < end && is_blank(*p))
        p++;
    if (p != end) return ftl_error(err, "%s:%zu: more than 4 fields (dx dy eos eod)", name, line);
    return 0;
}

/* The format's invariants on one row (SPEC.md §2.3); last says whether it ends the file. */
static int check_row(const int r[4], int last, const char *name, size_t line, char *err)
{
    for (int f = 2; f < 4; f++)
        if (r[f] != 0 && r[f] != 1)
            return ftl_error(err, "%s:%zu: %s is %d, not 0 or 1", name, line, field_name[f], r[f]);
    if (r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0)
        return ftl_error(err, "%s:%zu: all-zero row (padding) inside a digit", name, line);
    if (r[2] == 1 && (r[0] != 0 || r[1] != 0))
        return ftl_error(err,
                         "%s:%zu: eos row moves (dx %d, dy %d); eos rows are zero-move markers",
                         name, line, r[0], r[1]);
    if (r[3] == 1 && !last) return ftl_error(err, "%s:%zu: eod before the last row", name, line);
    if (last && !(r[0] == 0 && r[1] == 0 && r[2] == 1 && r[3] == 1))
        return ftl_error(err, "%s:%zu: the last row is %d %d %d %d, not the end marker 0 0 1 1",
                         name, line, r[0], r[1], r[2], r[3]);
    return 0;
}

int strokes_text_read_mem(const void *buf, size_t len, const char *name, int8_t **rows,
                          size_t *nrows, char *err)
{
    const char *text = buf, *end = text + len;
    *rows = NULL;
    *nrows = 0;
    if (len == 0) return ftl_error(err, "%s: empty file; a digit has at least one row", name);
    if (memchr(text, '\0', len)) return ftl_error(err, "%s: NUL byte; not a text file", name);
    size_t lines = 1;
    for (const char *q = text; (q = memchr(q, '\n', (size_t)(end - q))); q++)
        lines++;
    int8_t *out = xmallocarray(lines, 4);
    size_t n = 0;
    /* Syntax first, over every line, so that a stray blank line is named as such. */
    for (const char *p = text; p < end; n++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
        if (eol > p && eol[-1] == '\r') eol--;
        int r[4];
        if (parse_line(p, eol, r, name, n + 1, err) != 0) goto fail;
        for (int f = 0; f < 4; f++)
            out[n * 4 + (size_t)f] = (int8_t)r[f];
        p = nl ? nl + 1 : end;
    }
    for (size_t i = 0; i < n; i++) {
        const int8_t *q = out + i * 4;
        int r[4] = {q[0], q[1], q[2], q[3]};
        if (check_row(r, i + 1 == n, name, i + 1, err) != 0) goto fail;
    }
    *rows = out;
    *nrows = n;
    return 0;
fail:
    free(out);
    return -1;
}

int strokes_text_read(const char *path, int8_t **rows, size_t *nrows, char *err)
{
    char *text;
    size_t len;
    *rows = NULL;
    *nrows = 0;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    int rc = strokes_text_read_mem(text, len, path, rows, nrows, err);
    free(text);
    return rc;
}
