/* fig_loss — the loss figure of a run. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "branch.h"
#include "figkit.h"
#include "plotdata.h"
#include "util.h"

// ---- loss over steps ----

/* The columns of metrics.csv drawn by plot_loss, and how each is drawn. */
struct term {
    const char *column;
    const char *title;
    const char *colour;
    const char *style;
};

/* The task loss, each regulariser's term (in reg_table's slots), and the total. */
enum { TERM_TASK = 0, TERM_TOTAL = REG_COUNT, NTERMS };

static void loss_terms(const struct plotdata_run *r, struct term *t)
{
    t[0] = (struct term){"task", r->autoencoder ? "task (MSE)" : "task (BCE)", fig_okabe_ito[0],
                         "linewidth 1.1"};
    for (int k = 1; k < REG_COUNT; k++) /* metrics.csv names each term's column after its loss */
        t[k] = (struct term){reg_table[k].name, reg_table[k].title, reg_table[k].colour,
                             "linewidth 0.9"};
    t[TERM_TOTAL] = (struct term){"total", "total (task + λ·reg)", fig_okabe_ito[4],
                                  "linewidth 0.9 dashtype (4,2)"};
}

/*
 * The data block: step and each term, with values a log axis cannot show as
 * NaN. has_term[j] tells whether term j has a point to draw; the total is
 * left out while it is the task loss alone (the baseline, or λ = 0).
 */
static char *loss_block(const struct plotdata_csv *m, const int *col, int *has_term)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    int step = plotdata_csv_col(m, "step"), total_differs = 0;
    for (size_t i = 0; i < m->nrow; i++) {
        const double *row = m->v + i * (size_t)m->ncol;
        fprintf(fp, "%.0f", row[step]);
        for (int j = 0; j < NTERMS; j++) {
            if (col[j] < 0)
                continue; /* no column in this run's metrics.csv: none in the block either */
            double v = row[col[j]];
            fig_put_number(fp, v > 0 ? v : NAN);
            if (v > 0 && isfinite(v)) has_term[j] = 1;
        }
        total_differs |= row[col[TERM_TOTAL]] != row[col[TERM_TASK]];
        fputc('\n', fp);
    }
    has_term[TERM_TOTAL] &= total_differs;
    return fig_text_close(&t);
}

/*
 * A dashed line at each change within the steps drawn, [first, last], and its label upright
 * beside it. Changes closer together on the page than a label's line (plot_w inches for the
 * steps) share one label, "λ=0.5; m=6; lr=0.002", at the first: apart they were printed over
 * each other. A shared label longer than the plot is high (plot_h) ends "+N" more.
 */
static void put_markers(FILE *fp, const struct plot_opts *o, const struct plotdata_marker *mk,
                        size_t n, double first, double last, double plot_w, double plot_h)
{
    const double pt = 6.5, line = 1.3 * pt * fig_em(o) / 72; /* a label's line, inches */
    const double per_step = last > first ? plot_w / (last - first) : 0;
    for (size_t i = 0, head = 0; i < n; i++) {
        double s = (double)mk[i].step;
        if (s < first || s > last) continue;
        fprintf(fp,
                "set arrow %zu from %.0f, graph 0 to %.0f, graph 1 nohead back "
                "linewidth 0.6 dashtype (3,3) linecolor rgb '#595959'\n",
                i + 1, s, s);
        if (i < head) continue; /* its label is the group's, at the first */
        char text[512];
        int more = 0;
        snprintf(text, sizeof text, "%s", mk[i].text);
        for (head = i + 1; head < n && (double)mk[head].step <= last &&
                           ((double)mk[head].step - (double)mk[head - 1].step) * per_step < line;
             head++) {
            size_t used = strlen(text);
            snprintf(text + used, sizeof text - used, "; %s", mk[head].text);
            if (more || fig_text_width(o, pt, text) + fig_text_width(o, pt, " +9") > plot_h) {
                text[used] = '\0';
                more++;
            }
        }
        if (more) snprintf(text + strlen(text), sizeof text - strlen(text), " +%d", more);
        fprintf(fp, "set label %zu ", i + 1);
        fig_put_label_pt(fp, o, pt, text, 0);
        fprintf(fp,
                " at %.0f, graph 0.98 rotate by 90 right offset -1.4,0 front "
                "font ',%g' textcolor rgb '#404040' noenhanced\n",
                s, pt * fig_em(o));
    }
}

/* gnuplot's own tic step for a range (axis.c, quantize_normal_tics, with its guide of 20). */
static double gnuplot_tic_step(double range)
{
    if (!(range > 0) || !isfinite(range)) return 1;
    double power = pow(10, floor(log10(range))), xnorm = range / power, posns = 20 / xnorm;
    double t = posns > 40    ? 0.05
               : posns > 20  ? 0.1
               : posns > 10  ? 0.2
               : posns > 4   ? 0.5
               : posns > 2   ? 1
               : posns > 0.5 ? 2
                             : ceil(xnorm);
    return t * power;
}

/*
 * "set xtics" with a step whose numbers keep a character apart in plot_w inches, when
 * gnuplot's own would not (at 2 in, "204060801001201401601800200"); nothing when they fit, so
 * a figure at its own size is as before.
 */
static void put_step_tics(FILE *fp, const struct plot_opts *o, double first, double last,
                          double plot_w)
{
    char widest[32];
    snprintf(widest, sizeof widest, "%.0f", fabs(last) > fabs(first) ? last : first);
    double need = fig_text_width(o, 8, widest) + fig_text_width(o, 8, "0"), range = last - first;
    if (!(range > 0) || plot_w <= 0 || plot_w * gnuplot_tic_step(range) / range >= need) return;
    int most = (int)(plot_w / need);
    fprintf(fp, "set xtics %g\n", fig_nice_step(range, most > 1 ? most : 1));
}

/*
 * The lines a rewind left (branch.h): each one's task loss, as a block of its
 * own ("branch1": step, task), drawn grey and dashed beneath the run's terms.
 */
#define MAX_BRANCHES 6
struct left_lines {
    int n;
    int id[MAX_BRANCHES];
    uint64_t first[MAX_BRANCHES], last[MAX_BRANCHES];
    char name[MAX_BRANCHES][16];
    char *text[MAX_BRANCHES];
};

static void read_branches(const char *run_dir, struct left_lines *b)
{
    struct branch_info *info;
    size_t n;
    char err[FTL_ERRLEN];
    memset(b, 0, sizeof *b);
    if (branch_list(run_dir, &info, &n, err) != 0) return;
    for (size_t i = 0; i < n && b->n < MAX_BRANCHES; i++) {
        char *path = ftl_path_join(info[i].path, "metrics.csv");
        struct plotdata_csv m;
        int ok = plotdata_csv_read(path, &m, err) == 0;
        free(path);
        if (!ok) continue;
        int cs = plotdata_csv_col(&m, "step"), ct = plotdata_csv_col(&m, "task");
        if (cs >= 0 && ct >= 0 && m.nrow > 0) {
            struct fig_text t;
            FILE *fp = fig_text_open(&t);
            for (size_t r = 0; r < m.nrow; r++) {
                double v = m.v[r * (size_t)m.ncol + ct];
                fprintf(fp, "%.0f", m.v[r * (size_t)m.ncol + cs]);
                fig_put_number(fp, v > 0 ? v : NAN);
                fputc('\n', fp);
            }
            int k = b->n++;
            b->text[k] = fig_text_close(&t);
            b->id[k] = info[i].id;
            b->first[k] = info[i].first;
            b->last[k] = info[i].last;
            snprintf(b->name[k], sizeof b->name[k], "branch%d", info[i].id);
        }
        plotdata_csv_free(&m);
    }
    branch_list_free(info, n);
}

/*
 * The key's columns: two where two of its longest entries ("Proposed (KL margin)") fit side by
 * side, about 2.9 in at 8 pt; one on a narrower figure or at a larger size, where gnuplot would
 * fit one column anyway and leave the entries past the reserved rows off the page.
 */
static int key_cols(const struct plot_opts *o, double width)
{
    return width / fig_em(o) >= 2.9 ? 2 : 1;
}

static char *loss_body(const struct plot_opts *o, double width, double height, int cols,
                       const struct plotdata_run *r, const struct plotdata_csv *m,
                       const struct term *terms, const int *col, const int *has_term,
                       const struct plotdata_marker *mk, size_t nmk, const struct left_lines *b)
{
    int data_col[NTERMS]; /* each term's column in the block: those present, in order, after step */
    for (int j = 0, c = 2; j < NTERMS; j++)
        data_col[j] = col[j] >= 0 ? c++ : -1;
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    char title[256];
    fig_run_title(r, title, sizeof title);
    fig_put_title(fp, o, title, NULL, 1, width);
    int step = plotdata_csv_col(m, "step");
    double first = m->v[step], last = m->v[(m->nrow - 1) * (size_t)m->ncol + step];
    for (int i = 0; i < b->n; i++)
        last = (double)b->last[i] > last ? (double)b->last[i] : last;
    fprintf(fp,
            "set xlabel 'training step (batch)'\n"
            "set ylabel 'loss term (log scale)'\n"
            "set xrange [%.0f:%.0f]\n"
            "set logscale y\n"
            "set format y '%s'\n"
            "set mytics 10\n",
            first, last, o->fmt == GP_TEX ? "$10^{%L}$" : "10^{%L}");
    int shown = 0;
    for (int j = 0; j < NTERMS; j++)
        shown += has_term[j];
    int key_rows = (shown + b->n + cols - 1) / cols;
    fig_put_key_below(fp, height, key_rows, cols, fig_em(o));
    /* The plot's size on the page, near enough to space its words: the left margin holds
     * the y label and numbers like 10^{-10}; the title and the key below take their lines. */
    double em = fig_em(o), plot_w = width - 0.75 * em,
           plot_h = height - fig_key_below_height(key_rows, em) -
                    (0.15 + 0.17 * fig_title_lines(o, title, NULL, width)) * em;
    put_step_tics(fp, o, first, last, plot_w);
    fputs("\n", fp);
    put_markers(fp, o, mk, nmk, first, last, plot_w, plot_h);
    fputs("\nplot ", fp);
    const char *sep = "";
    for (int i = 0; i < b->n; i++) { /* first, so the run's own terms are drawn over them */
        char label[96];
        /* Short: the key has two columns only while every entry is short. */
        snprintf(label, sizeof label, "left %llu-%llu (task)", (unsigned long long)b->first[i],
                 (unsigned long long)b->last[i]);
        fprintf(fp,
                "%s$%s using 1:2 with lines linewidth 0.8 dashtype (2,2) linecolor rgb "
                "'#9a9a9a' title ",
                sep, b->name[i]);
        fig_put_label(fp, o, label, 0);
        sep = ", \\\n     ";
    }
    for (int j = 0; j < NTERMS; j++) {
        if (!has_term[j]) continue;
        fprintf(fp, "%s$loss using 1:%d with lines %s linecolor rgb '%s' title ", sep, data_col[j],
                terms[j].style, terms[j].colour);
        fig_put_label(fp, o, terms[j].title, 1);
        sep = ", \\\n     ";
    }
    fputs("\n", fp);
    return fig_text_close(&t);
}

/* Draws the loss figure of a run whose metrics.csv is m. */
static int draw_loss(const struct plotdata_run *r, const struct plotdata_csv *m,
                     const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct term terms[NTERMS];
    loss_terms(r, terms);
    int col[NTERMS], has_term[NTERMS] = {0}, shown = 0;
    /* A run written before a loss existed has no column for it: that term is not drawn. */
    for (int j = 0; j < NTERMS; j++)
        if (((col[j] = plotdata_csv_col(m, terms[j].column)) < 0 &&
             (j == TERM_TASK || j == TERM_TOTAL)) ||
            plotdata_csv_col(m, "step") < 0)
            return ftl_error(err, "%s/metrics.csv: no '%s' column", run_dir,
                             col[j] < 0 ? terms[j].column : "step");
    char *data = loss_block(m, col, has_term);
    for (int j = 0; j < NTERMS; j++)
        shown += has_term[j];
    struct plotdata_marker *mk = NULL;
    size_t nmk = 0;
    struct left_lines b;
    read_branches(run_dir, &b);
    int rc = shown ? plotdata_markers(run_dir, &mk, &nmk, err)
                   : ftl_error(err, "%s/metrics.csv: no positive loss to draw", run_dir);
    if (rc == 0) {
        double width, height;
        fig_size(o, 3.5, 0, &width, &height);
        int cols = key_cols(o, width);
        fig_size(o, 3.5,
                 2.0 * fig_em(o) + fig_key_below_height((shown + b.n + cols - 1) / cols, fig_em(o)),
                 &width, &height);
        /* The widest of the key's entries (its line sample before it) and the x label, each
         * within the page: narrower, gnuplot draws them off its edge. */
        const char *widest = "training step (batch)";
        for (int j = 0; j < NTERMS; j++)
            if (has_term[j] && fig_text_width(o, 8, terms[j].title) > fig_text_width(o, 8, widest))
                widest = terms[j].title;
        double need = fig_text_width(o, 8, widest) + 0.45 * fig_em(o);
        if (width < need)
            fig_cramped(o,
                        "%.2f in wide, under the %.2f in '%s' needs at %g pt: it runs off the "
                        "page (a wider --width, or a smaller --font-size)",
                        width, need, widest, 8 * fig_em(o));
        char *body = loss_body(o, width, height, cols, r, m, terms, col, has_term, mk, nmk, &b);
        char what[256] = "step";
        for (int j = 0; j < NTERMS; j++)
            if (col[j] >= 0)
                snprintf(what + strlen(what), sizeof what - strlen(what), " %s", terms[j].column);
        snprintf(what + strlen(what), sizeof what - strlen(what), " (NaN: <= 0)");
        struct gp_block blocks[1 + MAX_BRANCHES] = {{"loss", what, data}};
        for (int i = 0; i < b.n; i++)
            blocks[1 + i] =
                (struct gp_block){b.name[i], "step task (a line a rewind left)", b.text[i]};
        struct gp_figure f = fig_figure(o, "loss", width, height, blocks, 1 + b.n, body);
        rc = gp_render(&f, out_dir, o->fmt, err);
        free(body);
    }
    for (int i = 0; i < b.n; i++)
        free(b.text[i]);
    free(mk);
    free(data);
    return rc;
}

int plot_loss(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv m;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = fig_read_input(run_dir, "metrics.csv", "ftlab train --resume", &m, err);
    if (rc != 0) return rc;
    if (m.nrow < 2) {
        ftl_error(err, "%s/metrics.csv: fewer than two steps; train longer first", run_dir);
        rc = PLOT_SKIPPED;
    } else {
        rc = draw_loss(&r, &m, run_dir, out_dir, o, err);
    }
    plotdata_csv_free(&m);
    return rc;
}
