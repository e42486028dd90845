/* lesson — a classroom script for the workbench. See lesson.h. */
#include "lesson.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "util.h"

struct parser {
    struct lesson *l;
    const char *name;
    unsigned line;
    char *err;
    size_t cap_cues, cap_actions;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    char msg[FTL_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ftl_error(p->err, "%s:%u: %s", p->name, p->line, msg);
}

static struct lesson_action *add_action(struct parser *p, enum lesson_action_kind kind)
{
    struct lesson *l = p->l;
    if (l->nactions == p->cap_actions) {
        p->cap_actions = p->cap_actions ? 2 * p->cap_actions : 32;
        l->actions = xrealloc(l->actions, p->cap_actions * sizeof *l->actions);
    }
    struct lesson_action *a = &l->actions[l->nactions++];
    *a = (struct lesson_action){.kind = kind};
    l->cues[l->ncues - 1].n++;
    return a;
}

/* "space", "tab", "enter" or one printable ASCII character, as the curses key it stands for. */
static int key_code(const char *s)
{
    if (strcmp(s, "space") == 0) return ' ';
    if (strcmp(s, "tab") == 0) return '\t';
    if (strcmp(s, "enter") == 0) return '\n';
    if (s[0] > 0x20 && s[0] < 0x7f && !s[1]) return (unsigned char)s[0];
    return -1;
}

static int parse_keys(struct parser *p, char *rest)
{
    struct lesson *l = p->l;
    if (l->ncues) return fail(p, "'keys' belongs before the first cue");
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
        int k = key_code(tok);
        if (k < 0) return fail(p, "'%.40s' is not a key (a character, or space, tab, enter)", tok);
        if (l->nkeys == LESSON_MAX_KEYS) return fail(p, "more than %d keys", LESSON_MAX_KEYS);
        l->keys[l->nkeys++] = k;
    }
    if (!l->nkeys) return fail(p, "'keys' needs the keys that work, e.g. 'keys space e'");
    return 0;
}

static int parse_cue(struct parser *p, const char *word, char *rest)
{
    struct lesson *l = p->l;
    struct lesson_cue c = {.line = p->line, .first = l->nactions};
    if (strcmp(word, "on") == 0) {
        if (strcmp(rest, "enter") != 0) return fail(p, "a cue is 'at step N' or 'on enter'");
        c.on_enter = 1;
    } else {
        char *end;
        if (strncmp(rest, "step", 4) != 0 || (rest[4] != ' ' && rest[4] != '\t'))
            return fail(p, "a cue is 'at step N' or 'on enter'");
        const char *num = rest + 5 + strspn(rest + 5, " \t");
        unsigned long long v = strtoull(num, &end, 10);
        if (end == num || *end || num[0] == '-')
            return fail(p, "'at step' needs a whole number, not '%.40s'", num);
        for (size_t i = l->ncues; i-- > 0;)
            if (!l->cues[i].on_enter) {
                if (v < l->cues[i].step)
                    return fail(
                        p, "step %llu comes before the step of line %u (%llu): cues fire in order",
                        v, l->cues[i].line, (unsigned long long)l->cues[i].step);
                break;
            }
        c.step = v;
    }
    if (l->ncues == p->cap_cues) {
        p->cap_cues = p->cap_cues ? 2 * p->cap_cues : 16;
        l->cues = xrealloc(l->cues, p->cap_cues * sizeof *l->cues);
    }
    l->cues[l->ncues++] = c;
    return 0;
}

static int parse_action(struct parser *p, const char *word, char *rest)
{
    struct lesson *l = p->l;
    if (!l->ncues) return fail(p, "'%.40s' before the first cue ('at step N' or 'on enter')", word);
    int id = ctl_from_name(word);
    if (strcmp(word, "caption") == 0) {
        size_t n = 0;
        for (size_t i = l->cues[l->ncues - 1].first; i < l->nactions; i++)
            n += l->actions[i].kind == LESSON_CAPTION;
        if (n == LESSON_CAPTION_LINES)
            return fail(p, "a caption has at most %d lines", LESSON_CAPTION_LINES);
        add_action(p, LESSON_CAPTION)->text = rest; /* an empty line is a blank caption line */
        return 0;
    }
    static const struct {
        const char *name;
        enum lesson_action_kind kind;
    } plain[] = {{"clear", LESSON_CLEAR}, {"pause", LESSON_PAUSE},       {"resume", LESSON_RESUME},
                 {"eval", LESSON_EVAL},   {"bookmark", LESSON_BOOKMARK}, {"reset", LESSON_RESET}};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (strcmp(word, plain[i].name) == 0) {
            if (*rest) return fail(p, "'%s' takes no value", word);
            add_action(p, plain[i].kind);
            return 0;
        }
    if (strcmp(word, "wait") == 0) {
        if (*rest) return fail(p, "'wait' takes no value");
        l->cues[l->ncues - 1].wait = 1;
        return 0;
    }
    if (strcmp(word, "pace") == 0) {
        char *end;
        double v = strcmp(rest, "max") == 0 ? 0 : strtod(rest, &end);
        if (strcmp(rest, "max") != 0 && (end == rest || *end || ctl_pace_level(v) <= 0))
            return fail(p, "pace is max, 50, 10, 2 or 0.5 (batches per second), not '%.40s'", rest);
        add_action(p, LESSON_PACE)->value = v;
        return 0;
    }
    if (id >= 0) {
        double v;
        char why[FTL_ERRLEN];
        if (!*rest) return fail(p, "'%s' needs a value", word);
        if (ctl_parse((enum ctl_id)id, rest, &v, why) != 0) return fail(p, "%s", why);
        struct lesson_action *a = add_action(p, LESSON_CONTROL);
        a->id = (enum ctl_id)id;
        a->value = v;
        return 0;
    }
    return fail(p,
                "unknown item '%.40s' (caption, clear, loss, lambda, margin, lr, pace, pause, "
                "resume, eval, bookmark, reset, wait)",
                word);
}

/* One line, NUL-terminated, without its newline; trailing spaces and a '\r' cut. */
static int parse_line(struct parser *p, char *s, int *seen_header)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    s += strspn(s, " \t");
    if (!*s || *s == '#') return 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 && *c != '\t') return fail(p, "a control byte (0x%02x) in the line", *c);
    char *rest = s + strcspn(s, " \t");
    if (*rest) *rest++ = '\0';
    rest += strspn(rest, " \t");
    if (!*seen_header) {
        if (strcmp(s, "lesson") != 0) return fail(p, "a lesson starts with 'lesson 1'");
        if (strcmp(rest, "1") != 0) return fail(p, "lesson format '%.20s' is not 1", rest);
        *seen_header = 1;
        return 0;
    }
    if (strcmp(s, "lesson") == 0) return fail(p, "'lesson' given twice");
    if (strcmp(s, "title") == 0) {
        if (p->l->ncues) return fail(p, "'title' belongs before the first cue");
        if (p->l->title) return fail(p, "'title' given twice");
        if (!*rest) return fail(p, "'title' needs a text");
        p->l->title = rest;
        return 0;
    }
    if (strcmp(s, "keys") == 0) return parse_keys(p, rest);
    if (strcmp(s, "at") == 0 || strcmp(s, "on") == 0) return parse_cue(p, s, rest);
    return parse_action(p, s, rest);
}

int lesson_read_mem(const void *buf, size_t len, const char *name, struct lesson *l, char *err)
{
    memset(l, 0, sizeof *l);
    struct parser p = {.l = l, .name = name, .err = err};
    l->text = xmalloc(len + 1);
    memcpy(l->text, buf, len);
    l->text[len] = '\0';
    int header = 0, rc = 0;
    if (memchr(l->text, '\0', len)) {
        p.line = 1;
        for (const char *c = l->text; c < l->text + len && *c; c++)
            p.line += *c == '\n';
        rc = fail(&p, "a NUL byte: not a text file");
    }
    for (char *s = l->text; rc == 0 && s < l->text + len;) {
        char *nl = memchr(s, '\n', (size_t)(l->text + len - s));
        if (nl) *nl = '\0';
        p.line++;
        if (strlen(s) > LESSON_MAX_LINE)
            rc = fail(&p, "line longer than %d bytes", LESSON_MAX_LINE);
        else
            rc = parse_line(&p, s, &header);
        s = nl ? nl + 1 : l->text + len;
    }
    if (rc == 0 && !header) rc = ftl_error(err, "%s: empty: a lesson starts with 'lesson 1'", name);
    if (rc == 0 && !l->ncues)
        rc =
            ftl_error(err, "%s: no cue ('at step N' or 'on enter'): the lesson does nothing", name);
    if (rc != 0) lesson_free(l);
    return rc;
}

int lesson_read(const char *path, struct lesson *l, char *err)
{
    char *text;
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    int rc = lesson_read_mem(text, len, path, l, err);
    free(text);
    return rc;
}

void lesson_free(struct lesson *l)
{
    free(l->text);
    free(l->cues);
    free(l->actions);
    memset(l, 0, sizeof *l);
}
