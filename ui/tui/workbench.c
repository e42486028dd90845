/*
 * tui — the workbench: the event loop, the layout and the keys.
 *
 * This thread owns the screen and nothing else: training runs on the thread
 * live.c starts, and everything between the two goes through live.h. Each
 * frame copies the snapshot (a few KB) and the new points out under its lock,
 * then draws from its own copies into one canvas, which is blitted to stdscr.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canvas.h"
#include "chart.h"
#include "export.h"
#include "heatmap.h"
#include "live.h"
#include "plotdata.h"
#include "session.h"
#include "term.h"
#include "util.h"
#include "workbench.h"

#define MIN_W 40
#define MIN_H 12
#define FRAME_SECONDS 0.045 /* at most ~20 frames/s; the 50 ms poll keeps it near that */
#define PROBE_EVERY 100
#define PROBE_SEQUENCES 2000

/* The series the loss panel draws, grown as points arrive. */
struct series {
    size_t n, cap;
    double *step, *val[REG_COUNT + 1]; /* [0] task, [1..3] decov, xcov, proposed; [4] total */
    double *test_step, *test;
    size_t ntest, cap_test;
    struct mark {
        uint64_t step;
        char text[48]; /* every change at that step: "→ proposed, λ=0.1" */
    } * marks;
    size_t nmarks, cap_marks;
};

/* One control change onto the chart's markers, worded as in the figures (ctl_marker_append). */
static void add_change(struct series *s, uint64_t step, enum ctl_id id, double v)
{
    if (!s->nmarks || s->marks[s->nmarks - 1].step != step) {
        if (s->nmarks == s->cap_marks) {
            s->cap_marks = s->cap_marks ? 2 * s->cap_marks : 16;
            s->marks = xrealloc(s->marks, s->cap_marks * sizeof *s->marks);
        }
        s->marks[s->nmarks++] = (struct mark){.step = step};
    }
    struct mark *m = &s->marks[s->nmarks - 1];
    ctl_marker_append(m->text, sizeof m->text, id, v, term_utf8());
}

struct tui {
    struct live *live;
    struct live_snapshot snap;
    struct series s;
    struct canvas canvas;
    int log_y;
    int smooth; /* index into smoothing[] */
    int help;   /* the key overlay is up */
    int quitting;
    int sample;
    char dir[512];
    struct export_job *export;
};

static const double smoothing[] = {0, 0.6, 0.8, 0.9, 0.95, 0.98};
#define NSMOOTH (int)(sizeof smoothing / sizeof *smoothing)

static volatile sig_atomic_t got_signal;
static int signal_fd = -1;

static void on_signal(int sig)
{
    got_signal = sig;
    if (signal_fd >= 0) {
        char b = 1;
        ssize_t r = write(signal_fd, &b, 1);
        (void)r;
    }
}

// ---- taking points ----

static void grow(double **a, size_t cap)
{
    *a = xrealloc(*a, cap * sizeof **a);
}

static void take_points(struct tui *t)
{
    struct live_point buf[512];
    size_t got;
    struct series *s = &t->s;
    while ((got = live_take_points(t->live, buf, 512)) > 0) {
        for (size_t i = 0; i < got; i++) {
            if (s->n == s->cap) {
                s->cap = s->cap ? 2 * s->cap : 1024;
                grow(&s->step, s->cap);
                for (int k = 0; k <= REG_COUNT; k++)
                    grow(&s->val[k], s->cap);
            }
            s->step[s->n] = (double)buf[i].step;
            s->val[0][s->n] = buf[i].task;
            for (int k = 1; k < REG_COUNT; k++)
                s->val[k][s->n] = buf[i].reg[k];
            s->val[REG_COUNT][s->n] = buf[i].total;
            s->n++;
            if (!isnan(buf[i].test)) {
                if (s->ntest == s->cap_test) {
                    s->cap_test = s->cap_test ? 2 * s->cap_test : 64;
                    grow(&s->test_step, s->cap_test);
                    grow(&s->test, s->cap_test);
                }
                s->test_step[s->ntest] = (double)buf[i].step;
                s->test[s->ntest++] = buf[i].test;
            }
        }
    }
    struct live_marker mk[64];
    while ((got = live_take_markers(t->live, mk, 64)) > 0)
        for (size_t i = 0; i < got; i++)
            add_change(s, mk[i].step, mk[i].id, mk[i].value);
}

/* A resumed run: its curves so far come from metrics.csv, its markers from the journal. */
static void load_history(struct series *s, const char *dir)
{
    char *path = ftl_path_join(dir, "metrics.csv"), err[FTL_ERRLEN];
    struct plotdata_csv t;
    if (plotdata_csv_read(path, &t, err) == 0) {
        int cs = plotdata_csv_col(&t, "step"), col[REG_COUNT];
        /* Column 0 is the task loss; each regulariser's is its name (metrics.csv). */
        for (int k = 0; k < REG_COUNT; k++)
            col[k] = plotdata_csv_col(&t, k == REG_BASELINE ? "task" : reg_table[k].name);
        s->cap = t.nrow + 1024;
        grow(&s->step, s->cap);
        for (int k = 0; k <= REG_COUNT; k++)
            grow(&s->val[k], s->cap);
        for (size_t r = 0; r < t.nrow && cs >= 0; r++) {
            s->step[s->n] = t.v[r * t.ncol + cs];
            for (int k = 0; k < REG_COUNT; k++)
                s->val[k][s->n] = col[k] >= 0 ? t.v[r * t.ncol + col[k]] : NAN;
            s->val[REG_COUNT][s->n] = NAN;
            s->n++;
        }
        plotdata_csv_free(&t);
    }
    free(path);
    struct plotdata_change *c;
    size_t nc;
    if (plotdata_changes(dir, &c, &nc, err) == 0) {
        for (size_t i = 0; i < nc; i++)
            add_change(s, c[i].step, c[i].id, c[i].value);
        free(c);
    }
}

/*
 * A resumed run's evaluations: evals.csv holds every one (one row per k and
 * evaluation, in order: the AMI history), eval.csv the last (runs older than
 * evals.csv have only that). Without either there is none yet; a file that
 * does not read says so on the status line.
 */
static void load_last_eval(struct live *l, const char *dir)
{
    char *path = ftl_path_join(dir, "evals.csv"), err[FTL_ERRLEN];
    if (access(path, F_OK) != 0) {
        free(path);
        path = ftl_path_join(dir, "eval.csv");
    }
    struct plotdata_csv t;
    int rc = access(path, F_OK) == 0 ? plotdata_csv_read(path, &t, err) : 1;
    free(path);
    if (rc < 0) live_post(l, "last evaluation not shown: %s", err);
    if (rc != 0) return;
    int cs = plotdata_csv_col(&t, "step"), ck = plotdata_csv_col(&t, "k");
    int cmax = plotdata_csv_col(&t, "ami_max"), carith = plotdata_csv_col(&t, "ami_arithmetic");
    int cunits = plotdata_csv_col(&t, "active_units");
    int ctask = plotdata_csv_col(&t, "test_accuracy");
    if (ctask < 0) ctask = plotdata_csv_col(&t, "test_error");
    if (cs < 0 || ck < 0 || cmax < 0 || carith < 0 || cunits < 0 || ctask < 0 || t.nrow == 0) {
        live_post(l, "last evaluation not shown: %s/eval.csv lacks a column or a row", dir);
        plotdata_csv_free(&t);
        return;
    }
    /* Rows of one step are one evaluation; each goes to the history in order. */
    for (size_t r = 0; r < t.nrow;) {
        const double *first = &t.v[r * t.ncol];
        struct live_scores sc = {
            .step = (uint64_t)first[cs], .task = first[ctask], .active_units = (int)first[cunits]};
        for (; r < t.nrow && t.v[r * t.ncol + cs] == first[cs]; r++) {
            const double *row = &t.v[r * t.ncol];
            if (sc.nk == EVAL_MAX_K) continue;
            sc.k[sc.nk] = (int)row[ck];
            sc.ami_max[sc.nk] = row[cmax];
            sc.ami_arithmetic[sc.nk++] = row[carith];
        }
        live_add_scores(l, &sc);
    }
    plotdata_csv_free(&t);
}

static void series_free(struct series *s)
{
    free(s->step);
    for (int k = 0; k <= REG_COUNT; k++)
        free(s->val[k]);
    free(s->test_step);
    free(s->test);
    free(s->marks);
}

// ---- panels ----

static void draw_loss(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    struct series *s = &t->s;
    double alpha = smoothing[t->smooth];
    double *sm[REG_COUNT] = {0};
    struct chart_series cs[REG_COUNT];
    int ns = 0;
    for (int k = 0; k < REG_COUNT; k++) {
        sm[k] = xmallocarray(s->n ? s->n : 1, sizeof *sm[k]);
        if (alpha > 0) /* chart_ema's alpha is the weight of the newest sample */
            chart_ema(s->val[k], s->n, 1 - alpha, sm[k]);
        else if (s->n)
            memcpy(sm[k], s->val[k], s->n * sizeof *sm[k]);
        /* The baseline's slot draws the task loss. */
        cs[ns++] =
            (struct chart_series){.name = k == REG_BASELINE ? "task" : reg_table[k].label,
                                  .x = s->step,
                                  .y = sm[k],
                                  .n = s->n,
                                  .color = (enum term_color)(TC_SERIES0 + reg_table[k].tui_series)};
    }
    struct chart_marker *m = xmallocarray(s->nmarks + 1, sizeof *m);
    for (size_t i = 0; i < s->nmarks; i++)
        m[i] = (struct chart_marker){.x = (double)s->marks[i].step, .label = s->marks[i].text};
    char title[128];
    snprintf(title, sizeof title, "Loss terms%s%s", t->log_y ? " (log)" : "",
             alpha > 0 ? ", smoothed" : "");
    struct chart_opts o = {.title = title, .log_y = t->log_y};
    chart_render(c, y, x, h, w, cs, ns, m, (int)s->nmarks, &o);
    free(m);
    for (int k = 0; k < REG_COUNT; k++)
        free(sm[k]);
}

static void draw_heatmap(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    char title[96];
    if (v->heat_step == 0)
        snprintf(title, sizeof title, "Figure 2");
    else
        snprintf(title, sizeof title, "Figure 2 (%d/%d active)", v->heat_active, v->units);
    struct heatmap_opts o = {.title = title};
    heatmap_render(c, y, x, h, w, v->heat, v->units, 10, &o, NULL);
}

static void draw_scores(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    canvas_text(c, y, x, "Clusters (KMeans on the test split, AMI vs the ten digits)", TC_TITLE, w);
    if (v->nscores == 0) {
        canvas_text(c, y + 1, x + 1, v->evaluating ? "evaluating..." : "no evaluation yet: press e",
                    TC_DIM, w - 1);
        return;
    }
    const struct live_scores *sc = &v->scores[v->nscores - 1];
    char line[256];
    int o = snprintf(line, sizeof line, " AMI_max  ");
    for (int j = 0; j < sc->nk && o < (int)sizeof line - 32; j++)
        o += snprintf(line + o, sizeof line - o, " k=%d %.3f ", sc->k[j], sc->ami_max[j]);
    canvas_text(c, y + 1, x, line, TC_DEFAULT, w);
    o = snprintf(line, sizeof line, " AMI_arith");
    for (int j = 0; j < sc->nk && o < (int)sizeof line - 32; j++)
        o += snprintf(line + o, sizeof line - o, " k=%d %.3f ", sc->k[j], sc->ami_arithmetic[j]);
    canvas_text(c, y + 2, x, line, TC_DEFAULT, w);
    snprintf(line, sizeof line, " at step %llu: %s %.4f, %d active units%s",
             (unsigned long long)sc->step,
             v->task == TASK_CLASSIFY ? "test accuracy" : "reconstruction error", sc->task,
             sc->active_units, v->evaluating ? "  (evaluating...)" : "");
    canvas_text(c, y + 3, x, line, TC_LABEL, w);
    /* The history of AMI_max at the middle k, once there are two evaluations. */
    if (h >= 7 && v->nscores >= 2) {
        int mid = sc->nk / 2;
        double xs[LIVE_SCORE_HISTORY], ys[LIVE_SCORE_HISTORY];
        for (int i = 0; i < v->nscores; i++) {
            xs[i] = (double)v->scores[i].step;
            ys[i] = v->scores[i].ami_max[mid];
        }
        char title[64], paper_name[48];
        snprintf(title, sizeof title, "AMI_max k=%d over steps", sc->k[mid]);
        struct chart_series cs[2] = {
            {.name = "AMI_max", .x = xs, .y = ys, .n = (size_t)v->nscores, .color = TC_SERIES4}};
        int ns = 1;
        /*
         * The paper's Table 1 value for the loss in force and this task, at this k,
         * as a dotted line: isolated points every few columns (NaN between them
         * breaks the line), across the steps shown.
         */
        int kk = sc->k[mid] - 9;
        double ref = kk >= 0 && kk < 3 ? reg_table[v->ctl.loss].paper[v->task][kk] : NAN;
        double rx[96], ry[96];
        if (isfinite(ref)) {
            double x0 = xs[0], x1 = xs[v->nscores - 1];
            for (int i = 0; i < 96; i++) {
                rx[i] = x0 + (x1 - x0) * i / 95.0;
                ry[i] = i % 2 ? NAN : ref;
            }
            snprintf(paper_name, sizeof paper_name, "paper %s %.3f", reg_table[v->ctl.loss].name,
                     ref);
            cs[ns++] = (struct chart_series){
                .name = paper_name, .x = rx, .y = ry, .n = 96, .color = TC_MARKER};
        }
        /* The journal's changes on the same x axis as the loss chart's. */
        struct chart_marker *m = xmallocarray(t->s.nmarks + 1, sizeof *m);
        for (size_t i = 0; i < t->s.nmarks; i++)
            m[i] = (struct chart_marker){.x = (double)t->s.marks[i].step, .label = NULL};
        struct chart_opts co = {.title = title};
        chart_render(c, y + 4, x, h - 4, w, cs, ns, m, (int)t->s.nmarks, &co);
        free(m);
    }
}

/* "42s", "3:07", "1:02:03". */
static void fmt_duration(double s, char *buf, size_t cap)
{
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, cap, "%lds", t);
    else if (t < 3600)
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* Cells a UTF-8 string takes (every character here is one cell wide). */
static int cells(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * The status line: fields in a fixed order, each with a priority; on a narrow
 * terminal the lowest go first, so the state, the step, the controls and the
 * run folder stay whole instead of the line being cut.
 */
static void draw_status(struct tui *t, struct canvas *c, int y, int w)
{
    const struct live_snapshot *v = &t->snap;
    canvas_fill(c, &(struct canvas_rect){y, 0, 2, w}, TC_STATUS);
    enum { NF = 7 + CTL_COUNT };
    char field[NF][600];
    int prio[NF], n = 0;
    /* The epoch the next step falls in; once training is over, the one the last step fell in. */
    int over = v->state != LIVE_RUNNING && v->state != LIVE_PAUSED;
    int at_boundary = v->step > 0 && v->steps_per_epoch && v->step % v->steps_per_epoch == 0;
    unsigned long long epoch = v->epoch + (over && at_boundary ? 0 : 1);
    snprintf(field[n], sizeof field[n], "%s%s", t->quitting ? "saving" : live_state_name(v->state),
             v->evaluating ? ", evaluating" : "");
    prio[n++] = 10;
    snprintf(field[n], sizeof field[n], "step %llu/%llu epoch %llu", (unsigned long long)v->step,
             (unsigned long long)v->total_steps, epoch);
    prio[n++] = 9;
    snprintf(field[n], sizeof field[n], "%.0f seq/s", v->seq_per_s);
    prio[n++] = 2;
    /* Elapsed training time and, while it runs towards a known end, the time left. */
    char left[32] = "";
    if (v->state == LIVE_RUNNING && v->total_steps > v->step && v->steps_per_s > 0)
        fmt_duration((double)(v->total_steps - v->step) / v->steps_per_s, left, sizeof left);
    char took[32];
    fmt_duration(v->elapsed, took, sizeof took);
    snprintf(field[n], sizeof field[n], "%s%s%s%s", took, left[0] ? " ~" : "", left,
             left[0] ? " left" : "");
    prio[n++] = 3;
    for (int i = 0; i < CTL_COUNT; i++) { /* the controls, as ctl_table names them */
        double x = ctl_get(&v->ctl, (enum ctl_id)i);
        if (i == CTL_LOSS)
            snprintf(field[n], sizeof field[n], "loss %s", reg_table[(int)x].name);
        else
            snprintf(field[n], sizeof field[n], "%s %.3g",
                     term_utf8() ? ctl_table[i].symbol : ctl_table[i].ascii, x);
        prio[n++] = i == CTL_LOSS || i == CTL_LAMBDA ? 8 : 6;
    }
    snprintf(field[n], sizeof field[n], "%s", model_task_name(v->task));
    prio[n++] = 1;
    snprintf(field[n], sizeof field[n], "%s", v->data);
    prio[n++] = 4;
    snprintf(field[n], sizeof field[n], "%s", v->dir);
    prio[n++] = 7;
    int shown[NF] = {0}, len = 0;
    for (int p = 10; p > 0; p--)
        for (int i = 0; i < n; i++)
            if (prio[i] == p && len + 3 + cells(field[i]) <= w)
                shown[i] = 1, len += 3 + cells(field[i]);
    char line[1024];
    int o = 0;
    for (int i = 0; i < n && o < (int)sizeof line; i++)
        if (shown[i]) o += snprintf(line + o, sizeof line - o, "%s%s", o ? " | " : " ", field[i]);
    canvas_text(c, y + 1, 0, line, TC_STATUS, w);
    const char *msg = v->message[0] ? v->message : "";
    if (t->sample && !v->message[0])
        msg = "embedded sample data: install MNIST strokes with 'ftlab data fetch'";
    snprintf(line, sizeof line, " %s", msg);
    canvas_text(c, y, 0, line,
                v->state == LIVE_DIVERGED || v->state == LIVE_FAILED ? TC_ERROR : TC_STATUS, w);
}

// ---- keys: one table; the dispatch, the title bar and the ? overlay read it ----

static void act_loss(struct tui *t, int kind)
{
    live_set_loss(t->live, (enum reg_kind)kind);
}
static void act_control(struct tui *t, int arg) /* arg = id * 2 + (1 for up) */
{
    live_step_control(t->live, (enum ctl_id)(arg / 2), arg % 2 ? 1 : -1);
}
static void act_pause(struct tui *t, int arg)
{
    (void)arg, live_toggle_pause(t->live);
}
static void act_request(struct tui *t, int r)
{
    live_request(t->live, (enum live_request)r);
}
static void act_export(struct tui *t, int arg)
{
    (void)arg;
    export_start(&t->export, t->dir, t->snap.heat_step ? t->snap.heat : NULL, t->snap.units,
                 t->live);
}
static void act_log(struct tui *t, int arg)
{
    (void)arg, t->log_y = !t->log_y;
}
static void act_smooth(struct tui *t, int dir)
{
    t->smooth = t->smooth + dir < 0          ? 0
                : t->smooth + dir >= NSMOOTH ? NSMOOTH - 1
                                             : t->smooth + dir;
}
static void act_help(struct tui *t, int arg)
{
    (void)arg, t->help = 1;
}
static void act_quit(struct tui *t, int arg)
{
    (void)arg, t->quitting = 1;
}

/*
 * One binding: the keys that do it (with the argument each passes), how the
 * overlay and the title bar name them, and the bar's priority (the bar drops
 * the lowest first when the terminal is narrow; 0 = never on the bar).
 */
#define MAX_KEYS 8
struct binding {
    char keys[16]; /* as the overlay shows them: "+ -" */
    char bar[24];  /* the title bar's words: "+/- λ" */
    int bar_prio;
    char help[80];
    void (*act)(struct tui *t, int arg);
    int nkeys, key[MAX_KEYS], arg[MAX_KEYS];
};

static struct binding bindings[24];
static int nbindings;

static struct binding *bind(const char *keys, int bar_prio, const char *bar, const char *help,
                            void (*act)(struct tui *, int))
{
    struct binding *b = &bindings[nbindings++];
    *b = (struct binding){.bar_prio = bar_prio, .act = act};
    snprintf(b->keys, sizeof b->keys, "%s", keys);
    snprintf(b->bar, sizeof b->bar, "%s", bar ? bar : "");
    snprintf(b->help, sizeof b->help, "%s", help);
    return b;
}

static void bind_key(struct binding *b, int ch, int arg)
{
    b->key[b->nkeys] = ch;
    b->arg[b->nkeys++] = arg;
}

/* The bindings, from reg_table (a key per loss) and ctl_table (a pair per stepped control). */
static void keys_init(void)
{
    char keys[16] = "", help[80] = "", bar[24];
    nbindings = 0;
    for (int r = 0; r < REG_COUNT; r++) {
        size_t kn = strlen(keys), hn = strlen(help);
        snprintf(keys + kn, sizeof keys - kn, "%s%c", r ? " " : "", reg_table[r].key);
        snprintf(help + hn, sizeof help - hn, "%s%s", r ? " / " : "", reg_table[r].name);
    }
    size_t hn = strlen(help);
    snprintf(help + hn, sizeof help - hn, " loss (next batch)");
    snprintf(bar, sizeof bar, "%c-%c loss", reg_table[0].key, reg_table[REG_COUNT - 1].key);
    struct binding *b = bind(keys, 9, bar, help, act_loss);
    for (int r = 0; r < REG_COUNT; r++)
        bind_key(b, reg_table[r].key, r);
    bind_key(bind("space", 8, "space pause", "pause / resume", act_pause), ' ', 0);
    for (int i = 0; i < CTL_COUNT; i++) {
        const struct ctl_entry *c = &ctl_table[i];
        if (!c->up) continue;
        const char *sym = term_utf8() ? c->symbol : c->ascii;
        snprintf(keys, sizeof keys, "%c %c", c->down, c->up);
        snprintf(bar, sizeof bar, "%c%s%c %s", c->down, c->step == CTL_STEP_SCALE ? "/" : " ",
                 c->up, sym);
        if (c->step == CTL_STEP_SCALE)
            snprintf(help, sizeof help, "%s (%s) /%g / x%g", c->help, sym, c->by, c->by);
        else
            snprintf(help, sizeof help, "%s (%s) -%g / +%g", c->help, sym, c->by, c->by);
        b = bind(keys, i == CTL_LAMBDA ? 7 : 4, bar, help, act_control);
        bind_key(b, c->down, i * 2);
        bind_key(b, c->up, i * 2 + 1);
        /* The unshifted twins of + and -, so λ needs no shift key. */
        if (i == CTL_LAMBDA) bind_key(b, '=', i * 2 + 1), bind_key(b, '_', i * 2);
    }
    bind_key(bind("e", 6, "e eval", "cluster evaluation now (in the background)", act_request), 'e',
             LIVE_REQ_EVAL);
    bind_key(bind("x", 3, "x export", "export the figures through gnuplot", act_export), 'x', 0);
    bind_key(bind("s", 0, NULL, "checkpoint now", act_request), 's', LIVE_REQ_CHECKPOINT);
    bind_key(bind("l", 0, NULL, "log scale on / off", act_log), 'l', 0);
    b = bind("{ }", 0, NULL, "less / more smoothing", act_smooth);
    bind_key(b, '{', -1), bind_key(b, '}', 1);
    b = bind("?", 10, "? keys", "this help; any key closes it", act_help);
    bind_key(b, '?', 0), bind_key(b, 'h', 0);
    b = bind("q", 11, "q quit", "quit (saves final.ckpt)", act_quit);
    bind_key(b, 'q', 0), bind_key(b, 'Q', 0);
}

static void key(struct tui *t, int ch)
{
    if (t->help) {
        t->help = 0;
        return;
    }
    for (int i = 0; i < nbindings; i++)
        for (int k = 0; k < bindings[i].nkeys; k++)
            if (bindings[i].key[k] == ch) {
                bindings[i].act(t, bindings[i].arg[k]);
                return;
            }
}

/* " ftlab  1-4 loss  space pause ...": every bar binding that fits, dropping the lowest priority
 * first. */
static void title_bar(char *out, size_t cap, int width)
{
    int shown[24] = {0}, len = 6; /* " ftlab" */
    for (int prio = 11; prio > 0; prio--)
        for (int i = 0; i < nbindings; i++)
            if (bindings[i].bar_prio == prio) {
                int n = 2 + cells(bindings[i].bar);
                if (len + n <= width) shown[i] = 1, len += n;
            }
    int o = snprintf(out, cap, " ftlab");
    for (int i = 0; i < nbindings && o < (int)cap; i++)
        if (shown[i]) o += snprintf(out + o, cap - o, "  %s", bindings[i].bar);
}

static void draw_help(struct canvas *c, int H, int W)
{
    int n = nbindings + 2, w = 0;
    for (int i = 0; i < nbindings; i++) /* as wide as the longest line, if the terminal is */
        if (14 + cells(bindings[i].help) > w) w = 14 + cells(bindings[i].help);
    w = w < W - 2 ? w : W - 2;
    int h = n + 2 < H - 2 ? n + 2 : H - 2, y0 = (H - h) / 2, x0 = (W - w) / 2;
    canvas_fill(c, &(struct canvas_rect){y0, x0, h, w}, TC_STATUS);
    canvas_text(c, y0 + 1, x0 + 2, "Keys", TC_TITLE, w - 4);
    for (int i = 0; i < nbindings && i + 3 < h; i++) {
        char line[128];
        snprintf(line, sizeof line, "%-9.15s %.79s", bindings[i].keys, bindings[i].help);
        canvas_text(c, y0 + 3 + i, x0 + 2, line, TC_STATUS, w - 4);
    }
}

// ---- panels: one table; the layout is computed from it for any terminal size ----

enum panel_place {
    PANEL_MAIN,   /* takes what the others leave */
    PANEL_SIDE,   /* a column on the right */
    PANEL_BOTTOM, /* a band under the main and side panels */
};

struct panel {
    const char *name;
    void (*draw)(struct tui *t, struct canvas *c, int y, int x, int h, int w);
    enum panel_place place;
    int min,
        max;   /* MAIN: the least width and height it needs; SIDE: its width; BOTTOM: its height */
    int share; /* SIDE, BOTTOM: percent of the terminal's width or height, within min..max */
};

static const struct panel panels[] = {
    {"loss", draw_loss, PANEL_MAIN, 40, 6, 0},
    {"Figure 2", draw_heatmap, PANEL_SIDE, 28, 44, 40},
    {"clusters", draw_scores, PANEL_BOTTOM, 4, 14, 30},
};
enum { NPANELS = sizeof panels / sizeof panels[0] };

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Bottom bands first, then side columns, each only while the main panel keeps
 * its minimum; a panel that does not fit at its minimum is left out whole
 * rather than drawn cut.
 */
static void layout(struct tui *t, struct canvas *c, int y, int h, int w)
{
    const struct panel *main = NULL;
    int main_w = w, main_h = h, bottom_y = y + h;
    for (int i = 0; i < NPANELS; i++)
        if (panels[i].place == PANEL_MAIN) main = &panels[i];
    for (int i = 0; i < NPANELS; i++) {
        const struct panel *p = &panels[i];
        if (p->place != PANEL_BOTTOM) continue;
        int ph = clamp(h * p->share / 100, p->min, p->max);
        if (main_h - ph < main->max) continue;
        main_h -= ph;
        bottom_y -= ph;
        p->draw(t, c, bottom_y, 0, ph, w);
    }
    int side_x = w;
    for (int i = 0; i < NPANELS; i++) {
        const struct panel *p = &panels[i];
        if (p->place != PANEL_SIDE) continue;
        int pw = clamp(w * p->share / 100, p->min, p->max);
        if (main_w - pw - 1 < main->min) continue;
        main_w -= pw + 1;
        side_x -= pw;
        p->draw(t, c, y, side_x, main_h, pw);
        side_x -= 1;
    }
    main->draw(t, c, y, 0, main_h, main_w);
}

/* The longest of these that fits the width, whole, in the middle of the screen. */

static void draw(struct tui *t)
{
    int H, W;
    getmaxyx(stdscr, H, W);
    if (t->canvas.h != H || t->canvas.w != W) {
        canvas_free(&t->canvas);
        canvas_init(&t->canvas, H, W, term_caps());
    }
    struct canvas *c = &t->canvas;
    canvas_clear(c);
    if (H < MIN_H || W < MIN_W) {
        canvas_too_small(c, MIN_W, MIN_H);
        canvas_blit(c, stdscr, 0, 0);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    char title[256];
    title_bar(title, sizeof title, W);
    canvas_text(c, 0, 0, title, TC_TITLE, W);
    layout(t, c, 1, H - 3, W); /* between the title line and the two status lines */
    draw_status(t, c, H - 2, W);
    if (t->help) draw_help(c, H, W);
    canvas_blit(c, stdscr, 0, 0);
    wnoutrefresh(stdscr);
    doupdate();
}

// ---- the loop ----

static void drain(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static int make_pipe(int fds[2])
{
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

int workbench_run(struct session *s, const struct workbench_opts *o, char *err)
{
    struct tui t = {.log_y = 1, .smooth = 2, .sample = o->sample};
    snprintf(t.dir, sizeof t.dir, "%s", o->dir);
    if (o->resumed) load_history(&t.s, t.dir);

    int wake[2], sigp[2];
    if (make_pipe(wake) != 0 || make_pipe(sigp) != 0) {
        session_free(s);
        return ftl_error(err, "cannot create a pipe: %s", strerror(errno));
    }
    /* Ctrl-C / TERM / HUP quit cleanly through the loop (final.ckpt, terminal restored). */
    signal_fd = sigp[1];
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (term_init(err) != 0) {
        session_free(s);
        return -1;
    }
    keys_init();
    t.live = live_start(s, wake[1], PROBE_EVERY, PROBE_SEQUENCES, o->paused);
    if (o->resumed) load_last_eval(t.live, t.dir);
    double last_draw = 0, frame_sum = 0, frame_max = 0;
    long frames = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = 0, .events = POLLIN},
                              {.fd = wake[0], .events = POLLIN},
                              {.fd = sigp[0], .events = POLLIN}};
        poll(p, 3, 50); /* >= 15 frames/s while anything changes, whatever training does */
        if (p[1].revents & POLLIN) drain(wake[0]);
        if (p[2].revents & POLLIN) {
            drain(sigp[0]);
            t.quitting = 1;
        }
        if (p[0].revents & POLLIN) {
            int ch;
            nodelay(stdscr, TRUE);
            while ((ch = getch()) != ERR)
                if (ch != KEY_RESIZE) key(&t, ch);
            nodelay(stdscr, FALSE);
        }
        if (p[0].revents & (POLLHUP | POLLERR)) t.quitting = 1;
        take_points(&t);
        live_view(t.live, &t.snap);
        double now = ftl_now();
        if (t.quitting) {
            draw(&t);
            break;
        }
        if (now - last_draw >= FRAME_SECONDS) {
            draw(&t);
            last_draw = now;
            double dt = ftl_now() - now;
            frame_sum += dt;
            frame_max = dt > frame_max ? dt : frame_max;
            frames++;
        }
    }
    export_cancel(&t.export);
    int rc = live_stop(t.live, err);
    term_end();
    canvas_free(&t.canvas);
    series_free(&t.s);
    signal_fd = -1;
    for (int i = 0; i < 2; i++) {
        close(wake[i]);
        close(sigp[i]);
    }
    /* For bench/: how long drawing a frame takes, on this terminal size and run. */
    if (getenv("FTLAB_FRAME_STATS") && frames > 0)
        fprintf(stderr, "frames %ld mean_ms %.3f max_ms %.3f\n", frames, 1e3 * frame_sum / frames,
                1e3 * frame_max);
    return rc;
}
