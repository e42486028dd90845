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
    } *marks;
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
    int smooth;        /* index into smoothing[] */
    int help;          /* the key overlay is up */
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
        cs[ns++] = (struct chart_series){.name = k == REG_BASELINE ? "task" : reg_table[k].label,
                                         .x = s->step, .y = sm[k], .n = s->n,
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
        canvas_text(c, y + 1, x + 1,
                    v->evaluating ? "evaluating..." : "no evaluation yet: press e", TC_DIM, w - 1);
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
        char title[48];
        snprintf(title, sizeof title, "AMI_max k=%d history", sc->k[mid]);
        struct chart_series cs = {.name = "AMI_max", .x = xs, .y = ys, .n = (size_t)v->nscores,
                                  .color = TC_SERIES4};
        struct chart_opts co = {.title = title};
        chart_render(c, y + 4, x, h - 4, w, &cs, 1, NULL, 0, &co);
    }
}

/* λ where the terminal can show it. */
static const char *lambda_name(void)
{
    return term_utf8() ? "λ" : "lambda";
}

static void fmt_num(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.3g", v);
}

static void draw_status(struct tui *t, struct canvas *c, int y, int w)
{
    const struct live_snapshot *v = &t->snap;
    canvas_fill(c, &(struct canvas_rect){y, 0, 2, w}, TC_STATUS);
    char lam[16], mar[16], lr[16], line[1024];
    fmt_num(lam, sizeof lam, v->ctl.lambda);
    fmt_num(mar, sizeof mar, v->ctl.margin);
    fmt_num(lr, sizeof lr, v->ctl.lr);
    const char *state = t->quitting ? "saving" : live_state_name(v->state);
    unsigned long long epoch = v->epoch + (v->state == LIVE_DONE ? 0 : 1);
    snprintf(line, sizeof line,
             " %s | step %llu/%llu epoch %llu | %.0f seq/s | loss %s | %s %s | m %s | lr %s | %s | %s | %s",
             state, (unsigned long long)v->step, (unsigned long long)v->total_steps, epoch,
             v->seq_per_s, reg_table[v->ctl.loss].name, lambda_name(), lam, mar, lr, model_task_name(v->task),
             v->data, v->dir);
    canvas_text(c, y + 1, 0, line, TC_STATUS, w);
    const char *msg = v->message[0] ? v->message : "";
    if (t->sample && !v->message[0])
        msg = "embedded sample data: install MNIST strokes with 'ftlab data fetch'";
    snprintf(line, sizeof line, " %s", msg);
    canvas_text(c, y, 0, line, v->state == LIVE_DIVERGED || v->state == LIVE_FAILED ? TC_ERROR : TC_STATUS, w);
}

static const char *const help_lines[] = {
    "Keys",
    "",
    "1 2 3 4   baseline / DeCov / XCov / proposed (next batch)",
    "space     pause / resume",
    "+ -       lambda x2 / /2",
    "[ ]       margin -1 / +1",
    "< >       learning rate /2 / x2",
    "e         cluster evaluation now (in the background)",
    "x         export figures through gnuplot",
    "s         checkpoint now",
    "l         log scale on/off",
    "{ }       less / more smoothing",
    "q         quit (saves final.ckpt)",
    "?         this help; any key closes it",
};

static void draw_help(struct canvas *c, int H, int W)
{
    int n = (int)(sizeof help_lines / sizeof *help_lines), w = 62 < W - 2 ? 62 : W - 2;
    int h = n + 2 < H - 2 ? n + 2 : H - 2, y0 = (H - h) / 2, x0 = (W - w) / 2;
    canvas_fill(c, &(struct canvas_rect){y0, x0, h, w}, TC_STATUS);
    for (int i = 0; i < n && i < h - 2; i++)
        canvas_text(c, y0 + 1 + i, x0 + 2, help_lines[i], i == 0 ? TC_TITLE : TC_STATUS, w - 4);
}

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
        char msg[80];
        snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", W, H, MIN_W, MIN_H);
        canvas_text(c, H / 2, 0, msg, TC_WARN, W);
        canvas_blit(c, stdscr, 0, 0);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    char title[128];
    snprintf(title, sizeof title,
             " ftlab  1-4 loss  space pause  +/- %s  [ ] m  < > lr  e eval  x export  ? keys  q quit",
             lambda_name());
    canvas_text(c, 0, 0, title, TC_TITLE, W);
    int body = H - 3;                   /* title line, and two status lines */
    int scores_h = H >= 30 ? 9 : H >= 20 ? 4 : 0;
    int top = body - scores_h;
    if (W >= 70) {
        int hw = W * 2 / 5 < 44 ? W * 2 / 5 : 44;
        draw_loss(t, c, 1, 0, top, W - hw - 1);
        draw_heatmap(t, c, 1, W - hw, top, hw);
    } else {
        draw_loss(t, c, 1, 0, top, W);
    }
    if (scores_h)
        draw_scores(t, c, 1 + top, 0, scores_h, W);
    draw_status(t, c, H - 2, W);
    if (t->help)
        draw_help(c, H, W);
    canvas_blit(c, stdscr, 0, 0);
    wnoutrefresh(stdscr);
    doupdate();
}

// ---- keys ----

static void key(struct tui *t, int ch)
{
    if (t->help) {
        t->help = 0;
        return;
    }
    int r = reg_from_key(ch);
    if (r >= 0) {
        live_set_loss(t->live, (enum reg_kind)r);
        return;
    }
    switch (ch) {
    case ' ': live_toggle_pause(t->live); break;
    case '+': case '=': live_step_control(t->live, CTL_LAMBDA, 1); break;
    case '-': case '_': live_step_control(t->live, CTL_LAMBDA, -1); break;
    case '[': live_step_control(t->live, CTL_MARGIN, -1); break;
    case ']': live_step_control(t->live, CTL_MARGIN, 1); break;
    case '<': case ',': live_step_control(t->live, CTL_LR, -1); break;
    case '>': case '.': live_step_control(t->live, CTL_LR, 1); break;
    case 'e': live_request(t->live, LIVE_REQ_EVAL); break;
    case 's': live_request(t->live, LIVE_REQ_CHECKPOINT); break;
    case 'x':
        export_start(&t->export, t->dir, t->snap.heat_step ? t->snap.heat : NULL, t->snap.units,
                     t->live);
        break;
    case 'l': t->log_y = !t->log_y; break;
    case '{': if (t->smooth > 0) t->smooth--; break;
    case '}': if (t->smooth < NSMOOTH - 1) t->smooth++; break;
    case '?': case 'h': t->help = 1; break;
    case 'q': case 'Q': t->quitting = 1; break;
    default: break;
    }
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
    if (pipe(fds) != 0)
        return -1;
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
    if (o->resumed)
        load_history(&t.s, t.dir);

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
    t.live = live_start(s, wake[1], PROBE_EVERY, PROBE_SEQUENCES, o->paused);
    double last_draw = 0, frame_sum = 0, frame_max = 0;
    long frames = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = 0, .events = POLLIN},
                              {.fd = wake[0], .events = POLLIN},
                              {.fd = sigp[0], .events = POLLIN}};
        poll(p, 3, 50); /* >= 15 frames/s while anything changes, whatever training does */
        if (p[1].revents & POLLIN)
            drain(wake[0]);
        if (p[2].revents & POLLIN) {
            drain(sigp[0]);
            t.quitting = 1;
        }
        if (p[0].revents & POLLIN) {
            int ch;
            nodelay(stdscr, TRUE);
            while ((ch = getch()) != ERR)
                if (ch != KEY_RESIZE)
                    key(&t, ch);
            nodelay(stdscr, FALSE);
        }
        if (p[0].revents & (POLLHUP | POLLERR))
            t.quitting = 1;
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
