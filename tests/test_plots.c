/*
 * test_plots — the figures (plots/): the run files they read, the scripts
 * they write for two fixed runs (tests/data/plots/run-a, run-b) against
 * golden copies, each figure's .dat against the run files value by value
 * (the goldens show that something changed, these that the numbers are the
 * run's), the images themselves when gnuplot is installed (PNG size, SVG and
 * PDF magic, the saved script redrawing its image), and every way the
 * gnuplot child can go wrong, acted by fake gnuplots: missing, failing,
 * crashing, hanging, not reading its script.
 *
 * Fixtures are found in $FTLAB_TEST_DATA/plots, else tests/data/plots, else
 * ../tests/data/plots. FTLAB_UPDATE_GOLDEN=1 rewrites the golden scripts
 * (tests/data/plots/golden) from the current output instead of comparing:
 * look at the images before committing new ones.
 *
 * Built twice from this one file: tests/test_plots runs everything the fake
 * gnuplots can check; tests/test_gnuplot (-DFTL_REAL_GNUPLOT) only draws the
 * images with the real gnuplot, and says SKIP (status 77) when there is none.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "figkit.h"
#include "figures.h"
#include "gnuplot.h"
#include "plotdata.h"
#include "testutil.h"
#include "util.h"

// ---- helpers ----

/* tests/data/plots/NAME (a static buffer). */
static const char *fixture(const char *name)
{
    const char *path = testutil_fixture("plots", name);
    if (!path) fail_msg("fixture plots/%s missing", name);
    return path;
}

static char *run_a, *run_b;

static char *read_text(const char *path)
{
    char *text = NULL, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) {
        fail_msg("%s", err);
        return xstrdup("");
    }
    return text;
}

/* An executable shell script in td standing in for gnuplot; a new path. */
static char *write_fake(const struct tmpdir *td, const char *name, const char *body)
{
    char *path = tmpdir_path(td, name), err[FTL_ERRLEN];
    size_t cap = strlen(body) + 16;
    char *text = xmalloc(cap);
    snprintf(text, cap, "#!/bin/sh\n%s", body);
    if (ftl_write_file(path, text, strlen(text), err) != 0) fail_msg("%s", err);
    free(text);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

/* Writes a placeholder where the script's output line points, as gnuplot would write the image. */
static const char fake_writer[] =
    "line=$(grep -m1 \"set output '\" \"${2:--}\")\n"
    "case $line in \"cd '\"*) d=${line#cd \\'}; cd \"${d%%\\'*}\" || exit 1 ;; esac\n"
    "out=${line##*set output \\'}; out=${out%\\'}\n"
    "printf 'placeholder\\n' > \"$out\"\n"
    "case $out in *.tex) printf 'placeholder\\n' > \"${out%.tex}.pdf\" ;; esac\n";

static void use_gnuplot(const char *program)
{
    if (program)
        setenv("FTLAB_GNUPLOT", program, 1);
    else
        unsetenv("FTLAB_GNUPLOT");
}

/* Files in dir whose names start with '.': temporaries left behind. */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int file_in(const char *dir, const char *name)
{
    char *p = ftl_path_join(dir, name);
    int yes = ftl_is_file(p);
    free(p);
    return yes;
}

/* gnuplot itself (not a fake) is there to run; else 0 and why in err. */
static int real_gnuplot(char *err)
{
    use_gnuplot(NULL);
    return gp_available(err) == 0;
}

static int setup(void **state)
{
    run_a = xstrdup(fixture("run-a"));
    run_b = xstrdup(fixture("run-b"));
    unsetenv("FTLAB_GNUPLOT_TIMEOUT");
    return 0;
}

static int teardown(void **state)
{
    free(run_a);
    free(run_b);
    return 0;
}

// ---- reading run files ----

static void test_csv(void **state)
{
    struct plotdata_csv t;
    char err[FTL_ERRLEN], *path = ftl_path_join(run_a, "metrics.csv");
    assert_int_equal(plotdata_csv_read(path, &t, err), 0);
    assert_int_equal(t.ncol, 15);
    assert_int_equal(t.nrow, 8); /* the 9th line has no '\n': still being written */
    int task = plotdata_csv_col(&t, "task"), xcov = plotdata_csv_col(&t, "xcov");
    assert_int_equal(task, 3);
    assert_int_equal(plotdata_csv_col(&t, "nope"), -1);
    assert_float_equal(t.v[7 * 15 + task], 0.45, 0);
    assert_true(isnan(t.v[5 * 15 + xcov]));       /* "nan" */
    assert_true(isnan(t.v[0 * 15 + 2]));          /* "baseline": text */
    assert_true(isnan(t.v[0 * 15 + t.ncol - 1])); /* an empty cell */
    assert_float_equal(t.v[3 * 15 + t.ncol - 1], 0.61, 0);
    plotdata_csv_free(&t);
    free(path);

    struct tmpdir *td = tmpdir_new();
    path = tmpdir_path(td, "bad.csv");
    const char bad[] = "a,b,c\n1,2,3\n4,5\n";
    assert_int_equal(ftl_write_file(path, bad, sizeof bad - 1, err), 0);
    assert_int_equal(plotdata_csv_read(path, &t, err), -1);
    assert_non_null(strstr(err, "bad.csv:3: 2 fields, the header has 3"));
    assert_int_equal(ftl_write_file(path, "", 0, err), 0);
    assert_int_equal(plotdata_csv_read(path, &t, err), -1);
    assert_non_null(strstr(err, "no header line"));
    free(path);
    tmpdir_free(td);
}

static void test_markers(void **state)
{
    struct plotdata_marker *m;
    size_t n;
    char err[FTL_ERRLEN];
    assert_int_equal(plotdata_markers(run_a, &m, &n, err), 0);
    /* step 6 lr was undone by the rewind; "stop" is not a control change */
    assert_int_equal(n, 2);
    assert_int_equal(m[0].step, 4);
    assert_string_equal(m[0].text, "→ proposed, λ=0.5");
    assert_int_equal(m[1].step, 7);
    assert_string_equal(m[1].text, "m=10");
    free(m);
    assert_int_equal(plotdata_markers(run_b, &m, &n, err), 0); /* no journal */
    assert_int_equal(n, 0);
    free(m);
}

static void test_run_info(void **state)
{
    struct plotdata_run r;
    char err[FTL_ERRLEN];
    assert_int_equal(plotdata_run_info(run_a, &r, err), 0);
    assert_string_equal(r.losses, "Baseline → Proposed (KL margin)");
    assert_int_equal(r.loss, REG_BASELINE);
    assert_int_equal(r.units, 4);
    assert_false(r.autoencoder);
    assert_int_equal(plotdata_run_info(run_b, &r, err), 0);
    assert_string_equal(r.losses, "Proposed (KL margin)");
    struct tmpdir *td = tmpdir_new();
    assert_int_equal(plotdata_run_info(td->path, &r, err), -1);
    assert_non_null(strstr(err, "config"));
    tmpdir_free(td);
}

static void test_formats(void **state)
{
    assert_int_equal(gp_format_from_name("png"), GP_PNG);
    assert_int_equal(gp_format_from_name("svg"), GP_SVG);
    assert_int_equal(gp_format_from_name("pdf"), GP_PDF);
    assert_int_equal(gp_format_from_name("PNG"), -1);
    assert_int_equal(gp_format_from_name(NULL), -1);
    assert_string_equal(gp_format_name(GP_PDF), "pdf");
    char *p = gp_output_path("figs", "loss", GP_SVG);
    assert_string_equal(p, "figs/loss.svg");
    free(p);
    setenv("FTLAB_GNUPLOT_TIMEOUT", "2.5", 1);
    assert_float_equal(gp_timeout(), 2.5, 0);
    char err[FTL_ERRLEN];
    assert_int_equal(gp_timeout_check(err), 0);
    /* A value that is not a number of seconds is refused, not silently replaced. */
    setenv("FTLAB_GNUPLOT_TIMEOUT", "soon", 1);
    assert_int_equal(gp_timeout_check(err), -1);
    assert_string_equal(err, "FTLAB_GNUPLOT_TIMEOUT=soon: needs a number of seconds above 0 (and "
                             "below 1000000); unset it for the default, 30");
    assert_int_equal(gp_available(err), -1);
    setenv("FTLAB_GNUPLOT_TIMEOUT", "-1", 1);
    assert_int_equal(gp_timeout_check(err), -1);
    assert_float_equal(gp_timeout(), GP_TIMEOUT_DEFAULT, 0);
    unsetenv("FTLAB_GNUPLOT_TIMEOUT");
}

/* One label as fig_put_label writes it for fmt. */
static char *label_as(enum gp_format fmt, const char *text, int enhanced, double pt)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    const struct plot_opts o = {.fmt = fmt, .font_pt = 10};
    if (pt > 0)
        fig_put_label_pt(fp, &o, pt, text, enhanced);
    else
        fig_put_label(fp, &o, text, enhanced);
    return fig_text_close(&t);
}

/* For cairolatex the words go to LaTeX: markup as math, symbols as commands, specials escaped;
 * every other format keeps the text as gnuplot's. */
static void test_labels_for_latex(void **state)
{
    static const struct {
        const char *in;
        int enhanced;
        double pt;
        const char *tex, *png;
    } cases[] = {
        {"AMI_{max} (test set)", 1, 0, "'AMI$_{\\mathrm{max}}$ (test set)'",
         "'AMI_{max} (test set)'"},
        {"10^{%L}", 1, 0, "'10$^{%L}$'", "'10^{%L}'"},
        {"→ proposed, λ=0.5", 0, 0, "'$\\to$ proposed, $\\lambda$=0.5'", "'→ proposed, λ=0.5'"},
        {"runs/a_b #2 50% & {x}", 0, 0, "'runs/a\\_b \\#2 50\\% \\& \\{x\\}'",
         "'runs/a_b #2 50% & {x}'"},
        {"AMI_{max}", 0, 0, "'AMI\\_\\{max\\}'", "'AMI_{max}'"}, /* not enhanced: literal */
        {"it's ~^\\", 0, 0, "'it''s \\textasciitilde{}\\textasciicircum{}\\textbackslash{}'",
         "'it''s ~^\\'"},
        {"m=10", 0, 6.5, "'\\fontsize{8.12}{9.75}\\selectfont m=10'", "'m=10'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *tex = label_as(GP_TEX, cases[i].in, cases[i].enhanced, cases[i].pt);
        char *png = label_as(GP_PNG, cases[i].in, cases[i].enhanced, cases[i].pt);
        assert_string_equal(tex, cases[i].tex);
        assert_string_equal(png, cases[i].png);
        free(tex);
        free(png);
    }
}

/* Lengths in every unit and the venues' widths; what is not a length is refused. */
static void test_lengths(void **state)
{
    char err[FTL_ERRLEN];
    double in = 0, a = 0;
    assert_int_equal(plot_parse_length("3.5in", 0, &in, err), 0);
    assert_float_equal(in, 3.5, 1e-12);
    assert_int_equal(plot_parse_length("8.89cm", 0, &in, err), 0);
    assert_float_equal(in, 3.5, 1e-12);
    assert_int_equal(plot_parse_length("88.9mm", 0, &in, err), 0);
    assert_float_equal(in, 3.5, 1e-12);
    assert_int_equal(plot_parse_length("252bp", 0, &in, err), 0);
    assert_float_equal(in, 3.5, 1e-12);
    assert_int_equal(plot_parse_length("72.27pt", 0, &in, err), 0);
    assert_float_equal(in, 1, 1e-12);
    assert_int_equal(plot_parse_length("2", 0, &in, err), 0);
    assert_float_equal(in, 2, 0);
    assert_int_equal(plot_parse_length("icml-column", 1, &in, err), 0);
    assert_float_equal(in, 3.25, 1e-9);
    assert_int_equal(plot_parse_length("acl-text", 1, &in, err), 0);
    assert_float_equal(in, 16 / 2.54, 1e-6);
    assert_int_equal(plot_parse_length("icml-column", 0, &in, err), -1); /* a height: no presets */
    assert_int_equal(plot_parse_length("3.5 in", 0, &in, err), -1);
    assert_int_equal(plot_parse_length("in", 0, &in, err), -1);
    assert_int_equal(plot_parse_length("0.4in", 0, &in, err), -1);
    assert_int_equal(plot_parse_length("nan", 0, &in, err), -1);
    assert_int_equal(plot_parse_aspect("4:3", &a, err), 0);
    assert_float_equal(a, 4.0 / 3, 1e-12);
    assert_int_equal(plot_parse_aspect("16/9", &a, err), 0);
    assert_float_equal(a, 16.0 / 9, 1e-12);
    assert_int_equal(plot_parse_aspect("1.5", &a, err), 0);
    assert_float_equal(a, 1.5, 0);
    assert_int_equal(plot_parse_aspect("4:", &a, err), -1);
    assert_int_equal(plot_parse_aspect("4:0", &a, err), -1);
    assert_int_equal(plot_parse_aspect("100", &a, err), -1);
    for (const struct plot_width_preset *p = plot_width_presets; p->name; p++)
        assert_true(p->inches > 3 && p->inches < 7.2);
}

static void test_table1_paper(void **state)
{
    struct plot_table1 t;
    plot_table1_init(&t, 0);
    assert_string_equal(t.name, "table1");
    assert_int_equal(t.k[0], 9);
    assert_int_equal(t.k[2], 11);
    assert_float_equal(t.paper[REG_PROPOSED][1], 0.544, 0);
    assert_float_equal(t.paper[REG_DECOV][0], 0.285, 0);
    assert_int_equal(t.runs[REG_XCOV], 0);
    assert_true(isnan(t.mean[REG_BASELINE][0]));
    plot_table1_init(&t, 1);
    assert_string_equal(t.name, "table1-autoencoder");
    assert_float_equal(t.paper[REG_BASELINE][0], 0.443, 0);
    assert_float_equal(t.paper[REG_XCOV][2], 0.428, 0);
}

// ---- the scripts ----

/* A Table 1 with made-up measurements: every case (several runs, one run, none). */
static void sample_table1(struct plot_table1 *t)
{
    plot_table1_init(t, 0);
    for (int l = 0; l < REG_COUNT; l++)
        for (int j = 0; j < PLOT_TABLE1_NK; j++) {
            t->mean[l][j] = t->paper[l][j] - 0.02 + 0.01 * j;
            t->std[l][j] = 0.005 * (l + 1);
        }
    t->runs[REG_BASELINE] = 3;
    t->runs[REG_XCOV] = 1;
    t->runs[REG_PROPOSED] = 3;
}

/* Draws every figure of the fixtures into dir in fmt; returns how many failed. */
static int draw_all(const char *dir, enum gp_format fmt, char *err)
{
    const char *runs[] = {run_a, run_b};
    struct plot_table1 t;
    sample_table1(&t);
    int failed = 0;
    failed += plot_loss(run_a, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_actmap(run_a, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_clusters(run_a, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_compare_actmap(runs, 2, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_compare_loss(runs, 2, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_table1(&t, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_histograms(run_a, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    failed += plot_actmean(run_a, dir, &(struct plot_opts){.fmt = fmt}, err) != 0;
    return failed;
}

static const char *const figure_names[] = {
    "loss",         "actmap", "clusters",   "compare-actmap",
    "compare-loss", "table1", "histograms", "actmean", /* plot --histograms */
};
enum { NFIGURES = 8 };

/* dir/file against tests/data/plots/golden/golden (or rewrites it: FTLAB_UPDATE_GOLDEN=1). */
static void compare_golden_as(const char *dir, const char *file, const char *golden)
{
    char golden_name[128];
    snprintf(golden_name, sizeof golden_name, "golden/%s", golden);
    char *made_path = ftl_path_join(dir, file), *made = read_text(made_path);
    const char *update = getenv("FTLAB_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        char err[FTL_ERRLEN], *golden_path = ftl_path_join(fixture("golden"), golden);
        if (ftl_write_file(golden_path, made, strlen(made), err) != 0) fail_msg("%s", err);
        printf("updated %s\n", golden_path);
        free(golden_path);
    } else {
        char *text = read_text(fixture(golden_name));
        if (strcmp(made, text) != 0)
            fail_msg("%s differs from tests/data/plots/%s (FTLAB_UPDATE_GOLDEN=1 rewrites it)",
                     made_path, golden_name);
        free(text);
    }
    free(made);
    free(made_path);
}

static void compare_golden(const char *dir, const char *file)
{
    compare_golden_as(dir, file, file);
}

static void test_scripts_golden(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *fake = write_fake(td, "gnuplot", fake_writer), *out = tmpdir_path(td, "figures");
    char err[FTL_ERRLEN];
    use_gnuplot(fake);
    if (draw_all(out, GP_PNG, err) != 0) fail_msg("%s", err);
    for (int i = 0; i < NFIGURES; i++) {
        char file[64];
        snprintf(file, sizeof file, "%s.gp", figure_names[i]);
        compare_golden(out, file);
        /* the image is where the saved script says, the temporary renamed away */
        snprintf(file, sizeof file, "%s.png", figure_names[i]);
        char *image = ftl_path_join(out, file), *text = read_text(image);
        assert_string_equal(text, "placeholder\n");
        free(text);
        free(image);
    }
    compare_golden(out, "loss.dat");
    assert_int_equal(hidden_files(out), 0);
    use_gnuplot(NULL);
    free(out);
    free(fake);
    tmpdir_free(td);
}

/* The .gp's first lines hold the terminal of each format at print size. Each format has its own
 * script (actmap.gp, actmap-svg.gp, actmap-pdf.gp): drawing the svg leaves the png's alone. */
static void test_script_terminals(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *fake = write_fake(td, "gnuplot", fake_writer), err[FTL_ERRLEN];
    use_gnuplot(fake);
    static const char *const want[GP_FORMAT_COUNT] = {
        "set terminal pngcairo enhanced size 1050,", "set terminal svg enhanced size 252,",
        "set terminal pdfcairo enhanced size 3.5001in,",
        "set terminal cairolatex pdf color colortext size 3.5001in,"};
    for (int f = 0; f < GP_FORMAT_COUNT; f++) {
        if (plot_actmap(run_a, td->path, &(struct plot_opts){.fmt = (enum gp_format)f}, err) != 0)
            fail_msg("%s", err);
        static const char *const script[GP_FORMAT_COUNT] = {"actmap.gp", "actmap-svg.gp",
                                                            "actmap-pdf.gp", "actmap-tex.gp"};
        char *gp = tmpdir_path(td, script[f]), *text = read_text(gp);
        assert_non_null(strstr(text, want[f]));
        char redraw[64];
        snprintf(redraw, sizeof redraw, "To redraw after editing: gnuplot %s\n", script[f]);
        assert_non_null(strstr(text, redraw));
        char line[64];
        snprintf(line, sizeof line, "\nset output 'actmap.%s'\n", gp_format_name(f));
        assert_non_null(strstr(text, line));
        char image[32];
        snprintf(image, sizeof image, "actmap.%s", gp_format_name(f));
        assert_true(file_in(td->path, image));
        free(text);
        free(gp);
    }
    char *gp = tmpdir_path(td, "actmap.gp"), *text = read_text(gp);
    assert_non_null(strstr(text, "\nset output 'actmap.png'\n"));
    free(text);
    free(gp);
    use_gnuplot(NULL);
    free(fake);
    tmpdir_free(td);
}

/* Data other than digits (issue 18): Figure 2's columns are the groups, named by groups.txt
 * beside actmap.csv, upright when long; the x label says "group". */
static void test_groups_heatmap(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *fake = write_fake(td, "gnuplot", fake_writer), err[FTL_ERRLEN];
    use_gnuplot(fake);
    char *run = tmpdir_path(td, "run"), *src = ftl_path_join(run_a, "config"), *text;
    size_t len;
    assert_int_equal(ftl_mkdir_p(run, err), 0);
    if (ftl_read_file(src, &text, &len, err) != 0) fail_msg("%s", err);
    char *cfg = ftl_path_join(run, "config"), *am = ftl_path_join(run, "actmap.csv"),
         *gt = ftl_path_join(run, "groups.txt");
    assert_int_equal(ftl_write_file(cfg, text, len, err), 0);
    const char csv[] = "unit,g0,g1,g2\n0,5,0,1\n1,0,7,0\n";
    assert_int_equal(ftl_write_file(am, csv, strlen(csv), err), 0);
    assert_int_equal(ftl_write_file(gt, "stable\nfever\nseptic\n", 20, err), 0);
    char *out = tmpdir_path(td, "figs");
    if (plot_actmap(run, out, &(struct plot_opts){.fmt = GP_PNG}, err) != 0) fail_msg("%s", err);
    char *gp = ftl_path_join(out, "actmap.gp"), *script = read_text(gp);
    assert_non_null(strstr(script, "set xrange [-0.5:2.5]\n"));
    assert_non_null(strstr(script, "set xtics scale 0 rotate by 90 right ('stable' 0, 'fever' 1, "
                                   "'septic' 2)\n"));
    assert_non_null(strstr(script, "set xlabel 'group'\n"));
    assert_null(strstr(script, "'digit'"));
    /* without groups.txt the columns keep their names from the header */
    assert_int_equal(unlink(gt), 0);
    if (plot_actmap(run, out, &(struct plot_opts){.fmt = GP_PNG}, err) != 0) fail_msg("%s", err);
    free(script);
    script = read_text(gp);
    assert_non_null(strstr(script, "set xtics scale 0 ('0' 0, '1' 1, '2' 2)\n"));
    free(script);
    free(gp);
    free(out);
    free(cfg);
    free(am);
    free(gt);
    free(text);
    free(src);
    free(run);
    use_gnuplot(NULL);
    free(fake);
    tmpdir_free(td);
}

static void test_skipped_inputs(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN];
    /* run-b has no clusters.csv: skipped, and the message says what makes it */
    assert_int_equal(plot_clusters(run_b, td->path, &(struct plot_opts){.fmt = GP_PNG}, err),
                     PLOT_SKIPPED);
    assert_non_null(strstr(err, "clusters.csv"));
    assert_non_null(strstr(err, "run 'ftlab eval"));
    assert_int_equal(plot_actmap(td->path, td->path, &(struct plot_opts){.fmt = GP_PNG}, err),
                     -1); /* not a run */
    const char *many[9] = {run_a, run_a, run_a, run_a, run_a, run_a, run_a, run_a, run_a};
    assert_int_equal(
        plot_compare_actmap(many, 9, td->path, &(struct plot_opts){.fmt = GP_PNG}, err), -1);
    assert_int_equal(plot_compare_loss(many, 0, td->path, &(struct plot_opts){.fmt = GP_PNG}, err),
                     -1);
    assert_false(file_in(td->path, "clusters.gp"));
    /* run-b was evaluated before acthist.csv existed: skipped the same way */
    for (const struct plot_run_figure *f = plot_hist_figures; f->name; f++) {
        assert_int_equal(f->draw(run_b, td->path, &(struct plot_opts){.fmt = GP_PNG}, err),
                         PLOT_SKIPPED);
        assert_non_null(strstr(err, "run 'ftlab eval"));
    }
    tmpdir_free(td);
}

// ---- the data files hold the runs' numbers ----

/*
 * Each figure's NAME.dat, read back and compared value by value with the run
 * files it was drawn from. The run files are read here by a parser of this
 * test's own (not plotdata_csv_read), so a fault shared by the figure and its
 * reader cannot hide.
 */

/* A run's CSV as the test reads it: complete lines only (a trainer may be mid-line). */
struct src_csv {
    int ncol, nrow;
    char name[32][32];
    double v[512 * 32]; /* nrow x ncol; NaN for text or an empty cell */
};

static struct src_csv *src_read(const char *run_dir, const char *file)
{
    char *path = ftl_path_join(run_dir, file), *text = read_text(path);
    struct src_csv *t = xcalloc(1, sizeof *t);
    char *line = text;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        int n = 0;
        for (char *f = line, *comma;; f = comma + 1) {
            comma = strchr(f, ',');
            if (comma) *comma = '\0';
            if (n >= 32) fail_msg("%s: more than 32 columns", path);
            if (t->nrow == 0 && t->ncol == 0) {
                snprintf(t->name[n], sizeof t->name[n], "%s", f);
            } else {
                char *end;
                double v = strtod(f, &end);
                t->v[t->nrow * 32 + n] = end == f || *end ? NAN : v;
            }
            n++;
            if (!comma) break;
        }
        if (t->ncol == 0) {
            t->ncol = n;
        } else {
            if (n != t->ncol) fail_msg("%s: a row of %d fields", path, n);
            if (++t->nrow == 512) fail_msg("%s: more rows than this test reads", path);
        }
    }
    free(text);
    free(path);
    return t;
}

static double src_at(const struct src_csv *t, int row, const char *column)
{
    for (int c = 0; c < t->ncol; c++)
        if (strcmp(t->name[c], column) == 0) return t->v[row * 32 + c];
    fail_msg("no column '%s'", column);
    return NAN;
}

/* One "# index N: $name" block of a .dat: rows of numbers, blank lines dropped. */
struct dat_block {
    char name[32];
    int nrow, ncol;
    double v[4096]; /* nrow x ncol */
};

/* OUT_DIR/NAME.dat's blocks, in order; returns how many (at most max). */
static int dat_read(const char *dir, const char *name, struct dat_block *b, int max)
{
    char file[64];
    snprintf(file, sizeof file, "%s.dat", name);
    char *path = ftl_path_join(dir, file), *text = read_text(path), *save = NULL;
    int n = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int index;
        char block[32];
        if (sscanf(line, "# index %d: $%31s", &index, block) == 2) {
            if (index != n || n == max) fail_msg("%s: block %d out of order", file, index);
            memset(&b[n], 0, sizeof b[n]);
            snprintf(b[n].name, sizeof b[n].name, "%s", block);
            n++;
            continue;
        }
        if (line[0] == '#') continue;
        if (n == 0) fail_msg("%s: data before a block header", file);
        struct dat_block *d = &b[n - 1];
        int cols = 0;
        for (char *p = line, *end;; p = end) {
            double v = strtod(p, &end);
            if (end == p) break;
            if (d->nrow * 8 + cols >= 4096 || cols == 8) fail_msg("%s: too big", file);
            d->v[d->nrow * 8 + cols++] = v;
        }
        if (d->ncol && cols != d->ncol) fail_msg("%s: '%s' has %d numbers", file, line, cols);
        d->ncol = cols;
        d->nrow++;
    }
    free(text);
    free(path);
    return n;
}

static double dat_at(const struct dat_block *b, int row, int col)
{
    return b->v[row * 8 + col];
}

/* What a curve shows of a metrics.csv value: itself, or NaN where a log axis cannot. */
static double on_log_axis(double v)
{
    return v > 0 && isfinite(v) ? v : NAN;
}

/* Equal to the 9 significant digits a .dat holds, or both NaN. */
static int same_value(double dat, double src)
{
    if (isnan(src)) return isnan(dat);
    return fabs(dat - src) <= 1e-8 * fabs(src);
}

static void draw_with_fake(const struct tmpdir *td)
{
    char *fake = write_fake(td, "gnuplot", fake_writer);
    use_gnuplot(fake);
    free(fake);
}

/* loss.dat: every step of metrics.csv, and each term in its column. */
static void check_loss_dat(const char *run_dir, const char *out)
{
    static const char *const columns[] = {"task", "decov", "xcov", "proposed", "total"};
    char err[FTL_ERRLEN];
    if (plot_loss(run_dir, out, &(struct plot_opts){.fmt = GP_PNG}, err) != 0) fail_msg("%s", err);
    struct src_csv *m = src_read(run_dir, "metrics.csv");
    struct dat_block *b = xcalloc(1, sizeof *b);
    assert_int_equal(dat_read(out, "loss", b, 1), 1);
    assert_string_equal(b->name, "loss");
    assert_int_equal(b->ncol, 6);
    if (b->nrow != m->nrow)
        fail_msg("%s loss.dat: %d rows, metrics.csv %d steps", run_dir, b->nrow, m->nrow);
    for (int i = 0; i < m->nrow; i++) {
        if (dat_at(b, i, 0) != src_at(m, i, "step"))
            fail_msg("%s loss.dat row %d: step %g, metrics.csv %g", run_dir, i, dat_at(b, i, 0),
                     src_at(m, i, "step"));
        for (int j = 0; j < 5; j++) {
            double want = on_log_axis(src_at(m, i, columns[j]));
            if (!same_value(dat_at(b, i, j + 1), want))
                fail_msg("%s loss.dat step %g: %s %.9g, metrics.csv %.9g", run_dir, dat_at(b, i, 0),
                         columns[j], dat_at(b, i, j + 1), want);
        }
    }
    free(b);
    free(m);
}

static void test_dat_loss(void **state)
{
    struct tmpdir *td = tmpdir_new();
    draw_with_fake(td);
    check_loss_dat(run_a, td->path);
    check_loss_dat(run_b, td->path);
    use_gnuplot(NULL);
    tmpdir_free(td);
}

/*
 * The row labels of a heatmap, from its script's "set ytics (... 'LABEL' ROW ...)":
 * label[row] is the unit or cluster drawn at that row. Returns how many.
 */
static int ytic_labels(const char *dir, const char *name, int *label, int max)
{
    char file[64];
    snprintf(file, sizeof file, "%s.gp", name);
    char *path = ftl_path_join(dir, file), *text = read_text(path);
    const char *p = strstr(text, "\nset ytics ");
    p = p ? strchr(p, '(') : NULL;
    int n = 0, lab, row, used;
    while (p && sscanf(p + 1, " '%d' %d%n", &lab, &row, &used) == 2 && n < max) {
        if (row != n) fail_msg("%s: ytic row %d at place %d", file, row, n);
        label[n++] = lab;
        p = strchr(p + 1 + used, ',');
    }
    free(text);
    free(path);
    return n;
}

/*
 * A heatmap block ("digit row count") against a units- or clusters-by-digit
 * CSV (first column the row's number, then digit0..digit9): every (digit, row)
 * once, and its count the CSV's count of row label[row] and that digit.
 */
static void check_heat_block(const struct dat_block *b, const struct src_csv *t, const int *label,
                             const char *what)
{
    enum { DIGITS = 10 };
    assert_int_equal(b->ncol, 3);
    if (b->nrow != t->nrow * DIGITS)
        fail_msg("%s: %d cells, the csv has %d rows x 10 digits", what, b->nrow, t->nrow);
    int *seen = xcalloc((size_t)t->nrow * DIGITS, sizeof *seen);
    for (int i = 0; i < b->nrow; i++) {
        double digit = dat_at(b, i, 0), row = dat_at(b, i, 1), count = dat_at(b, i, 2);
        if (digit < 0 || digit >= DIGITS || row < 0 || row >= t->nrow || digit != (int)digit ||
            row != (int)row)
            fail_msg("%s: cell (digit %g, row %g) outside 10 digits x %d rows", what, digit, row,
                     t->nrow);
        int r = (int)row, d = (int)digit;
        if (seen[r * DIGITS + d]++) fail_msg("%s: digit %d row %d twice", what, d, r);
        int src_row = label ? label[r] : r;
        assert_true(src_row >= 0 && src_row < t->nrow);
        assert_int_equal((int)t->v[src_row * 32], src_row); /* the csv's rows are 0, 1, ... */
        double want = t->v[src_row * 32 + 1 + d];
        if (count != want)
            fail_msg("%s: digit %d, %s %d: %g, the csv says %g", what, d, label ? "row of" : "row",
                     src_row, count, want);
    }
    free(seen);
}

/* actmap.dat: Figure 2's counts, unit by digit as actmap.csv has them. */
static void test_dat_actmap(void **state)
{
    struct tmpdir *td = tmpdir_new();
    draw_with_fake(td);
    const char *runs[] = {run_a, run_b};
    char err[FTL_ERRLEN];
    struct dat_block *b = xcalloc(2, sizeof *b);
    for (int i = 0; i < 2; i++) {
        if (plot_actmap(runs[i], td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
            fail_msg("%s", err);
        struct src_csv *t = src_read(runs[i], "actmap.csv");
        int label[64];
        assert_int_equal(ytic_labels(td->path, "actmap", label, 64), t->nrow);
        assert_int_equal(dat_read(td->path, "actmap", b, 1), 1);
        check_heat_block(&b[0], t, label, "actmap.dat");
        free(t);
    }
    /* compare-actmap.dat: one block per run, in the order given */
    if (plot_compare_actmap(runs, 2, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
        fail_msg("%s", err);
    assert_int_equal(dat_read(td->path, "compare-actmap", b, 2), 2);
    for (int i = 0; i < 2; i++) {
        struct src_csv *t = src_read(runs[i], "actmap.csv");
        char name[16];
        snprintf(name, sizeof name, "counts%d", i + 1);
        assert_string_equal(b[i].name, name);
        check_heat_block(&b[i], t, NULL,
                         i ? "compare-actmap.dat run-b" : "compare-actmap.dat run-a");
        free(t);
    }
    free(b);
    use_gnuplot(NULL);
    tmpdir_free(td);
}

/* clusters.dat: clusters.csv's contingency table, its rows ordered by their majority digit. */
static void test_dat_clusters(void **state)
{
    struct tmpdir *td = tmpdir_new();
    draw_with_fake(td);
    char err[FTL_ERRLEN];
    if (plot_clusters(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
        fail_msg("%s", err);
    struct src_csv *t = src_read(run_a, "clusters.csv");
    struct dat_block *b = xcalloc(1, sizeof *b);
    int label[64];
    assert_int_equal(ytic_labels(td->path, "clusters", label, 64), t->nrow);
    assert_int_equal(dat_read(td->path, "clusters", b, 1), 1);
    check_heat_block(b, t, label, "clusters.dat");
    /* run-a's clusters are mostly 4, 0 and 5: drawn as 1, 0, 2 */
    assert_int_equal(label[0], 1);
    assert_int_equal(label[1], 0);
    assert_int_equal(label[2], 2);
    free(b);
    free(t);
    use_gnuplot(NULL);
    tmpdir_free(td);
}

/*
 * compare-loss.dat block i: step, the task loss, and its centred moving
 * average over the positive losses within nrow / 100 steps either side.
 */
static void check_compare_loss_block(const struct dat_block *b, const char *run_dir)
{
    struct src_csv *m = src_read(run_dir, "metrics.csv");
    assert_int_equal(b->ncol, 3);
    if (b->nrow != m->nrow)
        fail_msg("%s compare-loss.dat: %d rows, metrics.csv %d steps", run_dir, b->nrow, m->nrow);
    int half = m->nrow / 100;
    for (int i = 0; i < m->nrow; i++) {
        double sum = 0;
        int n = 0;
        for (int j = i - half; j <= i + half; j++) {
            double u = j >= 0 && j < m->nrow ? on_log_axis(src_at(m, j, "task")) : NAN;
            if (!isnan(u)) sum += u, n++;
        }
        double step = src_at(m, i, "step"), task = on_log_axis(src_at(m, i, "task"));
        double mean = n ? sum / n : NAN;
        if (dat_at(b, i, 0) != step || !same_value(dat_at(b, i, 1), task) ||
            !same_value(dat_at(b, i, 2), mean))
            fail_msg("%s compare-loss.dat row %d: %g %.9g %.9g, metrics.csv gives %g %.9g %.9g",
                     run_dir, i, dat_at(b, i, 0), dat_at(b, i, 1), dat_at(b, i, 2), step, task,
                     mean);
    }
    free(m);
}

static void test_dat_compare_loss(void **state)
{
    struct tmpdir *td = tmpdir_new();
    draw_with_fake(td);
    char err[FTL_ERRLEN];
    /* a run long enough to be smoothed (250 steps: 2 either side), with losses a log axis drops */
    char *long_run = tmpdir_path(td, "long"), *config = ftl_path_join(run_b, "config");
    char *text = read_text(config), *path = ftl_path_join(long_run, "config");
    assert_int_equal(ftl_mkdir_p(long_run, err), 0);
    assert_int_equal(ftl_write_file(path, text, strlen(text), err), 0);
    free(path);
    free(text);
    size_t cap = 64 * 1024, len = 0;
    char *csv = xmalloc(cap);
    len += (size_t)snprintf(csv, cap, "step,loss,task,total\n");
    for (int s = 1; s <= 250; s++) {
        double task = s % 37 == 0 ? 0 : s % 41 == 0 ? -1 : 1.0 / s + 0.01 * (s % 7);
        len += (size_t)snprintf(csv + len, cap - len, "%d,proposed,%.6g,%.6g\n", s, task, 2 * task);
    }
    path = ftl_path_join(long_run, "metrics.csv");
    assert_int_equal(ftl_write_file(path, csv, len, err), 0);
    free(path);
    free(csv);

    const char *runs[] = {run_a, run_b, long_run};
    if (plot_compare_loss(runs, 3, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
        fail_msg("%s", err);
    struct dat_block *b = xcalloc(3, sizeof *b);
    assert_int_equal(dat_read(td->path, "compare-loss", b, 3), 3);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "run%d", i + 1);
        assert_string_equal(b[i].name, name);
        check_compare_loss_block(&b[i], runs[i]);
    }
    free(b);
    free(long_run);
    free(config);
    use_gnuplot(NULL);
    tmpdir_free(td);
}

// ---- activation histograms (acthist.csv, actmean.csv) ----

/* A run's acthist.csv and actmean.csv, read by this test's own parser. */
struct hist_src {
    int units, bins;
    double count[64][10][64]; /* unit, digit, bin */
    double lo[64], hi[64];    /* bin edges */
    double mean[64][10];
    int dead[64];
};

static struct hist_src *hist_src_read(const char *run_dir)
{
    struct hist_src *h = xcalloc(1, sizeof *h);
    char *path = ftl_path_join(run_dir, "acthist.csv"), *text = read_text(path);
    const char *line = strchr(text, '\n');
    assert_non_null(line);
    assert_int_equal(strncmp(text, "unit,digit,bin,lo,hi,count\n", 27), 0);
    for (line++; *line; line = strchr(line, '\n') + 1) {
        int u, d, b;
        double lo, hi, c;
        if (sscanf(line, "%d,%d,%d,%lf,%lf,%lf", &u, &d, &b, &lo, &hi, &c) != 6)
            fail_msg("%s: '%.40s'", path, line);
        if (u < 0 || u >= 64 || d < 0 || d > 9 || b < 0 || b >= 64)
            fail_msg("%s: cell %d %d %d", path, u, d, b);
        h->count[u][d][b] = c;
        h->lo[b] = lo, h->hi[b] = hi;
        h->units = u + 1 > h->units ? u + 1 : h->units;
        h->bins = b + 1 > h->bins ? b + 1 : h->bins;
    }
    free(text);
    free(path);
    struct src_csv *m = src_read(run_dir, "actmean.csv");
    assert_int_equal(m->nrow, h->units);
    for (int u = 0; u < h->units; u++) {
        assert_int_equal((int)src_at(m, u, "unit"), u);
        for (int d = 0; d < 10; d++) {
            char col[16];
            snprintf(col, sizeof col, "digit%d", d);
            h->mean[u][d] = src_at(m, u, col);
        }
        h->dead[u] = src_at(m, u, "dead") != 0;
    }
    free(m);
    return h;
}

/*
 * histograms.dat: for each live unit in order, ten ridges (digit 0 first) of
 * every bin: unit, digit, bin centre, count as acthist.csv has it, and the
 * height: the bin's share of the digit's sequences over the unit's largest
 * share outside the bin holding 0, clipped at 1.
 */
static void check_histograms_dat(const char *dir, const struct hist_src *h)
{
    char *path = ftl_path_join(dir, "histograms.dat"), *text = read_text(path), *save = NULL;
    int zero = -1, row = 0, u = -1, live = 0;
    for (int b = 0; b < h->bins; b++)
        if (h->lo[b] <= 0 && 0 < h->hi[b]) zero = b;
    double scale = 0, n[10];
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        double v[5];
        if (sscanf(line, "%lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4]) != 5)
            fail_msg("histograms.dat: '%s'", line);
        int d = row / h->bins % 10, b = row % h->bins;
        if (row % (10 * h->bins) == 0) { /* the next live unit, and its scale */
            for (u++; u < h->units && h->dead[u]; u++)
                ;
            if (u == h->units) fail_msg("histograms.dat: more rows than live units");
            live++;
            scale = 0;
            double top_zero = 0;
            for (int dd = 0; dd < 10; dd++) {
                n[dd] = 0;
                for (int bb = 0; bb < h->bins; bb++)
                    n[dd] += h->count[u][dd][bb];
                for (int bb = 0; bb < h->bins; bb++) {
                    double share = n[dd] > 0 ? h->count[u][dd][bb] / n[dd] : 0;
                    if (bb != zero && share > scale) scale = share;
                    if (bb == zero && share > top_zero) top_zero = share;
                }
            }
            if (scale == 0) scale = top_zero;
        }
        double share = n[d] > 0 ? h->count[u][d][b] / n[d] : 0;
        double height = scale > 0 ? fmin(share / scale, 1) : 0;
        if (v[0] != u || v[1] != d || !same_value(v[2], (h->lo[b] + h->hi[b]) / 2) ||
            v[3] != h->count[u][d][b] || !same_value(v[4], height))
            fail_msg("histograms.dat row %d: %g %g %.9g %g %.9g; acthist.csv gives unit %d "
                     "digit %d centre %.9g count %g height %.9g",
                     row, v[0], v[1], v[2], v[3], v[4], u, d, (h->lo[b] + h->hi[b]) / 2,
                     h->count[u][d][b], height);
        row++;
    }
    int want = 0;
    for (int k = 0; k < h->units; k++)
        want += !h->dead[k];
    assert_int_equal(live, want);
    assert_int_equal(row, want * 10 * h->bins);
    free(text);
    free(path);
}

/* actmean.dat: "digit unit value", the mean over the unit's largest, a dead unit's row NaN. */
static void check_actmean_dat(const char *dir, const struct hist_src *h)
{
    struct dat_block *b = xcalloc(1, sizeof *b);
    assert_int_equal(dat_read(dir, "actmean", b, 1), 1);
    assert_string_equal(b->name, "means");
    assert_int_equal(b->nrow, h->units * 10);
    for (int i = 0; i < b->nrow; i++) {
        int d = i % 10, u = i / 10;
        double top = 0;
        for (int k = 0; k < 10; k++)
            top = fmax(top, h->mean[u][k]);
        double want = h->dead[u] ? NAN : top <= 0 ? 0 : h->mean[u][d] / top;
        if (dat_at(b, i, 0) != d || dat_at(b, i, 1) != u || !same_value(dat_at(b, i, 2), want))
            fail_msg("actmean.dat row %d: %g %g %.9g, actmean.csv gives %d %d %.9g", i,
                     dat_at(b, i, 0), dat_at(b, i, 1), dat_at(b, i, 2), d, u, want);
    }
    free(b);
}

static void test_dat_histograms(void **state)
{
    struct tmpdir *td = tmpdir_new();
    draw_with_fake(td);
    char err[FTL_ERRLEN];
    if (plot_histograms(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0 ||
        plot_actmean(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
        fail_msg("%s", err);
    struct hist_src *h = hist_src_read(run_a);
    assert_int_equal(h->units, 4);
    assert_int_equal(h->bins, 40);
    assert_true(h->dead[2]); /* run-a's unit 2 is constant: listed, not drawn */
    check_histograms_dat(td->path, h);
    check_actmean_dat(td->path, h);
    char *gp = tmpdir_path(td, "histograms.gp"), *text = read_text(gp);
    assert_non_null(strstr(text, "Dead (constant) units: 2'"));
    assert_null(strstr(text, "'unit 2'"));
    assert_non_null(strstr(text, "'unit 3'"));
    free(text);
    free(gp);
    free(h);
    use_gnuplot(NULL);
    tmpdir_free(td);
}

// ---- images from the real gnuplot ----

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The pixel size in a saved script's pngcairo line; 0, or -1 if there is none. */
static int script_png_size(const char *gp_path, unsigned *w, unsigned *h)
{
    char *gp = read_text(gp_path);
    const char *size = strstr(gp, "pngcairo enhanced size ");
    int rc = size && sscanf(size, "pngcairo enhanced size %u,%u", w, h) == 2 ? 0 : -1;
    free(gp);
    return rc;
}

/* The PNG's signature, and an IHDR of the size the script asked for. */
static void check_png(const char *dir, const char *name)
{
    char file[64], err[FTL_ERRLEN], *buf;
    size_t len;
    snprintf(file, sizeof file, "%s.png", name);
    char *path = ftl_path_join(dir, file);
    if (ftl_read_file(path, &buf, &len, err) != 0) fail_msg("%s", err);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(len > 1000);
    assert_memory_equal(buf, sig, 8);
    assert_memory_equal(buf + 12, "IHDR", 4);
    unsigned w = be32((unsigned char *)buf + 16), h = be32((unsigned char *)buf + 20);
    snprintf(file, sizeof file, "%s.gp", name);
    char *gp_path = ftl_path_join(dir, file);
    unsigned want_w = 0, want_h = 0;
    assert_int_equal(script_png_size(gp_path, &want_w, &want_h), 0);
    assert_int_equal(w, want_w);
    assert_int_equal(h, want_h);
    assert_true(w >= 1050 && h >= 600); /* 3.5 in and more at 300 dpi */
    free(gp_path);
    free(buf);
    free(path);
}

static void check_magic(const char *dir, const char *name, enum gp_format f)
{
    char file[64], err[FTL_ERRLEN], *buf;
    size_t len;
    snprintf(file, sizeof file, "%s.%s", name, gp_format_name(f));
    char *path = ftl_path_join(dir, file);
    if (ftl_read_file(path, &buf, &len, err) != 0) fail_msg("%s", err);
    if (f == GP_SVG) {
        assert_memory_equal(buf, "<?xml", 5);
        assert_non_null(strstr(buf, "<svg"));
        assert_non_null(strstr(buf, "</svg>"));
    } else if (f == GP_TEX) { /* a picture over NAME.pdf, which names it as \input will see it */
        char inc[96];
        snprintf(inc, sizeof inc, "\\includegraphics[width={");
        assert_non_null(strstr(buf, "\\begin{picture}"));
        assert_non_null(strstr(buf, inc));
        snprintf(inc, sizeof inc, "]{%s}}", name);
        assert_non_null(strstr(buf, inc));
        check_magic(dir, name, GP_PDF);
    } else {
        assert_memory_equal(buf, "%PDF-", 5);
        assert_non_null(strstr(buf + len - 8, "%%EOF"));
    }
    free(buf);
    free(path);
}

static void test_images(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN];
    for (int f = 0; f < GP_FORMAT_COUNT; f++) {
        if (draw_all(td->path, (enum gp_format)f, err) != 0) fail_msg("%s", err);
        for (int i = 0; i < NFIGURES; i++)
            if (f == GP_PNG)
                check_png(td->path, figure_names[i]);
            else
                check_magic(td->path, figure_names[i], (enum gp_format)f);
    }
    assert_int_equal(hidden_files(td->path), 0);
    tmpdir_free(td);
}

/* What the user is promised: "gnuplot NAME.gp" in the folder redraws the image. */
static void test_saved_script_redraws(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN], cmd[1200];
    if (plot_loss(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err) != 0)
        fail_msg("%s", err);
    char *image = tmpdir_path(td, "loss.png");
    assert_int_equal(unlink(image), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot loss.gp 2>&1", td->path);
    assert_int_equal(system(cmd), 0);
    check_png(td->path, "loss");
    free(image);
    tmpdir_free(td);
}

// ---- Figure 2 made to read at a glance ----

/*
 * A table by hand: row -> the digit it counts most, that count.
 *   0: nothing (idle)       1: digit 3, 50        2: digit 3, 70
 *   3: digits 0 and 5 tie at 20: digit 0          4: digit 3, 50 (row 1's tie)
 *   5: digit 9, 5           6: nothing (idle)
 */
static void hand_heat(struct fig_heat *h)
{
    static const double c[7][FIG_DIGITS] = {{0},
                                            {0, 10, 0, 50, 0, 0, 0, 0, 0, 0},
                                            {0, 0, 0, 70, 0, 0, 30, 0, 0, 0},
                                            {20, 0, 0, 0, 0, 20, 0, 0, 0, 0},
                                            {5, 0, 0, 50, 0, 0, 0, 0, 0, 0},
                                            {0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
                                            {0}};
    memset(h, 0, sizeof *h);
    h->rows = h->drawn = 7;
    h->cols = FIG_DIGITS;
    h->digits = 1;
    h->count = xcalloc(7 * FIG_DIGITS, sizeof *h->count);
    h->order = xcalloc(7, sizeof *h->order);
    memcpy(h->count, c, sizeof c);
    h->max = 70;
}

static void assert_order(const struct fig_heat *h, const int *want, int n)
{
    assert_int_equal(h->drawn, n);
    for (int i = 0; i < n; i++)
        if (h->order[i] != want[i])
            fail_msg("drawn row %d is unit %d, want %d", i, h->order[i], want[i]);
}

static void test_heat_order(void **state)
{
    struct fig_heat h, other;
    hand_heat(&h);
    hand_heat(&other);
    /* by digit; of one digit the larger count first; equal counts by unit; a tie between
     * two digits goes to the lower; idle units last, in unit order */
    fig_heat_order(&h, PLOT_ORDER_DIGIT);
    assert_order(&h, (const int[]){3, 2, 1, 4, 5, 0, 6}, 7);
    /* the same again: a total order, nothing left to the sort */
    fig_heat_order(&h, PLOT_ORDER_DIGIT);
    assert_order(&h, (const int[]){3, 2, 1, 4, 5, 0, 6}, 7);
    fig_heat_order(&other, PLOT_ORDER_UNIT);
    assert_order(&other, (const int[]){0, 1, 2, 3, 4, 5, 6}, 7);
    /* hiding keeps the order of what stays */
    unsigned char keep[7];
    for (int r = 0; r < 7; r++)
        keep[r] = (unsigned char)fig_heat_row_active(&h, r);
    assert_int_equal(fig_heat_active_rows(&h), 5);
    fig_heat_keep(&h, keep);
    assert_order(&h, (const int[]){3, 2, 1, 4, 5}, 5);
    /* another table takes it whole, or refuses one of other units */
    assert_int_equal(fig_heat_order_like(&other, &h), 0);
    assert_order(&other, (const int[]){3, 2, 1, 4, 5}, 5);
    struct fig_heat small = {.rows = 3};
    assert_int_equal(fig_heat_order_like(&small, &h), -1);
    /* shares of each digit: digit 3's 50 + 70 + 50 sequences */
    fig_heat_normalize(&h);
    assert_true(h.fractions);
    assert_float_equal(h.max, 1, 0);
    assert_float_equal(h.count[2 * FIG_DIGITS + 3], 70.0 / 170, 1e-12);
    assert_float_equal(h.count[3 * FIG_DIGITS + 0], 20.0 / 25, 1e-12);
    assert_float_equal(h.count[5 * FIG_DIGITS + 9], 1, 0);
    assert_float_equal(h.count[0], 0, 0); /* an empty column stays empty, not NaN */
    assert_float_equal(h.count[7], 0, 0);
    fig_heat_free(&h);
    fig_heat_free(&other);
}

/* The fixture points of a run's evolution (tests/data/plots/evolution). */
static int draw_evolution(const char *dir, const struct plot_opts *o, char *err)
{
    char *e[3];
    static const char *const names[3] = {"evolution/epoch-0", "evolution/epoch-2",
                                         "evolution/epoch-4"};
    static const char *const labels[3] = {"epoch 0", "epoch 2", "epoch 4"};
    struct plot_evolution_point p[3];
    for (int i = 0; i < 3; i++) {
        e[i] = xstrdup(fixture(names[i]));
        p[i] = (struct plot_evolution_point){labels[i], e[i]};
    }
    int rc = plot_evolution(run_a, p, 3, dir, o, err);
    for (int i = 0; i < 3; i++)
        free(e[i]);
    return rc;
}

/* The scripts of Figure 2 in digit order, idle units hidden, as shares; and over time. */
static void test_figure2_golden(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *fake = write_fake(td, "gnuplot", fake_writer), err[FTL_ERRLEN];
    use_gnuplot(fake);
    struct plot_opts o = plot_opts_default(GP_PNG);
    o.order = PLOT_ORDER_DIGIT;
    o.hide_dead = 1;
    o.normalize = 1;
    if (plot_actmap(run_a, td->path, &o, err) != 0) fail_msg("%s", err);
    compare_golden_as(td->path, "actmap.gp", "actmap-digit-hide-normalize.gp");
    /* every panel in run-b's order, the units idle in both hidden */
    const char *runs[] = {run_a, run_b};
    o.normalize = 0;
    o.order_from = run_b;
    if (plot_compare_actmap(runs, 2, td->path, &o, err) != 0) fail_msg("%s", err);
    compare_golden_as(td->path, "compare-actmap.gp", "compare-actmap-order-from.gp");
    /* each panel in its own order: each names its own units */
    o.order_from = NULL;
    o.hide_dead = 0;
    if (plot_compare_actmap(runs, 2, td->path, &o, err) != 0) fail_msg("%s", err);
    compare_golden_as(td->path, "compare-actmap.gp", "compare-actmap-digit.gp");
    o = plot_opts_default(GP_PNG);
    o.order = PLOT_ORDER_DIGIT;
    o.hide_dead = 1;
    if (draw_evolution(td->path, &o, err) != 0) fail_msg("%s", err);
    compare_golden(td->path, "evolution.gp");
    use_gnuplot(NULL);
    free(fake);
    tmpdir_free(td);
}

/* --order-from a run of other units: one line naming both files. */
static void test_order_from_mismatch(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *fake = write_fake(td, "gnuplot", fake_writer), err[FTL_ERRLEN];
    use_gnuplot(fake);
    struct plot_opts o = plot_opts_default(GP_PNG);
    o.order = PLOT_ORDER_DIGIT;
    const char *runs[] = {run_a, run_b};
    char *five = xstrdup(fixture("evolution/epoch-4"));
    o.order_from = five;
    assert_int_equal(plot_compare_actmap(runs, 2, td->path, &o, err), -1);
    assert_non_null(strstr(err, "run-a/actmap.csv: 4 units, but "));
    assert_non_null(strstr(err, "epoch-4/actmap.csv has 5"));
    assert_null(strchr(err, '\n'));
    free(five);
    use_gnuplot(NULL);
    free(fake);
    tmpdir_free(td);
}

// ---- when gnuplot goes wrong ----

static void test_gnuplot_missing(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN];
    use_gnuplot("/nonexistent/gnuplot");
    assert_int_equal(gp_available(err), -1);
    assert_non_null(strstr(err, "/nonexistent/gnuplot (named by FTLAB_GNUPLOT) not found"));
    assert_int_equal(plot_actmap(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err), -1);
    assert_non_null(strstr(err, "actmap.png: /nonexistent/gnuplot"));
    assert_false(file_in(td->path, "actmap.png"));
    assert_true(file_in(td->path, "actmap.gp")); /* the script stays, to run elsewhere */
    assert_int_equal(hidden_files(td->path), 0);

    /* not on PATH */
    use_gnuplot(NULL);
    char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", td->path, 1);
    assert_int_equal(gp_available(err), -1);
    assert_string_equal(err, "gnuplot not found on PATH; install it "
                             "(Debian: apt-get install gnuplot-nox)");
    assert_int_equal(plot_loss(run_a, td->path, &(struct plot_opts){.fmt = GP_PNG}, err), -1);
    assert_non_null(strstr(err, "loss.png: gnuplot not found on PATH"));
    setenv("PATH", old, 1);
    free(old);
    assert_false(file_in(td->path, "loss.png"));
    assert_int_equal(hidden_files(td->path), 0);
    tmpdir_free(td);
}

/* Runs plot_loss with a fake gnuplot of body; returns its result, err filled. */
static int loss_with_fake(const struct tmpdir *td, const char *body, char *err)
{
    char *fake = write_fake(td, "fake", body), *out = tmpdir_path(td, "out");
    use_gnuplot(fake);
    int rc = plot_loss(run_a, out, &(struct plot_opts){.fmt = GP_PNG}, err);
    use_gnuplot(NULL);
    assert_int_equal(hidden_files(out), 0);
    free(fake);
    free(out);
    return rc;
}

static void test_gnuplot_failing(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN], *out = tmpdir_path(td, "out"), *image = tmpdir_path(td, "out/loss.png");
    assert_int_equal(ftl_mkdir_p(out, err), 0);
    /* an image from an earlier export must survive a failed one */
    assert_int_equal(ftl_write_file(image, "old\n", 4, err), 0);

    /* as gnuplot reports an error in a script read from /dev/stdin */
    assert_int_equal(loss_with_fake(td,
                                    "echo '         plot foo' >&2\n"
                                    "echo '              ^' >&2\n"
                                    "echo '\"/dev/stdin\" line 3: undefined variable: foo' >&2\n"
                                    "exit 1\n",
                                    err),
                     -1);
    assert_non_null(strstr(err, "out/loss.png: gnuplot: loss.gp line 3: undefined variable: foo"));
    char *text = read_text(image);
    assert_string_equal(text, "old\n");
    free(text);

    assert_int_equal(loss_with_fake(td, "echo 'line 3: undefined variable' >&2; exit 1\n", err),
                     -1);
    assert_non_null(strstr(err, "gnuplot: line 3: undefined variable"));
    /* an error line is an error even when the exit status says otherwise */
    assert_int_equal(
        loss_with_fake(td, "cat >/dev/null; echo 'line 7: all points y value undefined!' >&2\n",
                       err),
        -1);
    assert_non_null(strstr(err, "line 7: all points y value undefined!"));
    /* warnings are not */
    char body[512];
    snprintf(body, sizeof body, "echo '\"/dev/stdin\" line 9: warning: empty y range' >&2\n%s",
             fake_writer);
    assert_int_equal(loss_with_fake(td, body, err), 0);
    assert_int_equal(ftl_write_file(image, "old\n", 4, err), 0);
    /* success without an image is a failure */
    assert_int_equal(loss_with_fake(td, "cat >/dev/null\n", err), -1);
    assert_non_null(strstr(err, "gnuplot wrote no image"));
    assert_int_equal(loss_with_fake(td, "exit 3\n", err), -1);
    assert_non_null(strstr(err, "exit status 3"));
    assert_int_equal(loss_with_fake(td, "kill -SEGV $$\n", err), -1);
    assert_non_null(strstr(err, "killed by signal 11"));
    text = read_text(image);
    assert_string_equal(text, "old\n");
    free(text);
    free(image);
    free(out);
    tmpdir_free(td);
}

/* Alive, and not a zombie waiting for us? */
static int process_alive(pid_t pid)
{
    char path[64], stat[256] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp) return kill(pid, 0) == 0;
    size_t n = fread(stat, 1, sizeof stat - 1, fp);
    fclose(fp);
    stat[n] = '\0';
    const char *close_paren = strrchr(stat, ')');
    return close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z';
}

static void test_gnuplot_hangs(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN], body[600], *pids = tmpdir_path(td, "pids");
    /* the shell and a child of it both hold stderr open: the whole group must go */
    snprintf(body, sizeof body, "sleep 30 &\necho $$ $! > '%s'\nwait\n", pids);
    setenv("FTLAB_GNUPLOT_TIMEOUT", "0.5", 1);
    double t0 = ftl_now();
    assert_int_equal(loss_with_fake(td, body, err), -1);
    double took = ftl_now() - t0;
    unsetenv("FTLAB_GNUPLOT_TIMEOUT");
    assert_true(took >= 0.45 && took < 5);
    assert_non_null(strstr(err, "gnuplot did not finish within 0.5 s"));
    char *text = read_text(pids);
    int shell, sleeper;
    assert_int_equal(sscanf(text, "%d %d", &shell, &sleeper), 2);
    for (int i = 0; i < 100 && process_alive(sleeper); i++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    assert_false(process_alive(shell));
    assert_false(process_alive(sleeper));
    free(text);
    free(pids);
    tmpdir_free(td);
}

/* A child that never reads its script: the writing must neither block past
 * the time limit nor raise SIGPIPE in ftlab. */
static void test_gnuplot_not_reading(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char err[FTL_ERRLEN];
    size_t len = 4 << 20;
    char *script = xmalloc(len);
    memset(script, '#', len);
    char *quits = write_fake(td, "quits", "exit 0\n");
    char *sleeps = write_fake(td, "sleeps", "exec sleep 30\n");

    use_gnuplot(quits);
    assert_int_equal(gp_run(script, len, 10, "x.png", "x.gp", err), 0);
    sigset_t pending;
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));

    use_gnuplot(sleeps);
    double t0 = ftl_now();
    assert_int_equal(gp_run(script, len, 0.3, "x.png", "x.gp", err), -1);
    assert_true(ftl_now() - t0 < 5);
    assert_non_null(strstr(err, "x.png: gnuplot did not finish within 0.3 s"));
    use_gnuplot(NULL);
    free(quits);
    free(sleeps);
    free(script);
    tmpdir_free(td);
}

#ifdef FTL_REAL_GNUPLOT
enum { REAL_GNUPLOT_ONLY = 1 };
#else
enum { REAL_GNUPLOT_ONLY = 0 };
#endif

int main(void)
{
    const struct CMUnitTest with_gnuplot[] = {
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_saved_script_redraws),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_run_info),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_labels_for_latex),
        cmocka_unit_test(test_groups_heatmap),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_table1_paper),
        cmocka_unit_test(test_scripts_golden),
        cmocka_unit_test(test_heat_order),
        cmocka_unit_test(test_figure2_golden),
        cmocka_unit_test(test_order_from_mismatch),
        cmocka_unit_test(test_script_terminals),
        cmocka_unit_test(test_skipped_inputs),
        cmocka_unit_test(test_dat_loss),
        cmocka_unit_test(test_dat_actmap),
        cmocka_unit_test(test_dat_clusters),
        cmocka_unit_test(test_dat_compare_loss),
        cmocka_unit_test(test_dat_histograms),
        cmocka_unit_test(test_gnuplot_missing),
        cmocka_unit_test(test_gnuplot_failing),
        cmocka_unit_test(test_gnuplot_hangs),
        cmocka_unit_test(test_gnuplot_not_reading),
    };
    if (!REAL_GNUPLOT_ONLY) return cmocka_run_group_tests(tests, setup, teardown);
    char err[FTL_ERRLEN];
    if (!real_gnuplot(err)) return testutil_skip_all("no gnuplot to draw the images with: %s", err);
    return cmocka_run_group_tests(with_gnuplot, setup, teardown);
}
