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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bigtext.h"
#include "branch.h"
#include "canvas.h"
#include "cast.h"
#include "chart.h"
#include "display.h"
#include "export.h"
#include "ghost.h"
#include "heatmap.h"
#include "lesson.h"
#include "live.h"
#include "plotdata.h"
#include "session.h"
#include "strokes.h"
#include "term.h"
#include "util.h"
#include "workbench.h"

#define MIN_W WORKBENCH_MIN_W
#define MIN_H WORKBENCH_MIN_H
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

/* The panels, in the order of panels[] (the focus names one). */
enum { P_LOSS, P_FIGURE2, P_CLUSTERS, P_SEEN, MAX_PANELS };

/*
 * Cursor mode: a vertical line on the focused chart whose step, losses, AMI
 * and nearest journal event the status line reads out. It holds a step, not
 * a column, so it stays on its point while the x axis rescales under it.
 */
struct cursor {
    int on;
    int at_end;                /* on the newest point, following it as points arrive */
    double x;                  /* where the user put it, in steps (at_end: ignored) */
    int valid;                 /* this frame found a point to read (step below) */
    double step;               /* the data point nearest x: what the read-out shows */
    struct chart_layout chart; /* the focused chart as last drawn: columns to x */
};

struct tui {
    struct live *live;
    struct live_snapshot snap;
    struct series s;
    struct canvas canvas;
    int log_y;
    int smooth; /* index into display_smoothing[] */
    int help;   /* the key overlay is up */
    int quitting;
    int sample;
    int focus;             /* P_*: the panel Tab moved to */
    int maxed;             /* the focused panel fills the area (f) */
    int shown[MAX_PANELS]; /* drawn in the last frame: what Tab cycles through */
    int window;            /* index into windows[] (z) */
    int epochs_x;          /* the charts' x axis in epochs, not steps (u) */
    struct cursor cursor;
    char dir[512];
    struct export_job *export;
    /* other runs and left lines, drawn faint (ghost.h); Figure 2 shows fig: 0 live, i+1 ghost i */
    struct ghost ghost[GHOST_MAX];
    int nghost, fig;
    /* the rewind menu (R): the run's checkpoints, newest first, and the one selected */
    int menu;
    struct branch_point *menu_pts;
    size_t menu_n, menu_sel;
    int present;    /* presenter mode (--present): the projector layout */
    double seen_at; /* when "what the network sees" last moved on by itself */
    int pin;        /* the digit it is pinned to (d), -1 for any */
    /* a lesson (--lesson): its cues fire in order; the caption box shows the last captions */
    const struct lesson *lesson;
    size_t cue;        /* the next cue to fire */
    int cue_gated;     /* the last cue said "wait": the next one needs Enter too */
    int lesson_paused; /* the last pause or resume the lesson gave was a pause */
    int enter;         /* Enter was pressed for the next cue */
    const char *caption[LESSON_CAPTION_LINES];
    int ncaption;
    /* Figure 2 as last drawn (live), for mouse clicks: where, how, which unit on each line */
    struct canvas_rect fig_at;
    struct heatmap_layout fig_lay;
    int fig_units[LIVE_MAX_UNITS];
};

/* "What the network sees" moves to another test sequence this often, unless a key moved it. */
#define SEEN_SECONDS 4.0

/* The x windows z cycles through: the whole run, then the last N steps (0: all). */
static const long windows[] = {0, 10000, 1000};
#define NWINDOWS (int)(sizeof windows / sizeof *windows)

#define NSMOOTH DISPLAY_NSMOOTH

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

/*
 * A rewind to step: the points after it are the line left behind, branch
 * `branch`; they become a ghost (replacing the oldest left line when the slots
 * are full), with the Figure 2 the screen showed, and leave the live series.
 */
static void rewind_series(struct tui *t, uint64_t step, int branch)
{
    struct series *s = &t->s;
    size_t keep = 0;
    while (keep < s->n && s->step[keep] <= (double)step)
        keep++;
    int slot = t->nghost < GHOST_MAX ? t->nghost++ : -1;
    for (int i = 0; slot < 0 && i < t->nghost; i++) /* the oldest left line goes */
        if (t->ghost[i].branch) slot = i;
    if (slot < 0) slot = t->nghost - 1;
    struct ghost *g = &t->ghost[slot];
    ghost_free(g);
    g->branch = branch;
    g->loss = -1;
    snprintf(g->label, sizeof g->label, "branch %d", branch);
    g->n = s->n - keep;
    g->step = xmallocarray(g->n + 1, sizeof *g->step);
    g->task = xmallocarray(g->n + 1, sizeof *g->task);
    memcpy(g->step, s->step + keep, g->n * sizeof *g->step);
    memcpy(g->task, s->val[0] + keep, g->n * sizeof *g->task);
    if (t->snap.heat_step > step && t->snap.units > 0) {
        size_t cells = (size_t)t->snap.units * (size_t)t->snap.classes;
        g->units = t->snap.units;
        g->classes = t->snap.classes;
        g->heat = xmallocarray(cells, sizeof *g->heat);
        memcpy(g->heat, t->snap.heat, cells * sizeof *g->heat);
        g->heat_step = t->snap.heat_step;
    }
    s->n = keep;
    while (s->ntest && s->test_step[s->ntest - 1] > (double)step)
        s->ntest--;
    while (s->nmarks && s->marks[s->nmarks - 1].step > step)
        s->nmarks--;
}

/* The evaluations of the line the last rewind left arrive in the snapshot: its ghost takes them. */
static void adopt_left_scores(struct tui *t)
{
    const struct live_snapshot *v = &t->snap;
    for (int i = 0; i < t->nghost; i++) {
        struct ghost *g = &t->ghost[i];
        if (g->branch != v->left_branch || g->nami || !v->nleft) continue;
        size_t cap = (size_t)v->nleft * EVAL_MAX_K;
        g->ami_step = xmallocarray(cap, sizeof *g->ami_step);
        g->ami = xmallocarray(cap, sizeof *g->ami);
        g->ami_k = xmallocarray(cap, sizeof *g->ami_k);
        for (int e = 0; e < v->nleft; e++)
            for (int j = 0; j < v->left[e].nk; j++) {
                g->ami_step[g->nami] = (double)v->left[e].step;
                g->ami_k[g->nami] = v->left[e].k[j];
                g->ami[g->nami++] = v->left[e].ami_max[j];
            }
    }
}

static void take_points(struct tui *t)
{
    struct live_point buf[512];
    size_t got;
    struct series *s = &t->s;
    while ((got = live_take_points(t->live, buf, 512)) > 0) {
        for (size_t i = 0; i < got; i++) {
            if (buf[i].rewound) {
                rewind_series(t, buf[i].step, buf[i].rewound);
                continue;
            }
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
        int cs = plotdata_csv_col(&t, "step"), col[REG_COUNT + 1];
        /* Column 0 is the task loss; each regulariser's is its name (metrics.csv); then total. */
        for (int k = 0; k < REG_COUNT; k++)
            col[k] = plotdata_csv_col(&t, k == REG_BASELINE ? "task" : reg_table[k].name);
        col[REG_COUNT] = plotdata_csv_col(&t, "total");
        s->cap = t.nrow + 1024;
        grow(&s->step, s->cap);
        for (int k = 0; k <= REG_COUNT; k++)
            grow(&s->val[k], s->cap);
        for (size_t r = 0; r < t.nrow && cs >= 0; r++) {
            s->step[s->n] = t.v[r * t.ncol + cs];
            for (int k = 0; k <= REG_COUNT; k++)
                s->val[k][s->n] = col[k] >= 0 ? t.v[r * t.ncol + col[k]] : NAN;
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

/* Cells a UTF-8 string takes (every character here is one cell wide). */
static int cells(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

// ---- the charts' x axis: window, units, cursor, focus ----

/* Axis units per step: 1, or 1/steps_per_epoch on an epoch axis (u). */
static double x_scale(const struct tui *t)
{
    return t->epochs_x && t->snap.steps_per_epoch ? 1.0 / (double)t->snap.steps_per_epoch : 1;
}

/* Steps in the axis' units, in a new array: the data stays in steps, the axis converts. */
static double *scaled_x(const double *steps, size_t n, double f)
{
    double *x = xmallocarray(n ? n : 1, sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = steps[i] * f;
    return x;
}

/*
 * The x window (z) and units (u) as chart options, the same for every chart
 * so their axes line up: the last N steps of the loss series, ending at its
 * newest point, so the window follows training.
 */
static void x_opts(const struct tui *t, struct chart_opts *o)
{
    const struct series *s = &t->s;
    double f = x_scale(t);
    o->x_real = f != 1;
    if (!windows[t->window] || s->n < 2) return;
    double first = s->step[0], newest = s->step[s->n - 1];
    o->fixed_x = true;
    o->x_min = fmax(first, newest - (double)windows[t->window]) * f;
    o->x_max = newest * f;
}

/* Index of the element of xs [n > 0] (ascending) nearest x; the earlier one on a tie. */
static size_t nearest(const double *xs, size_t n, double x)
{
    size_t lo = 0, hi = n; /* lo: the first element >= x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xs[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n) return n - 1;
    return lo > 0 && x - xs[lo - 1] <= xs[lo] - x ? lo - 1 : lo;
}

static int is_chart(int panel)
{
    return panel == P_LOSS || panel == P_CLUSTERS;
}

/* The steps of the focused chart's points: the loss series', or the evaluations'. */
static size_t focused_steps(const struct tui *t, double buf[LIVE_SCORE_HISTORY], const double **xs)
{
    if (t->focus == P_LOSS) {
        *xs = t->s.step;
        return t->s.n;
    }
    for (int i = 0; i < t->snap.nscores; i++)
        buf[i] = (double)t->snap.scores[i].step;
    *xs = buf;
    return t->focus == P_CLUSTERS ? (size_t)t->snap.nscores : 0;
}

/*
 * Once a frame, before drawing: the point the cursor reads, the one of the
 * focused chart nearest the cursor's step (the newest while at the end). A
 * cursor the x window has left behind waits at the window's left edge.
 */
static void cursor_resolve(struct tui *t)
{
    struct cursor *cu = &t->cursor;
    double buf[LIVE_SCORE_HISTORY];
    const double *xs;
    size_t n = focused_steps(t, buf, &xs);
    cu->valid = n > 0;
    if (!cu->valid) return;
    struct chart_opts o = {0};
    x_opts(t, &o);
    double x = cu->x, left = o.x_min / x_scale(t);
    if (o.fixed_x && x < left) x = left;
    cu->step = cu->at_end ? xs[n - 1] : xs[nearest(xs, n, x)];
}

/* The cursor's column on a chart as drawn (chart_render's layout), or -1 without a plot. */
static int cursor_col(const struct tui *t, const struct chart_layout *L)
{
    if (L->plot.w <= 0 || !(L->x_max > L->x_min)) return -1;
    /* At the end it sits on the newest point; elsewhere where the user put it. */
    double x = (t->cursor.at_end ? t->cursor.step : t->cursor.x) * x_scale(t);
    double col = floor((x - L->x_min) / (L->x_max - L->x_min) * L->plot.w);
    return col < 0 ? 0 : col >= L->plot.w ? L->plot.w - 1 : (int)col;
}

/*
 * The cursor on the focused chart just drawn: a line on the empty cells of
 * its column (the curves crossing it stay, in bold) and, under the axis, the
 * x of the point it reads. Keeps the layout, for the keys that move it.
 */
static void draw_cursor(struct tui *t, struct canvas *c, const struct chart_layout *L,
                        int label_row)
{
    t->cursor.chart = *L;
    int col = cursor_col(t, L);
    if (!t->cursor.on || !t->cursor.valid || col < 0) return;
    for (int row = 0; row < L->plot.h; row++) {
        struct cell *cl = canvas_cell_in(c, &L->plot, row, col);
        if (cl && cl->ch == ' ') /* bold white: no series or marker has that look */
            canvas_put_in(c, &L->plot, row, col, term_utf8() ? 0x2502 : '|', TC_TITLE);
        else if (cl)
            cl->bold = 1;
    }
    if (label_row != L->plot.y + L->plot.h) return; /* a chart without x labels */
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%.6g", t->cursor.step * x_scale(t));
    const struct canvas_rect line = {label_row, L->plot.x, 1, L->plot.w};
    int at = clamp(col - len / 2, 0, L->plot.w - len);
    /* An axis label it covers in part goes whole, so no stray digits stand beside it. */
    struct cell *cl;
    for (int i = at - 1; (cl = canvas_cell_in(c, &line, 0, i)) && cl->ch != ' '; i--)
        cl->ch = ' ';
    for (int i = at + len; (cl = canvas_cell_in(c, &line, 0, i)) && cl->ch != ' '; i++)
        cl->ch = ' ';
    canvas_text_in(c, &line, 0, at, buf, TC_STATUS_KEY, len);
}

/* The focused panel's title starts with this marker... */
static const char *focus_mark(const struct tui *t, int panel)
{
    return t->focus != panel ? "" : term_utf8() ? "▶ " : "> ";
}

/* ...and is drawn highlighted: the title cells at (y, x), up to the first that is not one. */
static void highlight_title(const struct tui *t, int panel, struct canvas *c, int y, int x, int w)
{
    struct cell *cl;
    for (int i = 0; t->focus == panel && i < w && (cl = canvas_cell(c, y, x + i)); i++) {
        if (cl->color != TC_TITLE) break;
        cl->color = TC_STATUS_KEY;
    }
}

// ---- panels ----

static void draw_loss(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    struct series *s = &t->s;
    double alpha = display_smoothing[t->smooth], f = x_scale(t);
    double *sm[REG_COUNT] = {0}, *gs[GHOST_MAX] = {0}, *gx[GHOST_MAX] = {0};
    double *xs = scaled_x(s->step, s->n, f);
    struct chart_series cs[GHOST_MAX + REG_COUNT];
    int ns = 0;
    /* Ghosts first, so the live curves are drawn over them; each its task loss, smoothed alike. */
    for (int i = 0; i < t->nghost; i++) {
        const struct ghost *g = &t->ghost[i];
        gs[i] = xmallocarray(g->n ? g->n : 1, sizeof *gs[i]);
        gx[i] = scaled_x(g->step, g->n, f);
        chart_ema(g->task, g->n, alpha > 0 ? 1 - alpha : 1, gs[i]);
        cs[ns++] = (struct chart_series){.name = g->label,
                                         .x = gx[i],
                                         .y = gs[i],
                                         .n = g->n,
                                         .color = (enum term_color)(TC_GHOST0 + i)};
    }
    for (int k = 0; k < REG_COUNT; k++) {
        sm[k] = xmallocarray(s->n ? s->n : 1, sizeof *sm[k]);
        if (alpha > 0) /* chart_ema's alpha is the weight of the newest sample */
            chart_ema(s->val[k], s->n, 1 - alpha, sm[k]);
        else if (s->n)
            memcpy(sm[k], s->val[k], s->n * sizeof *sm[k]);
        /* The baseline's slot draws the task loss. */
        cs[ns++] =
            (struct chart_series){.name = k == REG_BASELINE ? "task" : reg_table[k].label,
                                  .x = xs,
                                  .y = sm[k],
                                  .n = s->n,
                                  .color = (enum term_color)(TC_SERIES0 + reg_table[k].tui_series)};
    }
    struct chart_marker *m = xmallocarray(s->nmarks + 1, sizeof *m);
    for (size_t i = 0; i < s->nmarks; i++)
        m[i] = (struct chart_marker){.x = (double)s->marks[i].step * f, .label = s->marks[i].text};
    char title[160], window[32] = "";
    if (windows[t->window]) snprintf(window, sizeof window, ", last %ld steps", windows[t->window]);
    snprintf(title, sizeof title, "%sLoss terms%s%s%s%s", focus_mark(t, P_LOSS),
             t->log_y ? " (log)" : "", alpha > 0 ? ", smoothed" : "", window,
             t->epochs_x ? ", x in epochs" : "");
    struct chart_opts o = {
        .title = title, .log_y = t->log_y, .key_first = t->nghost, .sparse = t->present};
    x_opts(t, &o);
    struct chart_layout L = chart_render(c, y, x, h, w, cs, ns, m, (int)s->nmarks, &o);
    highlight_title(t, P_LOSS, c, y, x, w);
    if (t->focus == P_LOSS) draw_cursor(t, c, &L, y + h - 1);
    free(m);
    free(xs);
    for (int k = 0; k < REG_COUNT; k++)
        free(sm[k]);
    for (int i = 0; i < t->nghost; i++)
        free(gs[i]), free(gx[i]);
}

/* "What the network sees" is on screen (presenter mode, or a wide terminal). */
static int seen_shown(const struct tui *t)
{
    return t->shown[P_SEEN];
}

static uint32_t heat_total(const uint32_t *h, int units, int classes, uint32_t *max)
{
    uint32_t sum = 0;
    *max = 0;
    for (int i = 0; i < units * classes; i++) {
        sum += h[i];
        *max = h[i] > *max ? h[i] : *max;
    }
    return sum;
}

/*
 * Figure 2 of the live run, or (g) of a ghost. A ghost's counts come from
 * its evaluation over the whole test split, the live ones from the probe
 * set: the ghost's are scaled to the probe's size, and both are drawn on one
 * colour scale (the larger maximum), so the flip compares like with like.
 */
static void draw_heatmap(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    char title[96];
    int C = v->classes;
    uint32_t live_max, ghost_max = 0, probe = heat_total(v->heat, v->units, C, &live_max);
    const struct ghost *g = t->fig > 0 && t->fig <= t->nghost ? &t->ghost[t->fig - 1] : NULL;
    uint32_t *scaled = NULL;
    if (g && g->heat && g->classes == C && probe > 0) { /* another data set's cannot compare */
        uint32_t gmax, gsum = heat_total(g->heat, g->units, C, &gmax);
        scaled = xmallocarray((size_t)g->units * (size_t)C, sizeof *scaled);
        for (int i = 0; i < g->units * C; i++) {
            scaled[i] = gsum ? (uint32_t)((double)g->heat[i] * probe / gsum + 0.5) : 0;
            ghost_max = scaled[i] > ghost_max ? scaled[i] : ghost_max;
        }
    }
    const char *names[DATASET_MAX_GROUPS];
    for (int i = 0; i < C; i++)
        names[i] = v->class_name[i];
    struct heatmap_opts o = {.title = title,
                             .col_names = C ? names : NULL,
                             .scale_max = live_max > ghost_max ? live_max : ghost_max,
                             .widest = t->present ? 14 : 0,
                             .mark = seen_shown(t) && v->seen.unit >= 0,
                             .mark_unit = v->seen.unit};
    if (g && scaled) {
        snprintf(title, sizeof title, "%sFigure 2 of %s (step %llu; g: next)",
                 focus_mark(t, P_FIGURE2), g->label, (unsigned long long)g->heat_step);
        heatmap_render(c, y, x, h, w, scaled, g->units, C, &o, NULL);
        highlight_title(t, P_FIGURE2, c, y, x, w);
        free(scaled);
        return;
    }
    if (g)
        snprintf(title, sizeof title, "%sFigure 2: %s has none (g: next)", focus_mark(t, P_FIGURE2),
                 g->label);
    else if (v->heat_step == 0)
        snprintf(title, sizeof title, "%sFigure 2", focus_mark(t, P_FIGURE2));
    else
        snprintf(title, sizeof title, "%sFigure 2 (%d/%d active)%s", focus_mark(t, P_FIGURE2),
                 v->heat_active, v->units, t->nghost ? " g: ghosts" : "");
    char title_short[96]; /* beside "20 hidden" in a narrow panel: "Fig. 2" keeps the ")" */
    if (v->heat_step != 0 && !g) {
        snprintf(title_short, sizeof title_short, "%sFig. 2 (%d/%d active)",
                 focus_mark(t, P_FIGURE2), v->heat_active, v->units);
        o.title_short = title_short;
    }
    t->fig_lay = heatmap_render(c, y, x, h, w, v->heat, v->units, C, &o,
                                v->units <= LIVE_MAX_UNITS ? t->fig_units : NULL);
    t->fig_at = (struct canvas_rect){y, x, h, w};
    highlight_title(t, P_FIGURE2, c, y, x, w);
    free(scaled);
}

static void draw_ami(struct tui *t, struct canvas *c, int y, int x, int h, int w);

static void draw_scores(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    char head[96];
    snprintf(head, sizeof head, "%sClusters (KMeans on the test split, AMI vs the %s)",
             focus_mark(t, P_CLUSTERS),
             v->class_digits    ? "ten digits"
             : v->class_grouped ? "groups"
                                : "labels");
    canvas_text(c, y, x, head, TC_TITLE, w);
    highlight_title(t, P_CLUSTERS, c, y, x, w);
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
    if (h >= 7) draw_ami(t, c, y + 4, x, h - 4, w);
}

/* The history of AMI_max at the middle k, once there are two evaluations. */
static void draw_ami(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    if (v->nscores >= 2) {
        const struct live_scores *sc = &v->scores[v->nscores - 1];
        int mid = sc->nk / 2;
        double xs[LIVE_SCORE_HISTORY], ys[LIVE_SCORE_HISTORY], f = x_scale(t);
        for (int i = 0; i < v->nscores; i++) {
            xs[i] = (double)v->scores[i].step * f;
            ys[i] = v->scores[i].ami_max[mid];
        }
        char title[64], paper_name[48];
        snprintf(title, sizeof title, "AMI_max k=%d over steps", sc->k[mid]);
        struct chart_series cs[GHOST_MAX + 2];
        double gx[GHOST_MAX][LIVE_SCORE_HISTORY * 2], gy[GHOST_MAX][LIVE_SCORE_HISTORY * 2];
        int ns = 0;
        for (int i = 0; i < t->nghost; i++) { /* beneath, at the same k */
            size_t gn =
                ghost_ami_at(&t->ghost[i], sc->k[mid], gx[i], gy[i], LIVE_SCORE_HISTORY * 2);
            for (size_t e = 0; e < gn; e++)
                gx[i][e] *= f;
            if (gn)
                cs[ns++] = (struct chart_series){.name = t->ghost[i].label,
                                                 .x = gx[i],
                                                 .y = gy[i],
                                                 .n = gn,
                                                 .color = (enum term_color)(TC_GHOST0 + i)};
        }
        int nghosts = ns;
        cs[ns++] = (struct chart_series){
            .name = "AMI_max", .x = xs, .y = ys, .n = (size_t)v->nscores, .color = TC_SERIES4};
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
            m[i] = (struct chart_marker){.x = (double)t->s.marks[i].step * f, .label = NULL};
        struct chart_opts co = {.title = title, .key_first = nghosts};
        x_opts(t, &co);
        co.sparse = t->present;
        struct chart_layout L = chart_render(c, y, x, h, w, cs, ns, m, (int)t->s.nmarks, &co);
        if (t->focus == P_CLUSTERS) draw_cursor(t, c, &L, y + h - 1);
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

// ---- the cursor's read-out: the status line's message rows while the cursor is on ----

#define READOUT_ROWS 3 /* at most (80 columns take three); one on a wide terminal */
#define MAX_FIELDS (REG_COUNT + 8)

struct field {
    char text[160];
    int prio; /* the narrower the terminal, the more of the lowest are left out */
};

static struct field *add_field(struct field *f, int *n, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct field *add_field(struct field *f, int *n, int prio, const char *fmt, ...)
{
    struct field *x = &f[(*n)++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->text, sizeof x->text, fmt, ap);
    va_end(ap);
    x->prio = prio;
    return x;
}

/* The last evaluation at or before step: AMI_max at the middle k (the history chart's). */
static void readout_ami(const struct tui *t, double step, struct field *f, int *n)
{
    const struct live_scores *sc = NULL;
    for (int i = 0; i < t->snap.nscores && (double)t->snap.scores[i].step <= step; i++)
        sc = &t->snap.scores[i];
    if (!sc || sc->nk == 0) {
        add_field(f, n, 6, "no AMI yet");
        return;
    }
    int mid = sc->nk / 2;
    add_field(f, n, 8, "AMI_max k=%d %.6g (step %llu)", sc->k[mid], sc->ami_max[mid],
              (unsigned long long)sc->step);
}

/* The journal's change nearest step, before or after it. */
static void readout_event(const struct tui *t, double step, struct field *f, int *n)
{
    const struct mark *best = NULL;
    for (size_t i = 0; i < t->s.nmarks; i++)
        if (!best || fabs((double)t->s.marks[i].step - step) < fabs((double)best->step - step))
            best = &t->s.marks[i];
    if (best)
        add_field(f, n, 7, "event step %llu: %s", (unsigned long long)best->step, best->text);
    else
        add_field(f, n, 2, "no journal event");
}

/*
 * The fields: the step and epoch of the point under the cursor, every loss
 * term there as training computed it (the raw values, not the smoothed
 * curve), the last AMI and the nearest journal event.
 */
static int readout_fields(const struct tui *t, struct field *f)
{
    const struct cursor *cu = &t->cursor;
    const struct series *s = &t->s;
    int n = 0;
    if (!cu->valid) {
        add_field(f, &n, 10, "cursor: %s",
                  t->focus == P_CLUSTERS ? "no evaluation yet" : "no points yet");
        add_field(f, &n, 1, "c or Esc leaves");
        return n;
    }
    add_field(f, &n, 10, "cursor at step %.0f", cu->step);
    if (t->snap.steps_per_epoch)
        add_field(f, &n, 10, "epoch %.6g", cu->step / (double)t->snap.steps_per_epoch);
    if (s->n > 0) {
        size_t i = nearest(s->step, s->n, cu->step);
        for (int k = 0; k <= REG_COUNT; k++) /* the names of metrics.csv's columns */
            add_field(f, &n, 9, "%s %.6g",
                      k == REG_BASELINE ? "task"
                      : k == REG_COUNT  ? "total"
                                        : reg_table[k].name,
                      s->val[k][i]);
    }
    readout_ami(t, cu->step, f, &n);
    readout_event(t, cu->step, f, &n);
    add_field(f, &n, 1, "%s Home End move, c or Esc leaves", term_utf8() ? "← →" : "Left Right");
    return n;
}

/* The chosen fields, in order, two spaces apart, onto lines of w cells; returns the lines
 * used (more than max: they did not fit, and only max were written). */
static int pack(const struct field *f, int n, const int *use, int w, char out[][512], int max)
{
    int lines = 0, len = 0;
    for (int i = 0; i < n; i++) {
        if (!use[i]) continue;
        int need = cells(f[i].text);
        if (lines == 0 || len + 2 + need > w) {
            if (need + 1 > w) return max + 1; /* never fits */
            if (++lines <= max) snprintf(out[lines - 1], 512, " %s", f[i].text);
            len = 1 + need;
        } else {
            if (lines <= max) {
                size_t o = strlen(out[lines - 1]);
                snprintf(out[lines - 1] + o, 512 - o, "  %s", f[i].text);
            }
            len += 2 + need;
        }
    }
    return lines;
}

/* The read-out on at most READOUT_ROWS lines of width w, the lowest priorities left out
 * first when it does not fit; returns the lines it takes (at least 1). */
static int readout(const struct tui *t, int w, char out[READOUT_ROWS][512])
{
    struct field f[MAX_FIELDS];
    int n = readout_fields(t, f), use[MAX_FIELDS] = {0};
    for (int p = 10; p > 0; p--)
        for (int i = 0; i < n; i++)
            if (f[i].prio == p) {
                use[i] = 1;
                if (pack(f, n, use, w, out, READOUT_ROWS) > READOUT_ROWS) use[i] = 0;
            }
    int lines = pack(f, n, use, w, out, READOUT_ROWS);
    if (lines == 0) snprintf(out[lines++], 512, " ");
    return lines;
}

/*
 * The status line: fields in a fixed order, each with a priority; on a narrow
 * terminal the lowest go first, so the state, the step, the controls and the
 * run folder stay whole instead of the line being cut.
 */
static void draw_status(struct tui *t, struct canvas *c, int y, int w, char ro[][512], int nro)
{
    const struct live_snapshot *v = &t->snap;
    canvas_fill(c, &(struct canvas_rect){y, 0, nro + 1, w}, TC_STATUS);
    enum { NF = 8 + CTL_COUNT };
    char field[NF][600];
    int prio[NF], n = 0;
    /* The epoch the next step falls in; once training is over, the one the last step fell in. */
    int over = v->state != LIVE_RUNNING && v->state != LIVE_PAUSED;
    int at_boundary = v->step > 0 && v->steps_per_epoch && v->step % v->steps_per_epoch == 0;
    unsigned long long epoch = v->epoch + (over && at_boundary ? 0 : 1);
    snprintf(field[n], sizeof field[n], "%s%s", t->quitting ? "saving" : live_state_name(v->state),
             v->evaluating ? ", evaluating" : "");
    prio[n++] = 10;
    /* A run without --epochs/--steps trains until quit: no total, no time left. */
    if (v->total_steps)
        snprintf(field[n], sizeof field[n], "step %llu/%llu epoch %llu",
                 (unsigned long long)v->step, (unsigned long long)v->total_steps, epoch);
    else
        snprintf(field[n], sizeof field[n], "step %llu epoch %llu", (unsigned long long)v->step,
                 epoch);
    prio[n++] = 9;
    snprintf(field[n], sizeof field[n], "pace %s", ctl_pace_name[v->pace]);
    prio[n++] = 5;
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
    canvas_text(c, y + nro, 0, line, TC_STATUS, w);
    if (t->cursor.on) { /* the read-out in place of the message */
        for (int i = 0; i < nro; i++)
            canvas_text(c, y + i, 0, ro[i], TC_STATUS, w);
        return;
    }
    const char *msg = v->message[0] ? v->message : "";
    if (t->sample && !v->message[0])
        msg = !v->class_digits
                  ? "embedded vitals sample: synthetic ICU stays (sample-data/README.md)"
              : t->sample == WORKBENCH_SAMPLE_BESIDE_MNIST
                  ? "embedded sample data (synthetic pen strokes), not the installed data"
                  : "embedded sample data: install MNIST strokes with 'ftlab data fetch'";
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
static void act_pace(struct tui *t, int dir) /* , slower (1), . faster (-1) */
{
    live_step_pace(t->live, dir);
}
static void act_request(struct tui *t, int r)
{
    live_request(t->live, (enum live_request)r);
}
static void act_export(struct tui *t, int arg)
{
    (void)arg;
    export_start(&t->export, t->dir, t->snap.heat_step ? t->snap.heat : NULL, t->snap.units,
                 &t->snap, t->live);
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
// ---- lessons: cues fired from the frame loop, through the same live.h calls as the keys ----

static void lesson_fire(struct tui *t, const struct lesson_cue *c)
{
    int captioned = 0;
    for (size_t i = c->first; i < c->first + c->n; i++) {
        const struct lesson_action *a = &t->lesson->actions[i];
        switch (a->kind) {
        case LESSON_CAPTION: /* a cue's captions replace the ones shown */
            if (!captioned++) t->ncaption = 0;
            t->caption[t->ncaption++] = a->text;
            break;
        case LESSON_CLEAR:
            t->ncaption = 0;
            break;
        case LESSON_CONTROL:
            live_set_control(t->live, a->id, a->value);
            break;
        case LESSON_PACE:
            live_set_pace(t->live, ctl_pace_level(a->value));
            break;
        case LESSON_PAUSE:
        case LESSON_RESUME:
            t->lesson_paused = a->kind == LESSON_PAUSE;
            live_set_paused(t->live, t->lesson_paused);
            break;
        case LESSON_EVAL:
            live_request(t->live, LIVE_REQ_EVAL);
            break;
        case LESSON_BOOKMARK:
            live_request(t->live, LIVE_REQ_BOOKMARK);
            break;
        case LESSON_RESET:
            live_request(t->live, LIVE_REQ_RESET);
            break;
        }
    }
}

/* Does the next cue wait for Enter (its trigger, or the last cue's "wait")? */
static int lesson_wants_enter(const struct tui *t)
{
    const struct lesson *ls = t->lesson;
    return ls && t->cue < ls->ncues && (t->cue_gated || ls->cues[t->cue].on_enter);
}

/* Every frame: fires the cues whose time has come, in order. */
static void lesson_tick(struct tui *t)
{
    const struct lesson *ls = t->lesson;
    while (ls && t->cue < ls->ncues) {
        const struct lesson_cue *c = &ls->cues[t->cue];
        if ((t->cue_gated || c->on_enter) && !t->enter) return;
        if (!c->on_enter && t->snap.step < c->step) return;
        t->enter = 0;
        t->cue_gated = c->wait;
        lesson_fire(t, c);
        t->cue++;
    }
}

/* A lesson that names its keys lets only those work (and q, ?, Enter, always). */
static int lesson_allows(const struct tui *t, int ch)
{
    const struct lesson *ls = t->lesson;
    if (!ls || !ls->nkeys || ch == 'q' || ch == '?' || ch == '\n' || ch == '\r' || ch == KEY_ENTER)
        return 1;
    for (int i = 0; i < ls->nkeys; i++)
        if (ls->keys[i] == ch) return 1;
    return 0;
}

/* Where text's line of at most w > 0 cells ends: after the last whole word that fits (or
 * inside a word longer than the line); *next: where the following line starts. */
static const char *wrap_line(const char *text, int w, const char **next)
{
    const char *p = text, *space = NULL;
    for (int n = 0; *p && n < w; n++) {
        if (*p == ' ') space = p;
        for (p++; ((unsigned char)*p & 0xC0) == 0x80; p++)
            ;
    }
    const char *cut = !*p || *p == ' ' ? p : space && space > text ? space : p;
    for (*next = cut; **next == ' '; ++*next)
        ;
    return cut;
}

/* Lines of the caption wrapped to w columns (at most max; 0 without a caption). */
static int caption_rows(const struct tui *t, int w, int max)
{
    int rows = 0;
    for (int i = 0; i < t->ncaption && rows < max; i++) {
        const char *p = t->caption[i];
        do {
            wrap_line(p, w, &p);
            rows++;
        } while (*p && rows < max);
    }
    return rows;
}

/* A caption's text is inset 2 columns in a band inset 2 from each side of the screen. */
static int caption_text_w(int W)
{
    return W - 8;
}

/*
 * A lesson's caption: a band of its own above the status band, its title on the band's top
 * row, as tall as its lines wrapped to the width (at most half the screen), so that it covers
 * no panel and cuts no line. Its height, 0 without a caption.
 */
static int caption_height(const struct tui *t, int H, int W)
{
    int gated = lesson_wants_enter(t);
    if (!t->lesson || (!t->ncaption && !gated) || caption_text_w(W) < 10) return 0;
    int max = H / 2 - 2 - gated;
    if (max < 1) return 0;
    return caption_rows(t, caption_text_w(W), max) + 2 + gated;
}

static void draw_caption(struct tui *t, struct canvas *c, int y0, int h, int W)
{
    if (h == 0) return;
    int gated = lesson_wants_enter(t), x0 = 2, tx = x0 + 2, tw = caption_text_w(W);
    canvas_fill(c, &(struct canvas_rect){y0, x0, h, W - 2 * x0}, TC_STATUS);
    char head[160];
    snprintf(head, sizeof head, " %s ", t->lesson->title ? t->lesson->title : "lesson");
    canvas_text(c, y0, tx, head, TC_STATUS_KEY, tw);
    int y = y0 + 1, end = y0 + h - 1 - gated, i; /* the text on rows y0 + 1 .. end - 1 */
    const char *p = "";
    for (i = 0; i < t->ncaption && y < end; i++) {
        p = t->caption[i];
        do {
            const char *from = p, *cut = wrap_line(from, tw, &p);
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(cut - from), from);
            canvas_text(c, y, tx, line, TC_STATUS, tw);
            for (int x = tx; x < tx + tw; x++) { /* large type is not at hand: bold */
                struct cell *cl = canvas_cell(c, y, x);
                if (cl) cl->bold = 1;
            }
            y++;
        } while (*p && y < end);
    }
    /* More than half the screen holds (caption_height): the last line shown says so. */
    if (*p || i < t->ncaption) {
        struct cell *cl = canvas_cell(c, end - 1, tx + tw - 1);
        if (cl) cl->ch = c->caps & CANVAS_UTF8 ? 0x2026 : L'>';
    }
    if (gated) canvas_text(c, end, tx, "Enter: go on", TC_STATUS_KEY, tw);
}

/* R: the menu of checkpoints to rewind to, newest first (those of the current line). */
static void act_rewind_menu(struct tui *t, int arg)
{
    (void)arg;
    char err[FTL_ERRLEN];
    free(t->menu_pts);
    t->menu_pts = NULL;
    if (branch_checkpoints(t->dir, &t->menu_pts, &t->menu_n, err) != 0) {
        live_post(t->live, "no checkpoints to rewind to: %s", err);
        return;
    }
    /* Newest first, and none ahead of the run (there are none on its line; say so if there were).
     */
    struct branch_point *all = t->menu_pts;
    size_t n = 0;
    t->menu_pts = xmallocarray(t->menu_n + 1, sizeof *t->menu_pts);
    for (size_t i = t->menu_n; i-- > 0;)
        if (all[i].step <= t->snap.step) t->menu_pts[n++] = all[i];
    free(all);
    t->menu_n = n;
    t->menu_sel = 0;
    t->menu = n > 0;
    if (!n) live_post(t->live, "no checkpoint to rewind to yet: b bookmarks this step");
}
/* v: another sequence now; d: pin the next class (any, then each digit or group, any). */
static void act_seen(struct tui *t, int arg)
{
    /* The pin is counted here, not read back: keys may come faster than the trainer answers. */
    if (arg == 1) {
        live_show(t->live, 1, LIVE_PIN_KEEP);
    } else {
        t->pin = t->pin >= t->snap.classes - 1 ? -1 : t->pin + 1;
        live_show(t->live, 0, t->pin);
    }
    t->seen_at = ftl_now();
}
static void act_bookmark(struct tui *t, int arg)
{
    (void)arg, live_request(t->live, LIVE_REQ_BOOKMARK);
}
static void act_ghost_fig(struct tui *t, int arg)
{
    (void)arg;
    if (!t->nghost) {
        live_post(t->live, "no ghosts: --ghost RUN_DIR draws another run faint; R leaves one");
        return;
    }
    t->fig = (t->fig + 1) % (t->nghost + 1);
}
static void set_focus(struct tui *t, int panel)
{
    t->focus = panel;
    t->cursor.at_end = 1; /* on another chart, the cursor starts again at its newest point */
    if (!is_chart(panel)) t->cursor.on = 0;
    cursor_resolve(t);
}
static void act_focus(struct tui *t, int dir) /* to the next (1) or previous (-1) panel shown */
{
    for (int i = 1; i < MAX_PANELS; i++) {
        int p = ((t->focus + dir * i) % MAX_PANELS + MAX_PANELS) % MAX_PANELS;
        if (t->maxed || t->shown[p]) {
            set_focus(t, p);
            return;
        }
    }
}
static void act_maximise(struct tui *t, int arg)
{
    (void)arg, t->maxed = !t->maxed;
}
static void act_window(struct tui *t, int arg)
{
    (void)arg, t->window = (t->window + 1) % NWINDOWS;
}
static void act_units(struct tui *t, int arg)
{
    (void)arg, t->epochs_x = !t->epochs_x;
}
static void act_cursor(struct tui *t, int leave) /* c toggles, Esc (leave = 1) leaves */
{
    if (leave || t->cursor.on) {
        t->cursor.on = 0;
    } else if (!is_chart(t->focus)) {
        live_post(t->live, "the cursor reads charts: Tab to the loss or the AMI history");
    } else {
        t->cursor.on = 1;
        t->cursor.at_end = 1;
        cursor_resolve(t); /* the keys that follow in this batch move from the newest point */
    }
}
/* Left and right by cols columns of the chart as last drawn; the last column follows the
 * newest point. */
static void act_cursor_move(struct tui *t, int cols)
{
    struct cursor *cu = &t->cursor;
    const struct chart_layout *L = &cu->chart;
    int col = cursor_col(t, L);
    if (!cu->on || col < 0) return;
    col = clamp(col + cols, 0, L->plot.w - 1);
    cu->at_end = col == L->plot.w - 1;
    /* the middle of that column, back in steps: the same column on the next frame */
    cu->x = (L->x_min + (col + 0.5) / L->plot.w * (L->x_max - L->x_min)) / x_scale(t);
    cursor_resolve(t);
}
static void act_cursor_ends(struct tui *t, int end) /* Home (0): the first column; End (1) */
{
    if (end)
        t->cursor.at_end = 1;
    else if (t->cursor.chart.plot.w > 0)
        act_cursor_move(t, -t->cursor.chart.plot.w);
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

#define MAX_BINDINGS 32
static struct binding bindings[MAX_BINDINGS];
static int nbindings;

static struct binding *bind(const char *keys, int bar_prio, const char *bar, const char *help,
                            void (*act)(struct tui *, int))
{
    if (nbindings == MAX_BINDINGS) abort(); /* a programming error: grow MAX_BINDINGS */
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
    /* Help lines stay short (about 26 cells): the overlay is two columns at 80x24. */
    for (int r = 0; r < REG_COUNT; r++) {
        size_t kn = strlen(keys);
        snprintf(keys + kn, sizeof keys - kn, "%s%c", r ? " " : "", reg_table[r].key);
    }
    snprintf(help, sizeof help, "the loss (next batch)");
    snprintf(bar, sizeof bar, "%c-%c loss", reg_table[0].key, reg_table[REG_COUNT - 1].key);
    struct binding *b = bind(keys, 9, bar, help, act_loss);
    for (int r = 0; r < REG_COUNT; r++)
        bind_key(b, reg_table[r].key, r);
    bind_key(bind("space", 8, "space pause", "pause / resume", act_pause), ' ', 0);
    b = bind(", .", 1, ",. pace", "pace slower / faster", act_pace);
    bind_key(b, ',', 1), bind_key(b, '.', -1);
    bind_key(bind("n", 0, NULL, "one batch, while paused", act_request), 'n', LIVE_REQ_STEP);
    bind_key(bind("0", 0, NULL, "reset to initial weights", act_request), '0', LIVE_REQ_RESET);
    for (int i = 0; i < CTL_COUNT; i++) {
        const struct ctl_entry *c = &ctl_table[i];
        if (!c->up) continue;
        const char *sym = term_utf8() ? c->symbol : c->ascii;
        snprintf(keys, sizeof keys, "%c %c", c->down, c->up);
        snprintf(bar, sizeof bar, "%c%s%c %s", c->down, c->step == CTL_STEP_SCALE ? "/" : " ",
                 c->up, sym);
        int named = strcmp(sym, c->name) != 0; /* "λ /2, x2 (lambda)", but "lr /2, x2" */
        snprintf(help, sizeof help,
                 c->step == CTL_STEP_SCALE ? "%s /%g, x%g%s%s%s" : "%s -%g, +%g%s%s%s", sym, c->by,
                 c->by, named ? " (" : "", named ? c->name : "", named ? ")" : "");
        b = bind(keys, i == CTL_LAMBDA ? 7 : 4, bar, help, act_control);
        bind_key(b, c->down, i * 2);
        bind_key(b, c->up, i * 2 + 1);
        /* The unshifted twins of + and -, so λ needs no shift key. */
        if (i == CTL_LAMBDA) bind_key(b, '=', i * 2 + 1), bind_key(b, '_', i * 2);
    }
    bind_key(bind("e", 6, "e eval", "evaluate the clusters now", act_request), 'e', LIVE_REQ_EVAL);
    bind_key(bind("x", 3, "x export", "export figures (gnuplot)", act_export), 'x', 0);
    bind_key(bind("s", 0, NULL, "checkpoint now", act_request), 's', LIVE_REQ_CHECKPOINT);
    bind_key(bind("b", 2, "b mark", "bookmark this step", act_bookmark), 'b', 0);
    bind_key(bind("R", 2, "R rewind", "rewind to a checkpoint", act_rewind_menu), 'R', 0);
    bind_key(bind("g", 0, NULL, "Figure 2: live / ghosts", act_ghost_fig), 'g', 0);
    bind_key(bind("v", 0, NULL, "sees: another digit", act_seen), 'v', 1);
    bind_key(bind("d", 0, NULL, "sees: one digit / any", act_seen), 'd', 2);
    bind_key(bind("l", 0, NULL, "log scale on / off", act_log), 'l', 0);
    b = bind("{ }", 0, NULL, "less / more smoothing", act_smooth);
    bind_key(b, '{', -1), bind_key(b, '}', 1);
    b = bind("Tab S-Tab", 0, NULL, "focus next / previous", act_focus);
    bind_key(b, '\t', 1), bind_key(b, KEY_BTAB, -1);
    bind_key(bind("f", 0, NULL, "maximise / restore", act_maximise), 'f', 0);
    bind_key(bind("z", 0, NULL, "x: all / 10k / 1k steps", act_window), 'z', 0);
    bind_key(bind("u", 0, NULL, "x in steps / epochs", act_units), 'u', 0);
    b = bind("c Esc", 5, "c cursor", "cursor: exact values", act_cursor);
    bind_key(b, 'c', 0), bind_key(b, 27, 1);
    b = bind(term_utf8() ? "← →" : "Left Right", 0, NULL, "cursor: 1 column (S: 10)",
             act_cursor_move);
    bind_key(b, KEY_LEFT, -1), bind_key(b, KEY_RIGHT, 1);
    bind_key(b, KEY_SLEFT, -10), bind_key(b, KEY_SRIGHT, 10);
    bind_key(b, KEY_PPAGE, -10), bind_key(b, KEY_NPAGE, 10);
    b = bind("Home End", 0, NULL, "cursor: first / newest", act_cursor_ends);
    bind_key(b, KEY_HOME, 0), bind_key(b, KEY_END, 1);
    b = bind("?", 10, "? keys", "this help", act_help);
    bind_key(b, '?', 0), bind_key(b, 'h', 0);
    b = bind("q", 11, "q quit", "quit (saves final.ckpt)", act_quit);
    bind_key(b, 'q', 0), bind_key(b, 'Q', 0);
}

/*
 * The mouse (opt-in: `mouse on` in the config): a click on a cell of the live
 * Figure 2 pins "what the network sees" to that digit and unit; the wheel
 * zooms the charts' x window (in: the last 10 000, then 1 000 steps).
 */
static void mouse_event(struct tui *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return;
    if (ev.bstate & BUTTON4_PRESSED) {
        t->window = t->window + 1 < NWINDOWS ? t->window + 1 : t->window;
        return;
    }
    if (ev.bstate & BUTTON5_PRESSED) {
        t->window = t->window > 0 ? t->window - 1 : 0;
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) || t->fig || !t->shown[P_FIGURE2])
        return;
    int unit, digit;
    if (!heatmap_hit(&t->fig_lay, t->fig_units, t->snap.classes, ev.y - t->fig_at.y,
                     ev.x - t->fig_at.x, &unit, &digit))
        return;
    t->pin = digit;
    t->seen_at = ftl_now();
    live_show_cell(t->live, digit, unit);
    live_post(t->live,
              "what the network sees: %s%s whose strongest unit is u%d, where there are any",
              t->snap.class_name[digit], t->snap.class_digits ? "s" : "", unit);
}

/* The rewind menu takes every key while it is up: move, choose, or leave. */
static void menu_key(struct tui *t, int ch)
{
    if (ch == KEY_UP || ch == 'k') {
        if (t->menu_sel > 0) t->menu_sel--;
    } else if (ch == KEY_DOWN || ch == 'j') {
        if (t->menu_sel + 1 < t->menu_n) t->menu_sel++;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        live_rewind(t->live, t->menu_pts[t->menu_sel].name);
        live_post(t->live, "rewinding to %s...", t->menu_pts[t->menu_sel].name);
        t->menu = 0;
    } else if (ch == 27 || ch == 'q' || ch == 'R') {
        t->menu = 0;
    }
}

static void key(struct tui *t, int ch)
{
    if (t->help) {
        t->help = 0;
        return;
    }
    if (t->menu) {
        menu_key(t, ch);
        return;
    }
    if (ch == KEY_MOUSE) {
        mouse_event(t);
        return;
    }
    if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) && lesson_wants_enter(t)) {
        t->enter = 1;
        return;
    }
    if (!lesson_allows(t, ch)) {
        live_post(t->live, "this lesson keeps that key off; q quits, ? shows the keys");
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
    int shown[MAX_BINDINGS] = {0}, len = 6; /* " ftlab" */
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

/* Lines a binding's help takes in a column of w cells. */
static int help_lines(const struct binding *b, int w)
{
    int n = 0;
    for (const char *p = b->help; *p && w > 0; n++)
        wrap_line(p, w, &p);
    return n ? n : 1;
}

/* One binding at (y, x), above row bottom: its keys in a column of kw cells, its help wrapped
 * beside them. Returns the lines it took. */
static int draw_binding(struct canvas *c, const struct binding *b, int y, int x, int kw, int hw,
                        int bottom)
{
    canvas_text(c, y, x, b->keys, TC_STATUS_KEY, kw - 1);
    int n = 0;
    for (const char *p = b->help; *p && hw > 0 && y + n < bottom; n++) {
        const char *start = p, *end = wrap_line(p, hw, &p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(end - start), start);
        canvas_text(c, y + n, x + kw, line, TC_STATUS, hw);
    }
    return n ? n : 1;
}

/*
 * The keys, in one column when they fit the screen's height, else in two,
 * the help wrapped beside its keys (so nothing is cut at 80x24); only a
 * terminal smaller than that loses the last lines.
 */
static void draw_help(struct canvas *c, int H, int W)
{
    int kw = 0, longest = 0;
    for (int i = 0; i < nbindings; i++) {
        kw = cells(bindings[i].keys) + 1 > kw ? cells(bindings[i].keys) + 1 : kw;
        longest = cells(bindings[i].help) > longest ? cells(bindings[i].help) : longest;
    }
    int cols = 1, hw = longest, rows = 0, split = nbindings, maxh = H - 2;
    for (;; cols = 2) {
        int room = W - 2 - 4 - (cols - 1) * 2; /* the box's border and the gap between columns */
        hw = room / cols - kw < longest ? room / cols - kw : longest;
        int total = 0, left = 0;
        for (int i = 0; i < nbindings; i++)
            total += help_lines(&bindings[i], hw);
        split = nbindings;
        if (cols == 2) /* the first half of the lines on the left */
            for (split = 0; split < nbindings && left * 2 < total; split++)
                left += help_lines(&bindings[split], hw);
        /* Too tall for the screen even so: the right column (it ends with ? and q, how to
         * leave) stays whole and the left one is cut. */
        while (cols == 2 && split < nbindings && total - left > maxh - 4)
            left += help_lines(&bindings[split++], hw);
        rows = cols == 2 ? (left > total - left ? left : total - left) : total;
        if (cols == 2 || rows + 4 <= maxh) break;
    }
    int w = 4 + cols * (kw + hw) + (cols - 1) * 2, h = rows + 4 < maxh ? rows + 4 : maxh;
    int y0 = (H - h) / 2, x0 = (W - w) / 2;
    struct canvas_rect box = {y0, x0, h, w};
    canvas_fill(c, &box, TC_STATUS);
    canvas_text(c, y0 + 1, x0 + 2, "Keys (any key closes this)", TC_TITLE, w - 4);
    for (int col = 0; col < cols; col++) {
        int x = x0 + 2 + col * (kw + hw + 2), y = y0 + 3;
        for (int i = col ? split : 0; i < (col ? nbindings : split) && y < y0 + h - 1; i++)
            y += draw_binding(c, &bindings[i], y, x, kw, hw, y0 + h - 1);
    }
}

/* The rewind menu: a box in the middle, the selected line reversed, scrolled to keep it shown. */
static void draw_menu(struct tui *t, struct canvas *c, int H, int W)
{
    int w = W - 4 < 56 ? W - 4 : 56, rows = (int)t->menu_n;
    int h = rows + 4 < H - 2 ? rows + 4 : H - 2, y0 = (H - h) / 2, x0 = (W - w) / 2;
    int fit = h - 4 > 0 ? h - 4 : 0, first = 0;
    if ((int)t->menu_sel >= fit) first = (int)t->menu_sel - fit + 1;
    canvas_fill(c, &(struct canvas_rect){y0, x0, h, w}, TC_STATUS);
    canvas_text(c, y0 + 1, x0 + 2, "Rewind to (Enter; Esc cancels)", TC_STATUS, w - 4);
    for (int i = 0; i < fit && first + i < rows; i++) {
        const struct branch_point *p = &t->menu_pts[first + i];
        char line[96];
        snprintf(line, sizeof line, " %-28s step %llu ", p->name, (unsigned long long)p->step);
        canvas_text(c, y0 + 3 + i, x0 + 2, line,
                    (size_t)(first + i) == t->menu_sel ? TC_STATUS_KEY : TC_STATUS, w - 4);
    }
}

/* Other data than strokes: one line per channel, its values over time as block heights
 * scaled between the channel's own minimum and maximum in this sequence. */
static void draw_channels(struct canvas *c, int y, int x, int h, int w, const struct live_seen *v)
{
    static const wchar_t blocks[] = L"▁▂▃▄▅▆▇█";
    static const char ascii[] = "_.-:=+*#";
    int utf8 = c->caps & CANVAS_UTF8;
    for (int ch = 0; ch < v->channels && ch < h; ch++) {
        float lo = v->values[ch], hi = lo;
        for (int t = 1; t < v->len; t++) {
            float a = v->values[t * v->channels + ch];
            lo = a < lo ? a : lo;
            hi = a > hi ? a : hi;
        }
        for (int col = 0; col < w && v->len > 0; col++) {
            int t = (int)((long)col * v->len / w);
            if (w > v->len && col >= v->len) break;
            float a = v->values[t * v->channels + ch];
            int level = hi > lo ? (int)((a - lo) / (hi - lo) * 7.999f) : 3;
            canvas_put(c, y + ch, x + col, utf8 ? blocks[level] : (wchar_t)ascii[level],
                       (short)(TC_SERIES0 + ch % 4));
        }
    }
}

/*
 * "What the network sees": one test sequence (a digit's pen strokes, or its
 * channels over time), its class, the classifier's P(y = 1) (MNIST: P(5-9)),
 * and the unit that fires most for it (marked in Figure 2).
 */
static void draw_seen(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_seen *v = &t->snap.seen;
    x += 2, w -= 2; /* apart from the key of the chart on its left */
    canvas_text(c, y, x, "What the network sees", TC_TITLE, w);
    if (!v->shown) {
        canvas_text(c, y + 1, x + 1, "no test sequence yet", TC_DIM, w - 1);
        return;
    }
    char line[160];
    const char *name =
        v->group >= 0 && v->group < t->snap.classes ? t->snap.class_name[v->group] : "?";
    int digits = t->snap.class_digits;
    if (digits)
        snprintf(line, sizeof line, " test #%zu: a %s", v->index, name);
    else
        snprintf(line, sizeof line, " test #%zu: %s%s, y=%d", v->index,
                 t->snap.class_grouped ? "" : "label ", name, v->y);
    canvas_text(c, y + 1, x, line, TC_DEFAULT, w);
    if (!isnan(v->p59)) {
        int says = v->p59 >= 0.5f, truth = v->y;
        if (digits)
            snprintf(line, sizeof line, " P(5-9) %.2f: says %s, %s", v->p59, says ? "5-9" : "0-4",
                     says == truth ? "right" : "wrong");
        else
            snprintf(line, sizeof line, " P(y=1) %.2f: says %d, %s", v->p59, says,
                     says == truth ? "right" : "wrong");
        canvas_text(c, y + 2, x, line, says == truth ? TC_GOOD : TC_WARN, w);
    }
    if (v->unit >= 0)
        snprintf(line, sizeof line, " strongest unit: u%d", v->unit);
    else
        snprintf(line, sizeof line, " no unit fires for it");
    canvas_text(c, y + 3, x, line, TC_LABEL, w);
    if (v->pinned >= 0 && digits)
        snprintf(line, sizeof line, " only %ds (v next, d digit)", v->pinned);
    else if (v->pinned >= 0 && v->pinned < t->snap.classes)
        snprintf(line, sizeof line, " only %s (v next, d group)", t->snap.class_name[v->pinned]);
    else
        snprintf(line, sizeof line, " v next, d one %s", digits ? "digit" : "group");
    canvas_text(c, y + h - 1, x, line, TC_DIM, w);
    if (h > 6 && v->strokes)
        strokes_render(c, y + 4, x + 1, h - 5, w - 2, v->rows, v->len, TC_SERIES0, TC_DIM);
    else if (h > 6)
        draw_channels(c, y + 4, x + 1, h - 5, w - 2, v);
}

/* One figure of the strip: a caption, then its value in large type. */
static int strip_field(struct canvas *c, const struct canvas_rect *r, int x, const char *caption,
                       const char *value, short color)
{
    int w = bigtext_width(value), cw = cells(caption);
    if (x + (w > cw ? w : cw) > r->w) return 0;
    canvas_text_in(c, r, 0, x, caption, TC_LABEL, cw);
    bigtext_render(c, r, 1, x, value, color);
    return (w > cw ? w : cw) + 4;
}

/* The strip in large type: the loss, λ, the test accuracy and AMI_max, as far as they fit. */
static void draw_strip(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    const struct live_snapshot *v = &t->snap;
    struct canvas_rect r = {y, x, h, w};
    char caption[64], value[32];
    int at = 1;
    /* The task loss: what the class can compare across losses (the total holds λ·term). */
    double loss = t->s.n ? t->s.val[0][t->s.n - 1] : NAN;
    snprintf(caption, sizeof caption, "task loss, training with %s", reg_table[v->ctl.loss].name);
    snprintf(value, sizeof value, isfinite(loss) ? "%.3f" : "-", loss);
    at += strip_field(c, &r, at, caption, value, TC_SERIES0);
    snprintf(caption, sizeof caption, "%s", term_utf8() ? "λ" : "lambda");
    snprintf(value, sizeof value, "%.3g", v->ctl.lambda);
    at += strip_field(c, &r, at, caption, value, TC_SERIES1);
    const struct live_scores *sc = v->nscores ? &v->scores[v->nscores - 1] : NULL;
    if (v->task == TASK_CLASSIFY) {
        snprintf(value, sizeof value, sc ? "%.1f%%" : "-", sc ? 100 * sc->task : 0);
        at += strip_field(c, &r, at, "test accuracy", value, TC_SERIES2);
    }
    int mid = sc ? sc->nk / 2 : 0;
    snprintf(caption, sizeof caption, "AMI_max k=%d", sc ? sc->k[mid] : 10);
    snprintf(value, sizeof value, sc ? "%.3f" : "-", sc ? sc->ami_max[mid] : 0);
    strip_field(c, &r, at, caption, value, TC_SERIES4);
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
    int min_screen; /* placed only on a terminal at least this wide (0: any) */
};

static const struct panel panels[] = {
    {"loss", draw_loss, PANEL_MAIN, 40, 6, 0, 0},
    {"Figure 2", draw_heatmap, PANEL_SIDE, 28, 44, 40, 0},
    {"clusters", draw_scores, PANEL_BOTTOM, 4, 14, 30, 0},
    {"what the network sees", draw_seen, PANEL_SIDE, 30, 40, 18, 170},
};
enum { NPANELS = sizeof panels / sizeof panels[0] };
_Static_assert((int)NPANELS == (int)MAX_PANELS,
               "panels[] is in the order of P_LOSS, P_FIGURE2, P_CLUSTERS, P_SEEN");

/*
 * Where each panel goes (shown[i] 0: left out): bottom bands first, then
 * side columns, each only while the main panel keeps its minimum; a panel
 * that does not fit at its minimum is left out whole rather than drawn cut.
 * Maximised (f), the focused panel takes the whole area alone.
 */
static void place(struct tui *t, int y, int h, int w, struct canvas_rect at[])
{
    int main = P_LOSS;
    memset(t->shown, 0, sizeof t->shown);
    if (t->maxed) {
        t->shown[t->focus] = 1;
        at[t->focus] = (struct canvas_rect){y, 0, h, w};
        return;
    }
    for (int i = 0; i < NPANELS; i++)
        if (panels[i].place == PANEL_MAIN) main = i;
    int main_w = w, main_h = h, bottom_y = y + h;
    for (int i = 0; i < NPANELS; i++) {
        const struct panel *p = &panels[i];
        if (p->place != PANEL_BOTTOM) continue;
        int ph = clamp(h * p->share / 100, p->min, p->max);
        if (main_h - ph < panels[main].max) continue;
        main_h -= ph;
        bottom_y -= ph;
        at[i] = (struct canvas_rect){bottom_y, 0, ph, w}, t->shown[i] = 1;
    }
    int side_x = w;
    for (int i = 0; i < NPANELS; i++) {
        const struct panel *p = &panels[i];
        if (p->place != PANEL_SIDE || (p->min_screen && w < p->min_screen)) continue;
        int pw = clamp(w * p->share / 100, p->min, p->max);
        if (main_w - pw - 1 < panels[main].min) continue;
        main_w -= pw + 1;
        side_x -= pw;
        at[i] = (struct canvas_rect){y, side_x, main_h, pw}, t->shown[i] = 1;
        side_x -= 1;
    }
    at[main] = (struct canvas_rect){y, 0, main_h, main_w}, t->shown[main] = 1;
}

/* Presenter mode's AMI history: the chart alone, with a title while it waits for evaluations. */
static void draw_ami_panel(struct tui *t, struct canvas *c, int y, int x, int h, int w)
{
    if (t->snap.nscores >= 2) {
        draw_ami(t, c, y, x, h, w);
        return;
    }
    canvas_text(c, y, x, "AMI_max over steps", TC_TITLE, w);
    canvas_text(c, y + 1, x + 1, t->snap.evaluating ? "evaluating..." : "waiting for evaluations",
                TC_DIM, w - 1);
}

#define STRIP_ROWS (1 + BIGTEXT_ROWS + 1)

/*
 * Presenter mode (--present), for a projector seen from the back of a room:
 * the strip in large type on top, Figure 2 as the main panel with "what the
 * network sees" beside it, and the loss and AMI curves side by side below.
 */
static void place_present(struct tui *t, int y, int h, int w, struct canvas_rect at[])
{
    memset(t->shown, 0, sizeof t->shown);
    int chart_h = clamp(h * 30 / 100, 8, 22);
    if (h - STRIP_ROWS - chart_h < 12) chart_h = h - STRIP_ROWS - 12 > 6 ? h - STRIP_ROWS - 12 : 0;
    int top = y + STRIP_ROWS, mid_h = h - STRIP_ROWS - chart_h;
    int seen_w = clamp(w * 34 / 100, 24, 70);
    at[P_FIGURE2] = (struct canvas_rect){top, 0, mid_h, w - seen_w - 1};
    at[P_SEEN] = (struct canvas_rect){top, w - seen_w, mid_h, seen_w};
    t->shown[P_FIGURE2] = t->shown[P_SEEN] = 1;
    if (chart_h > 0) {
        int half = (w - 1) / 2;
        at[P_LOSS] = (struct canvas_rect){top + mid_h, 0, chart_h, half};
        at[P_CLUSTERS] = (struct canvas_rect){top + mid_h, half + 1, chart_h, w - half - 1};
        t->shown[P_LOSS] = t->shown[P_CLUSTERS] = 1;
    }
}

static void layout(struct tui *t, struct canvas *c, int y, int h, int w)
{
    struct canvas_rect at[NPANELS];
    if (t->present && !t->maxed && h >= STRIP_ROWS + 12) {
        place_present(t, y, h, w, at);
        if (!t->shown[t->focus]) set_focus(t, P_FIGURE2);
        draw_strip(t, c, y, 0, STRIP_ROWS, w);
        for (int i = 0; i < NPANELS; i++)
            if (t->shown[i])
                (i == P_CLUSTERS ? draw_ami_panel : panels[i].draw)(t, c, at[i].y, at[i].x, at[i].h,
                                                                    at[i].w);
        return;
    }
    place(t, y, h, w, at);
    if (!t->shown[t->focus]) set_focus(t, P_LOSS); /* its panel no longer fits the terminal */
    for (int i = 0; i < NPANELS; i++)
        if (t->shown[i]) panels[i].draw(t, c, at[i].y, at[i].x, at[i].h, at[i].w);
}

/* One frame, H x W, into t->canvas, from t's copies: what draw() blits and a recording writes. */
static void compose(struct tui *t, int H, int W)
{
    if (t->canvas.h != H || t->canvas.w != W) {
        canvas_free(&t->canvas);
        canvas_init(&t->canvas, H, W, term_caps());
    }
    struct canvas *c = &t->canvas;
    canvas_clear(c);
    if (H < MIN_H || W < MIN_W) {
        canvas_too_small(c, MIN_W, MIN_H);
        return;
    }
    char title[256], ro[READOUT_ROWS][512];
    title_bar(title, sizeof title, W);
    canvas_text(c, 0, 0, title, TC_TITLE, W);
    /* The status band: the message row (the cursor's read-out, on one or two) and the fields. */
    cursor_resolve(t);
    t->cursor.chart.plot.w = 0; /* until the focused chart is drawn */
    int nro = t->cursor.on ? readout(t, W, ro) : 1;
    int band = caption_height(t, H, W);     /* a lesson's caption, above the status band */
    layout(t, c, 1, H - 2 - nro - band, W); /* between the title line and those bands */
    draw_caption(t, c, H - 1 - nro - band, band, W);
    draw_status(t, c, H - 1 - nro, W, ro, nro);
    if (t->help) draw_help(c, H, W);
    if (t->menu) draw_menu(t, c, H, W);
}

static void draw(struct tui *t)
{
    int H, W;
    getmaxyx(stdscr, H, W);
    compose(t, H, W);
    canvas_blit(&t->canvas, stdscr, 0, 0);
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

/*
 * The --ghost runs, then (a resumed run) the newest lines its rewinds left,
 * as many as there is room for. A ghost that does not read is said so once.
 */
static void load_ghosts(struct tui *t, const struct workbench_opts *o, char *err)
{
    for (int i = 0; i < o->nghosts && t->nghost < GHOST_USER_MAX; i++) {
        char label[sizeof t->ghost[0].label];
        ghost_label(o->ghosts[i], label, sizeof label);
        if (ghost_load(&t->ghost[t->nghost], o->ghosts[i], label, err) == 0) t->nghost++;
    }
    struct branch_info *b;
    size_t nb;
    char ignored[FTL_ERRLEN];
    if (!o->resumed || branch_list(t->dir, &b, &nb, ignored) != 0) return;
    size_t first = nb > (size_t)(GHOST_MAX - t->nghost) ? nb - (size_t)(GHOST_MAX - t->nghost) : 0;
    for (size_t i = first; i < nb; i++) {
        char label[32];
        snprintf(label, sizeof label, "branch %d", b[i].id);
        if (ghost_load(&t->ghost[t->nghost], b[i].path, label, ignored) == 0)
            t->ghost[t->nghost++].branch = b[i].id;
    }
    branch_list_free(b, nb);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Ctrl-C / TERM / HUP: through the loop, which quits cleanly (final.ckpt, terminal restored). */
static void catch_signals(int fd)
{
    signal_fd = fd;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* The frame just drawn, into the recording (if any); a write that fails stops it, said once. */
static void record(struct tui *t, struct cast *rec, int last)
{
    char err[FTL_ERRLEN];
    if (rec && cast_frame(rec, ftl_now(), &t->canvas, last, err) != 0)
        live_post(t->live, "%s", err);
}

int workbench_check_terminal(char *err)
{
    return term_check(err);
}

int workbench_run(struct session *s, const struct workbench_opts *o, char *err)
{
    struct tui t = {.log_y = o->display.log_y,
                    .smooth = o->display.smooth,
                    .sample = o->sample,
                    .present = o->present,
                    .pin = -1,
                    .lesson = o->lesson};
    if (t.smooth < 0 || t.smooth >= NSMOOTH) t.smooth = 0;
    snprintf(t.dir, sizeof t.dir, "%s", o->dir);
    if (o->resumed) load_history(&t.s, t.dir);

    int wake[2], sigp[2];
    if (make_pipe(wake) != 0 || make_pipe(sigp) != 0) {
        session_free(s);
        if (o->record) cast_abort(o->record);
        return ftl_error(err, "cannot create a pipe: %s", strerror(errno));
    }
    catch_signals(sigp[1]);

    if (term_init(o->display.theme, o->display.symbols, err) != 0) {
        session_free(s);
        if (o->record) cast_abort(o->record);
        return -1;
    }
    keys_init();
    /* Opt-in: taking the mouse takes the terminal's own selection away. */
    if (o->display.mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    char ghost_err[FTL_ERRLEN] = "";
    load_ghosts(&t, o, ghost_err);
    /*
     * A lesson's cues at step 0 (its pace, its loss) act before the first batch:
     * training opens paused, they fire, then it goes on unless --paused or the
     * lesson itself paused it. (Running, a fast network would be dozens of
     * steps on before the first frame fired them.)
     */
    t.live = live_start(s, wake[1], PROBE_EVERY, PROBE_SEQUENCES, o->paused || o->lesson);
    if (o->lesson) {
        live_view(t.live, &t.snap);
        lesson_tick(&t);
        live_set_paused(t.live, o->paused || t.lesson_paused);
    }
    if (ghost_err[0]) live_post(t.live, "%s", ghost_err);
    if (o->resumed) load_last_eval(t.live, t.dir);
    double last_draw = 0, frame_sum = 0, frame_max = 0;
    /* For FTLAB_FRAME_STATS: every frame's time (a ring of the last FRAME_KEEP), for its p99. */
    enum { FRAME_KEEP = 1 << 14 };
    double *frame_ms = getenv("FTLAB_FRAME_STATS") ? xcalloc(FRAME_KEEP, sizeof *frame_ms) : NULL;
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
        adopt_left_scores(&t);
        lesson_tick(&t);
        if (t.shown[P_SEEN] && t.snap.state == LIVE_RUNNING &&
            ftl_now() - t.seen_at > SEEN_SECONDS) {
            live_show(t.live, 1, LIVE_PIN_KEEP);
            t.seen_at = ftl_now();
        }
        double now = ftl_now();
        if (t.quitting) {
            draw(&t);
            record(&t, o->record, 1);
            break;
        }
        if (now - last_draw >= FRAME_SECONDS) {
            draw(&t);
            record(&t, o->record, 0);
            last_draw = now;
            double dt = ftl_now() - now;
            frame_sum += dt;
            frame_max = dt > frame_max ? dt : frame_max;
            if (frame_ms) frame_ms[frames % FRAME_KEEP] = 1e3 * dt;
            frames++;
        }
    }
    export_cancel(&t.export);
    int rc = live_stop(t.live, err);
    term_end();
    char cast_err[FTL_ERRLEN];
    if (o->record && cast_close(o->record, ftl_now(), cast_err) != 0)
        fprintf(stderr, "ftlab: %s\n", cast_err); /* the run itself is saved */
    canvas_free(&t.canvas);
    series_free(&t.s);
    for (int i = 0; i < t.nghost; i++)
        ghost_free(&t.ghost[i]);
    free(t.menu_pts);
    signal_fd = -1;
    for (int i = 0; i < 2; i++) {
        close(wake[i]);
        close(sigp[i]);
    }
    /* For bench/: how long drawing a frame takes, on this terminal size and run. */
    if (frame_ms && frames > 0) {
        long kept = frames < FRAME_KEEP ? frames : FRAME_KEEP;
        qsort(frame_ms, (size_t)kept, sizeof *frame_ms, cmp_double);
        fprintf(stderr, "frames %ld mean_ms %.3f max_ms %.3f p50_ms %.3f p99_ms %.3f\n", frames,
                1e3 * frame_sum / frames, 1e3 * frame_max, frame_ms[kept / 2],
                frame_ms[(kept * 99) / 100]);
    }
    free(frame_ms);
    return rc;
}

// ---- the workbench without a terminal: a journal rendered into a recording ----

/* Steps per frame: one, or as many as keep the recording within WORKBENCH_RENDER_FRAMES. */
static uint64_t render_every(uint64_t end)
{
    uint64_t n = WORKBENCH_RENDER_FRAMES - 1;
    return end <= n ? 1 : (end + n - 1) / n;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Held at a frame's step: its points and snapshot taken, the frame drawn and written. */
static int render_frame(struct tui *t, struct cast *cast, int H, int W, long frame, char *err)
{
    take_points(t);
    live_view(t->live, &t->snap);
    adopt_left_scores(t);
    compose(t, H, W);
    return cast_frame(cast, (double)frame / WORKBENCH_RENDER_FPS, &t->canvas, 1, err);
}

int workbench_render(struct session *s, struct replay_follow *f, struct cast *cast,
                     const struct workbench_render_opts *o, char *err)
{
    const char *nc = getenv("NO_COLOR"); /* as term_init: no-color.org */
    term_headless(nc && nc[0] ? TERM_MONO : TERM_COLOR256, true);
    keys_init();
    struct tui t = {.log_y = 1, .smooth = 2, .sample = o->sample};
    snprintf(t.dir, sizeof t.dir, "%s", o->dir);
    int sigp[2] = {-1, -1};
    if (make_pipe(sigp) == 0) catch_signals(sigp[1]);
    uint64_t every = render_every(f->end);
    uint64_t eval_every = max_u64(LIVE_EVAL_MIN_STEPS, (f->end + 7) / 8);
    uint64_t probe_every = max_u64(every, (f->end + 49) / 50); /* Figure 2 about 50 times */
    t.live = live_start_following(s, f, (int)probe_every, PROBE_SEQUENCES, every, eval_every);
    int rc = 0;
    long frame = 0;
    for (;; frame++) {
        live_wait_hold(t.live);
        if (got_signal) {
            rc = ftl_error(err, "interrupted: no recording written (the run so far is in %s)",
                           o->dir);
            break;
        }
        live_view(t.live, &t.snap);
        int over = t.snap.state != LIVE_RUNNING && t.snap.state != LIVE_PAUSED;
        if (over && t.snap.state == LIVE_DONE) /* the workbench's "press e..." means nothing here */
            live_post(t.live, "the journal ends here, at step %llu",
                      (unsigned long long)t.snap.step);
        if (render_frame(&t, cast, o->height, o->width, frame, err) != 0) {
            rc = -1;
            break;
        }
        if (over) {
            if (t.snap.state != LIVE_DONE)
                rc = ftl_error(err, "%s: %s; no recording written", o->dir, t.snap.message);
            break;
        }
        live_release(t.live);
    }
    char stop_err[FTL_ERRLEN];
    if (live_stop(t.live, stop_err) != 0 && rc == 0) rc = ftl_error(err, "%s", stop_err);
    double end = (double)frame / WORKBENCH_RENDER_FPS + WORKBENCH_RENDER_HOLD;
    if (rc == 0)
        rc = cast_close(cast, end, err);
    else
        cast_abort(cast);
    canvas_free(&t.canvas);
    series_free(&t.s);
    for (int i = 0; i < t.nghost; i++)
        ghost_free(&t.ghost[i]);
    signal_fd = -1;
    for (int i = 0; i < 2; i++)
        if (sigp[i] >= 0) close(sigp[i]);
    return rc;
}
