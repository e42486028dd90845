/* fig_table1 — the Table 1 figures: AMI_max per loss and cluster count. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figkit.h"

// ---- Table 1 ----

void plot_table1_init(struct plot_table1 *t, int autoencoder)
{
    memset(t, 0, sizeof *t);
    t->name = autoencoder ? "table1-autoencoder" : "table1";
    t->title = autoencoder ? "Autoencoder" : "Binary task (classifier)";
    for (int j = 0; j < PLOT_TABLE1_NK; j++)
        t->k[j] = 9 + j;
    for (int l = 0; l < REG_COUNT; l++)
        for (int j = 0; j < PLOT_TABLE1_NK; j++) {
            t->mean[l][j] = t->std[l][j] = NAN;
            t->paper[l][j] = reg_table[l].paper[autoencoder != 0][j]; /* k = 9 + j */
        }
}

/*
 * The losses the figure shows: those with runs or a value in the paper (a loss
 * added since has neither until it is run). slot[l] is a shown loss's place in
 * each k's group of bars, -1 for the others; returns how many are shown.
 */
static int table1_slots(const struct plot_table1 *t, int *slot)
{
    int n = 0;
    for (int l = 0; l < REG_COUNT; l++) {
        int paper = 0;
        for (int j = 0; j < PLOT_TABLE1_NK; j++)
            paper |= isfinite(t->paper[l][j]);
        slot[l] = t->runs[l] > 0 || paper ? n++ : -1;
    }
    return n;
}

/* One block per loss: "x k mean std paper", x the bar's centre within its k's group. */
static char *table1_block(const struct plot_table1 *t, int l, int slot, int nslots, double bar)
{
    struct fig_text tx;
    FILE *fp = fig_text_open(&tx);
    for (int j = 0; j < PLOT_TABLE1_NK; j++) {
        fprintf(fp, "%.3f %d", j + (slot - (nslots - 1) / 2.0) * bar, t->k[j]);
        int has = t->runs[l] > 0;
        fig_put_number(fp, has ? t->mean[l][j] : NAN);
        fig_put_number(fp, has && t->runs[l] > 1 ? t->std[l][j] : NAN);
        fig_put_number(fp, t->paper[l][j]);
        fputc('\n', fp);
    }
    return fig_text_close(&tx);
}

/* The top of the AMI axis: the highest bar, error bar or paper value, rounded up to 0.1. */
static double table1_ymax(const struct plot_table1 *t)
{
    double top = 0.1;
    for (int l = 0; l < REG_COUNT; l++)
        for (int j = 0; j < PLOT_TABLE1_NK; j++) {
            double bar = t->runs[l] > 0 ? t->mean[l][j] : NAN;
            if (t->runs[l] > 1 && isfinite(t->std[l][j])) bar += t->std[l][j];
            if (isfinite(bar) && bar > top) top = bar;
            if (isfinite(t->paper[l][j]) && t->paper[l][j] > top) top = t->paper[l][j];
        }
    return fig_clamp(ceil(top * 10 - 1e-9) / 10, 0.1, 1.0);
}

static char *table1_body(const struct plot_table1 *t, const struct plot_opts *o, double bar,
                         double width, double height)
{
    struct fig_text tx;
    FILE *fp = fig_text_open(&tx);
    fig_put_style(fp);
    fig_put_title(fp, o, t->title, NULL, 0, width);
    fputs("set xlabel 'KMeans clusters k'\nset ylabel ", fp);
    fig_put_label(fp, o, "AMI_{max} (test set)", 1);
    fprintf(fp,
            "\nset xrange [-0.55:%.2f]\n"
            "set yrange [0:%.1f]\n"
            "set ytics 0.1\n"
            "set xtics scale 0 (",
            PLOT_TABLE1_NK - 0.45, table1_ymax(t));
    for (int j = 0; j < PLOT_TABLE1_NK; j++)
        fprintf(fp, "%s'%d' %d", j ? ", " : "", t->k[j], j);
    fprintf(fp,
            ")\n"
            "set boxwidth %.3f absolute\n"
            "set style fill solid 1.0 noborder\n",
            bar * 0.88);
    int entries = 1;
    for (int l = 0; l < REG_COUNT; l++)
        entries += t->runs[l] > 0;
    fig_put_key_below(fp, height, entries, 1, fig_em(o));
    fputs("\nplot ", fp);
    for (int l = 0; l < REG_COUNT; l++) {
        if (t->runs[l] <= 0) continue;
        fprintf(fp, "$%s using 1:3 with boxes linecolor rgb '%s' title '%s, %d run%s', \\\n",
                reg_table[l].name, fig_loss_colour(l), reg_table[l].title, t->runs[l],
                t->runs[l] == 1 ? "" : "s");
        /* Error bars as vectors: gnuplot's errorbar styles punch a hole at the mean. */
        fprintf(fp,
                "     $%s using 1:($3 - $4):(0):(2 * $4) with vectors heads "
                "size screen 0.008,90 linewidth 0.8 linecolor rgb '#262626' notitle, \\\n     ",
                reg_table[l].name);
    }
    int slot[REG_COUNT];
    table1_slots(t, slot);
    for (int l = 0, first = 1; l < REG_COUNT; l++) {
        if (slot[l] < 0) continue;
        fprintf(fp,
                "%s$%s using 1:5 with points pointtype 13 pointsize 0.8 "
                "linecolor rgb '#000000' %s",
                first ? "" : ", \\\n     ", reg_table[l].name,
                first ? "title 'paper (arXiv Table 1)'" : "notitle");
        first = 0;
    }
    fputs("\n", fp);
    return fig_text_close(&tx);
}

int plot_table1(const struct plot_table1 *t, const char *out_dir, const struct plot_opts *o,
                char *err)
{
    int slot[REG_COUNT], nslots = table1_slots(t, slot), nblocks = 0;
    const double bar = 0.8 / (nslots > 0 ? nslots : 1);
    struct gp_block blocks[REG_COUNT];
    char *data[REG_COUNT];
    for (int l = 0; l < REG_COUNT; l++) {
        if (slot[l] < 0) continue;
        data[nblocks] = table1_block(t, l, slot[l], nslots, bar);
        blocks[nblocks] = (struct gp_block){
            reg_table[l].name, "x (bar centre), k, AMI_max mean, spread, paper", data[nblocks]};
        nblocks++;
    }
    int entries = 1;
    for (int l = 0; l < REG_COUNT; l++)
        entries += t->runs[l] > 0;
    double width, height;
    fig_size(o, 3.5, 1.9 * fig_em(o) + fig_key_below_height(entries, fig_em(o)), &width, &height);
    char *body = table1_body(t, o, bar, width, height);
    struct gp_figure f = fig_figure(o, t->name, width, height, blocks, nblocks, body);
    int rc = gp_render(&f, out_dir, o->fmt, err);
    for (int l = 0; l < nblocks; l++)
        free(data[l]);
    free(body);
    return rc;
}
