/*
 * cast_check — checks a file against the asciicast v2 format
 * (docs.asciinema.org/manual/asciicast/v2), for tests/cast.sh:
 *
 *   - the whole file is valid UTF-8, and every line ends in '\n';
 *   - line 1 is a JSON object: "version" 2, "width" and "height" positive
 *     integers, "timestamp" an integer, "env" an object whose "TERM" is a
 *     string, "title" (if present) a string;
 *   - every other line is a JSON array [time, type, data]: time a number >= 0
 *     and never less than the line before's, type "o" (output) or "r"
 *     (resize, data "WxH"), data a string;
 *   - the output, played on a screen of the header's size, uses only what a
 *     terminal understands of it here (cursor moves, clears, SGR, showing and
 *     hiding the cursor) and never writes past the screen.
 *
 * Usage: cast_check FILE [--screen]. Exit 0 when it holds (--screen: then
 * prints the last screen as text, one line per row, trailing blanks cut); 1
 * with "FILE:LINE: problem" when not; 2 for a usage error. Strict on purpose,
 * and written in C because the tests may rely on nothing ./bootstrap does
 * not install (no Python).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *file;
static int lineno;

static void fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s:%d: ", file, lineno);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

// ---- UTF-8 ----

/* Bytes of the well-formed UTF-8 sequence at s (before end), 0 when malformed; *cp the code point.
 */
static size_t utf8_next(const unsigned char *s, const unsigned char *end, unsigned long *cp)
{
    size_t len = s[0] < 0x80                   ? 1
                 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
                 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
                 : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                               : 0;
    if (len == 0 || (size_t)(end - s) < len) return 0;
    unsigned long c = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) return 0;
    *cp = c;
    return len;
}

// ---- a small strict JSON reader ----

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
    enum jtype type;
    double num;
    int integer;  /* a number written without fraction or exponent */
    char *str;    /* J_STR: UTF-8, NUL-terminated (a \u0000 ends it early; never written here) */
    size_t len;   /* J_STR: bytes */
    struct jv *v; /* J_ARR, J_OBJ: the values */
    char **k;     /* J_OBJ: the keys */
    size_t n;
};

static const char *p;

static void ws(void)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
}

static void put_utf8(char **o, unsigned long c)
{
    unsigned char *u = (unsigned char *)*o;
    if (c < 0x80) {
        *u++ = (unsigned char)c;
    } else if (c < 0x800) {
        *u++ = (unsigned char)(0xC0 | c >> 6), *u++ = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *u++ = (unsigned char)(0xE0 | c >> 12), *u++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | c >> 18), *u++ = (unsigned char)(0x80 | (c >> 12 & 0x3F));
        *u++ = (unsigned char)(0x80 | (c >> 6 & 0x3F)), *u++ = (unsigned char)(0x80 | (c & 0x3F));
    }
    *o = (char *)u;
}

static unsigned long hex4(void)
{
    unsigned long c = 0;
    for (int i = 0; i < 4; i++, p++) {
        if (!isxdigit((unsigned char)*p)) fail("bad \\u escape%s", "");
        c = c * 16 +
            (unsigned long)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
    }
    return c;
}

static void parse_string(struct jv *out)
{
    p++; /* '"' */
    char *buf = malloc(strlen(p) + 1), *o = buf;
    if (!buf) exit(2);
    for (;;) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') break;
        if (ch == '\0' || ch == '\n') fail("unterminated string%s", "");
        if (ch < 0x20) fail("a raw control character in a string (JSON needs \\u00XX)%s", "");
        if (ch != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        char e = *p++;
        const char *plain = strchr("\"\\/bfnrt", e);
        if (e && plain) {
            static const char to[] = "\"\\/\b\f\n\r\t";
            *o++ = to[plain - "\"\\/bfnrt"];
        } else if (e == 'u') {
            unsigned long c = hex4();
            if (c >= 0xD800 && c < 0xDC00) { /* a surrogate pair */
                if (p[0] != '\\' || p[1] != 'u') fail("a lone surrogate%s", "");
                p += 2;
                unsigned long lo = hex4();
                if (lo < 0xDC00 || lo >= 0xE000) fail("a lone surrogate%s", "");
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            } else if (c >= 0xDC00 && c < 0xE000) {
                fail("a lone surrogate%s", "");
            }
            put_utf8(&o, c);
        } else {
            fail("bad escape in a string%s", "");
        }
    }
    p++;
    *o = '\0';
    out->type = J_STR;
    out->str = buf;
    out->len = (size_t)(o - buf);
}

static void parse_number(struct jv *out)
{
    const char *s = p;
    int integer = 1;
    if (*p == '-') p++;
    if (*p == '0')
        p++;
    else if (isdigit((unsigned char)*p))
        while (isdigit((unsigned char)*p))
            p++;
    else
        fail("not a JSON value%s", "");
    if (*p == '.') {
        integer = 0, p++;
        if (!isdigit((unsigned char)*p)) fail("bad number%s", "");
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        integer = 0, p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) fail("bad number%s", "");
        while (isdigit((unsigned char)*p))
            p++;
    }
    out->type = J_NUM;
    out->num = strtod(s, NULL);
    out->integer = integer;
}

static void parse_value(struct jv *out, int depth);

static void parse_items(struct jv *out, int depth, char close, int object)
{
    p++;
    ws();
    size_t cap = 0;
    out->type = object ? J_OBJ : J_ARR;
    if (*p == close) {
        p++;
        return;
    }
    for (;;) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 8;
            out->v = realloc(out->v, cap * sizeof *out->v);
            out->k = realloc(out->k, cap * sizeof *out->k);
            if (!out->v || !out->k) exit(2);
        }
        out->k[out->n] = NULL;
        if (object) {
            struct jv key = {0};
            if (*p != '"') fail("an object key must be a string%s", "");
            parse_string(&key);
            for (size_t i = 0; i < out->n; i++)
                if (strcmp(out->k[i], key.str) == 0) fail("key \"%s\" twice", key.str);
            out->k[out->n] = key.str;
            ws();
            if (*p++ != ':') fail("':' expected after a key%s", "");
        }
        memset(&out->v[out->n], 0, sizeof out->v[out->n]);
        parse_value(&out->v[out->n++], depth + 1);
        ws();
        if (*p == close) {
            p++;
            return;
        }
        if (*p++ != ',') fail("',' or a closing bracket expected%s", "");
        ws();
    }
}

static void parse_value(struct jv *out, int depth)
{
    if (depth > 32) fail("nested too deep%s", "");
    ws();
    if (*p == '{')
        parse_items(out, depth, '}', 1);
    else if (*p == '[')
        parse_items(out, depth, ']', 0);
    else if (*p == '"')
        parse_string(out);
    else if (strncmp(p, "null", 4) == 0)
        p += 4, out->type = J_NULL;
    else if (strncmp(p, "true", 4) == 0)
        p += 4, out->type = J_BOOL;
    else if (strncmp(p, "false", 5) == 0)
        p += 5, out->type = J_BOOL;
    else
        parse_number(out);
}

/* One line as one JSON value, nothing after it. */
static struct jv parse_line(const char *line)
{
    struct jv v = {0};
    p = line;
    parse_value(&v, 0);
    ws();
    if (*p) fail("text after the JSON value: '%.20s'", p);
    return v;
}

static const struct jv *get(const struct jv *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->k[i], key) == 0) return &o->v[i];
    return NULL;
}

static void free_jv(struct jv *v)
{
    free(v->str);
    for (size_t i = 0; i < v->n; i++) {
        free_jv(&v->v[i]);
        if (v->k) free(v->k[i]);
    }
    free(v->v);
    free(v->k);
}

// ---- the screen the output draws ----

static int W, H, cy, cx;
static unsigned long *screen;

static void resize(int w, int h)
{
    W = w, H = h, cy = cx = 0;
    free(screen);
    screen = malloc((size_t)w * (size_t)h * sizeof *screen);
    if (!screen) exit(2);
    for (int i = 0; i < w * h; i++)
        screen[i] = ' ';
}

/* The escape sequence at s (after ESC): CUP, ED 2, SGR, DECTCEM; returns its length. */
static size_t escape(const char *s, size_t n)
{
    if (n < 2 || s[0] != '[') fail("an escape other than CSI%s", "");
    size_t i = 1;
    int priv = s[i] == '?';
    i += priv;
    int arg[32], na = 0, cur = -1;
    for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == ';'); i++) {
        if (s[i] == ';') {
            if (na < 32) arg[na++] = cur < 0 ? 0 : cur;
            cur = -1;
        } else {
            cur = (cur < 0 ? 0 : cur) * 10 + (s[i] - '0');
            if (cur > 100000) fail("a huge escape parameter%s", "");
        }
    }
    if (cur >= 0 && na < 32) arg[na++] = cur;
    if (i == n) fail("an escape sequence cut off%s", "");
    char f = s[i];
    if (priv) {
        if (!(na == 1 && arg[0] == 25 && (f == 'l' || f == 'h')))
            fail("an unexpected private escape (%c)", (char[]){f, 0});
    } else if (f == 'H') {
        int r = na > 0 && arg[0] ? arg[0] : 1, c = na > 1 && arg[1] ? arg[1] : 1;
        if (r > H || c > W) fail("the cursor is moved off the screen%s", "");
        cy = r - 1, cx = c - 1;
    } else if (f == 'J') {
        if (!(na == 1 && arg[0] == 2)) fail("a clear other than ESC[2J%s", "");
        for (int k = 0; k < W * H; k++)
            screen[k] = ' ';
    } else if (f == 'm') {
        for (int k = 0; k < na; k++)
            if ((arg[k] == 38 || arg[k] == 48) &&
                (k + 2 >= na || arg[k + 1] != 5 || arg[k + 2] > 255))
                fail("a bad 256-colour SGR%s", "");
    } else {
        fail("an unexpected escape (%c)", (char[]){f, 0});
    }
    return i + 1;
}

static void play(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s, *end = u + n;
    while (u < end) {
        if (*u == 0x1B) {
            u += 1 + escape((const char *)u + 1, (size_t)(end - u - 1));
            continue;
        }
        unsigned long c;
        size_t len = utf8_next(u, end, &c);
        if (!len) fail("output that is not UTF-8%s", "");
        if (c < 0x20 || c == 0x7F) fail("a control character in the output%s", "");
        if (cx >= W) fail("output past the right edge of the screen%s", "");
        screen[cy * W + cx++] = c;
        u += len;
    }
}

static void print_screen(void)
{
    for (int y = 0; y < H; y++) {
        int last = W;
        while (last > 0 && screen[y * W + last - 1] == ' ')
            last--;
        char buf[8];
        for (int x = 0; x < last; x++) {
            char *o = buf;
            put_utf8(&o, screen[y * W + x]);
            fwrite(buf, 1, (size_t)(o - buf), stdout);
        }
        putchar('\n');
    }
}

// ---- the file ----

static void check_header(const char *line)
{
    struct jv h = parse_line(line);
    if (h.type != J_OBJ) fail("the header is not a JSON object%s", "");
    const struct jv *v = get(&h, "version"), *w = get(&h, "width"), *hh = get(&h, "height");
    const struct jv *ts = get(&h, "timestamp"), *env = get(&h, "env"), *title = get(&h, "title");
    if (!v || v->type != J_NUM || !v->integer || v->num != 2) fail("\"version\" is not 2%s", "");
    if (!w || w->type != J_NUM || !w->integer || w->num < 1 || w->num > 10000)
        fail("\"width\" is not a positive integer%s", "");
    if (!hh || hh->type != J_NUM || !hh->integer || hh->num < 1 || hh->num > 10000)
        fail("\"height\" is not a positive integer%s", "");
    if (!ts || ts->type != J_NUM || !ts->integer || ts->num < 0)
        fail("\"timestamp\" is not a Unix time in seconds%s", "");
    if (!env || env->type != J_OBJ) fail("\"env\" is not an object%s", "");
    const struct jv *term = get(env, "TERM");
    if (!term || term->type != J_STR) fail("\"env\" has no \"TERM\" string%s", "");
    if (title && title->type != J_STR) fail("\"title\" is not a string%s", "");
    resize((int)w->num, (int)hh->num);
    free_jv(&h);
}

static double check_event(const char *line, double last)
{
    struct jv e = parse_line(line);
    if (e.type != J_ARR || e.n != 3) fail("an event is not an array of three%s", "");
    const struct jv *t = &e.v[0], *type = &e.v[1], *data = &e.v[2];
    if (t->type != J_NUM || t->num < 0) fail("an event's time is not a number >= 0%s", "");
    if (t->num < last) fail("time goes down%s", "");
    if (type->type != J_STR || (strcmp(type->str, "o") != 0 && strcmp(type->str, "r") != 0))
        fail("an event's type is not \"o\" or \"r\"%s", "");
    if (data->type != J_STR) fail("an event's data is not a string%s", "");
    if (type->str[0] == 'r') {
        int w, h;
        char x[2], rest[2];
        if (sscanf(data->str, "%d%1[x]%d%1s", &w, x, &h, rest) != 3 || w < 1 || h < 1)
            fail("a resize that is not WxH: '%s'", data->str);
        resize(w, h);
    } else {
        play(data->str, data->len);
    }
    double now = t->num;
    free_jv(&e);
    return now;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--screen") != 0)) {
        fprintf(stderr, "usage: cast_check FILE [--screen]\n");
        return 2;
    }
    file = argv[1];
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        perror(file);
        return 1;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, fp)) > 0)
        if ((n += got) + 1 == cap) buf = realloc(buf, cap *= 2);
    fclose(fp);
    if (!buf) return 2;
    buf[n] = '\0';
    const unsigned char *u = (const unsigned char *)buf, *end = u + n;
    for (unsigned long c; u < end; u += utf8_next(u, end, &c)) {
        if (!utf8_next(u, end, &c)) {
            lineno = 1;
            for (const char *q = buf; q < (const char *)u; q++)
                lineno += *q == '\n';
            fail("not valid UTF-8%s", "");
        }
        if (c == 0) fail("a NUL byte%s", "");
    }
    if (n == 0 || buf[n - 1] != '\n') {
        for (size_t i = 0; i < n; i++)
            lineno += buf[i] == '\n';
        lineno++;
        fail("the last line does not end in a newline%s", "");
    }
    double last = 0;
    int events = 0;
    for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        lineno++;
        if (lineno == 1)
            check_header(line);
        else
            last = check_event(line, last), events++;
    }
    if (events == 0) fail("no events after the header%s", "");
    if (argc == 3) print_screen();
    free(buf);
    free(screen);
    return 0;
}
