/* figkit — what the figure families share. See figkit.h. */
#define _POSIX_C_SOURCE 200809L
#include "figkit.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "run.h"
#include "util.h"

// ---- text buffers ----

FILE *fig_text_open(struct fig_text *t)
{
    t->s = NULL;
    t->fp = open_memstream(&t->s, &t->len);
    if (!t->fp) abort();
    return t->fp;
}

char *fig_text_close(struct fig_text *t)
{
    if (fclose(t->fp) != 0) abort();
    return t->s;
}

void fig_put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, " %.9g", v);
    else
        fputs(" NaN", fp);
}

// ---- the house style ----

/* Okabe & Ito (2008): distinguishable under every common colour-vision deficiency. */
const char *const fig_okabe_ito[8] = {"#000000", "#E69F00", "#56B4E9", "#009E73",
                                      "#0072B2", "#D55E00", "#CC79A7", "#F0E442"};

/* One colour per loss, the same in every figure (reg_table: Okabe-Ito hues, grey for baseline). */
const char *fig_loss_colour(int kind)
{
    return reg_table[kind].colour;
}

/* What every figure shares: no gnuplot default is left to show through. */
void fig_put_style(FILE *fp)
{
    fputs("# ---- style ----\n"
          "set border 3 front linewidth 0.6 linecolor rgb '#262626'\n"
          "set tics nomirror out scale 0.5 textcolor rgb '#262626'\n"
          "set mxtics default\n"
          "set grid ytics back linewidth 0.4 linecolor rgb '#e3e3e3' dashtype solid\n"
          "set key top right noreverse Left samplen 1.6 spacing 1.1 nobox opaque "
          "textcolor rgb '#262626'\n"
          "set title offset 0,-0.4 textcolor rgb '#262626'\n"
          "set xlabel offset 0,0.4 textcolor rgb '#262626'\n"
          "set ylabel textcolor rgb '#262626'\n"
          "set pointsize 0.6\n\n",
          fp);
}

/* ColorBrewer YlGnBu: sequential, colour-blind safe, and pale at zero so empty cells recede. */
void fig_put_palette(FILE *fp)
{
    fputs("set palette defined (0 '#ffffd9', 1 '#edf8b1', 2 '#c7e9b4', 3 '#7fcdbb', "
          "4 '#41b6c4', 5 '#1d91c0', 6 '#225ea8', 7 '#253494', 8 '#081d58')\n",
          fp);
}

// ---- size and text, as plot_opts asks ----

double fig_em(const struct plot_opts *o)
{
    return (o->font_pt > 0 ? o->font_pt : GP_FONT_PT) / GP_FONT_PT;
}

void fig_size(const struct plot_opts *o, double w0, double h0, double *w, double *h)
{
    *w = o->width > 0 ? o->width : w0;
    *h = o->height > 0 ? o->height : o->aspect > 0 ? *w / o->aspect : h0;
}

struct gp_figure fig_figure(const struct plot_opts *o, const char *name, double w, double h,
                            const struct gp_block *blocks, int nblocks, const char *body)
{
    return (struct gp_figure){name, w, h, blocks, nblocks, body, o->font, o->font_pt};
}

/* The characters of ftlab's words that LaTeX's text mode lacks, as math. */
static const struct {
    const char *utf8, *tex;
} tex_symbols[] = {
    {"λ", "$\\lambda$"}, {"→", "$\\to$"}, {"·", "$\\cdot$"},  {"≥", "$\\geq$"},
    {"≤", "$\\leq$"},    {"±", "$\\pm$"}, {"×", "$\\times$"}, {"−", "$-$"},
    {"σ", "$\\sigma$"},  {"μ", "$\\mu$"}, {"–", "--"},        {"—", "---"},
};

/* One character of text for LaTeX: specials escaped, the symbols above as math. Returns the
 * bytes it consumed. */
static size_t put_tex_char(FILE *fp, const char *s)
{
    for (size_t i = 0; i < sizeof tex_symbols / sizeof tex_symbols[0]; i++) {
        size_t n = strlen(tex_symbols[i].utf8);
        if (strncmp(s, tex_symbols[i].utf8, n) == 0) {
            fputs(tex_symbols[i].tex, fp);
            return n;
        }
    }
    switch (*s) {
    case '#':
    case '$':
    case '%':
    case '&':
    case '_':
    case '{':
    case '}':
        fprintf(fp, "\\%c", *s);
        break;
    case '~':
        fputs("\\textasciitilde{}", fp);
        break;
    case '^':
        fputs("\\textasciicircum{}", fp);
        break;
    case '\\':
        fputs("\\textbackslash{}", fp);
        break;
    default:
        fputc(*s, fp);
    }
    return 1;
}

/* s as LaTeX text; with enhanced, X_{sub} and X^{sup} as math: AMI$_{\mathrm{max}}$, 10$^{%L}$. */
static char *tex_text(const char *s, int enhanced)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    while (*s) {
        if (enhanced && (*s == '_' || *s == '^') && s[1] == '{' && strchr(s + 2, '}')) {
            const char *end = strchr(s + 2, '}');
            int sub = *s == '_';
            fprintf(fp, "$%c{%s", *s, sub ? "\\mathrm{" : "");
            fwrite(s + 2, 1, (size_t)(end - s - 2), fp);
            fprintf(fp, "%s}$", sub ? "}" : "");
            s = end + 1;
        } else {
            s += put_tex_char(fp, s);
        }
    }
    return fig_text_close(&t);
}

void fig_put_label(FILE *fp, const struct plot_opts *o, const char *s, int enhanced)
{
    fig_put_label_pt(fp, o, 0, s, enhanced);
}

/*
 * How many characters wide gnuplot 5 guesses a LaTeX text is (strlen_tex in its
 * util.c): a control word counts one, braces, $, _ and ^ none, [...] none,
 * anything else one each.
 */
static int tex_guess_len(const char *s)
{
    int n = 0;
    while (*s) {
        if (*s == '[') {
            while (*s && *s != ']')
                s++;
            if (*s) s++;
        } else if (*s == '\\') {
            for (s++; isalpha((unsigned char)*s); s++)
                ;
            n++;
        } else {
            n += !strchr("{}$_^", *s);
            s++;
        }
    }
    return n;
}

const char *fig_tex_size(const struct plot_opts *o, double pt, char *buf, size_t cap)
{
    pt *= fig_em(o);
    if (o->fmt != GP_TEX) return "";
    snprintf(buf, cap, "\\fontsize{%.3g}{%.3g}\\selectfont ", pt, pt * 1.2);
    return buf;
}

const char *fig_tex_size_labels(const struct plot_opts *o, double pt, char *buf, size_t cap)
{
    char tex[64];
    fig_tex_size(o, pt, tex, sizeof tex);
    buf[0] = '\0';
    for (size_t i = 0, j = 0; o->fmt == GP_TEX && tex[i] && j + 2 < cap; i++) {
        if (tex[i] == '\\') buf[j++] = '\\';
        buf[j++] = tex[i];
        buf[j] = '\0';
    }
    return buf;
}

void fig_put_label_pt(FILE *fp, const struct plot_opts *o, double pt, const char *s, int enhanced)
{
    if (o->fmt != GP_TEX) {
        gp_put_string(fp, s);
        return;
    }
    char size[64] = "", *tex = tex_text(s, enhanced), *both = NULL;
    if (pt > 0) fig_tex_size(o, pt, size, sizeof size); /* 0: the paper's own size */
    size_t n = strlen(size) + strlen(tex) + 1;
    both = xmalloc(n);
    snprintf(both, n, "%s%s", size, tex);
    gp_put_string(fp, both);
    free(both);
    free(tex);
}

/* A character's width over the text's size, measured with pdftotext -bbox: ftlab's words in
 * Helvetica 0.44 ("3 of 8 FC1 units most active" at 8 pt is 98.8 pt wide in a PDF), in
 * LaTeX's Computer Modern 0.47 (actmap's subtitle, 54 characters, 201.9 pt at 8 pt). */
#define CHAR_EM 0.45
#define CHAR_EM_TEX 0.48

/* The characters of s[0, len) that show: as fig_text_width counts them. */
static int shown(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] == '_' || s[i] == '^') && i + 1 < len && s[i + 1] == '{') continue;
        n += !strchr("{}", s[i]) && ((unsigned char)s[i] & 0xC0) != 0x80; /* UTF-8: once */
    }
    return n;
}

double fig_text_width(const struct plot_opts *o, double pt, const char *s)
{
    return shown(s, strlen(s)) * (o->fmt == GP_TEX ? CHAR_EM_TEX : CHAR_EM) * pt * fig_em(o) / 72;
}

void fig_put_wrapped(FILE *fp, const char *words, int cap, int *col, int *lines)
{
    for (const char *w = words; *w;) {
        size_t len = strcspn(w + 1, " ") + 1; /* a word with the space before it */
        const char *open = w + (*w == ' '), *close = strchr(open, ')');
        if (*open == '(' && close) len = (size_t)(close - w) + 1; /* "(k = 9)" stays whole */
        if (*col > 0 && *col + shown(w, len) > cap && *w == ' ') {
            fputc('\n', fp);
            (*lines)++;
            *col = 0;
            w++, len--;
        }
        /* A word longer than a line (a run's folder name) is cut between characters into as
         * few lines as it takes, of even lengths; not inside enhanced markup, which must stay
         * whole. */
        int n = shown(w, len), pieces = (n + cap - 1) / cap, even = (n + pieces - 1) / pieces;
        while (*col + shown(w, len) > cap && !memchr(w, '{', len)) {
            int room = *col > 0 ? cap - *col : even;
            size_t cut = 0, next;
            for (;; cut = next) {
                next = cut + 1;
                while (next < len && ((unsigned char)w[next] & 0xC0) == 0x80)
                    next++; /* a UTF-8 character whole */
                if (next >= len || shown(w, next) > room) break;
            }
            if (cut == 0) break; /* not one character fits the line's rest */
            fwrite(w, 1, cut, fp);
            fputc('\n', fp);
            (*lines)++;
            *col = 0;
            w += cut, len -= cut;
        }
        fwrite(w, 1, len, fp);
        *col += shown(w, len);
        w += len;
    }
}

char *fig_wrap(const struct plot_opts *o, double pt, const char *words, double width, int *lines)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    /* (a hair over, so that a text as wide as `width` fits however the division rounds) */
    int cap = (int)(width / fig_text_width(o, pt, "x") + 1e-6), col = 0;
    *lines = 1;
    fig_put_wrapped(fp, words, cap > 1 ? cap : 1, &col, lines);
    return fig_text_close(&t);
}

void fig_put_lines(FILE *fp, const struct plot_opts *o, const char *s, int enhanced)
{
    for (int first = 1;; first = 0) {
        size_t len = strcspn(s, "\n");
        char *line = xstrdup(s);
        line[len] = '\0';
        if (!first) fputs(".\"\\n\".", fp);
        fig_put_label(fp, o, line, enhanced);
        free(line);
        if (!s[len]) break;
        s += len + 1;
    }
}

void fig_put_wrapped_label(FILE *fp, const struct plot_opts *o, const char *s, int enhanced,
                           double width)
{
    if (width <= 0) {
        fig_put_label(fp, o, s, enhanced);
        return;
    }
    int lines;
    char *text = fig_wrap(o, GP_FONT_PT, s, width, &lines);
    fig_put_lines(fp, o, text, enhanced);
    free(text);
}

/* gnuplot centres a title over the plot, not the page: a heatmap's plot sits 0.15 in (at
 * 8 pt) left of the page's centre, its colour box being wider than its unit numbers. */
static double title_room(const struct plot_opts *o, double width)
{
    return width > 0 ? width - 0.3 * fig_em(o) : 0;
}

int fig_lines(const struct plot_opts *o, const char *text, double width)
{
    if (!text) return 0;
    if (width <= 0) return 1;
    int lines;
    free(fig_wrap(o, GP_FONT_PT, text, width, &lines));
    return lines;
}

int fig_title_lines(const struct plot_opts *o, const char *line1, const char *line2, double width)
{
    double room = title_room(o, width);
    return fig_lines(o, line1, room) + fig_lines(o, line2, room);
}

double fig_nice_step(double top, int most)
{
    static const double mult[3] = {1, 2, 5};
    if (!(top > 0 && top < 1e300) || most < 1) return 1; /* NaN or infinite: any step ends */
    for (double power = 1;; power *= 10)
        for (int i = 0; i < 3; i++)
            if (top / (mult[i] * power) <= most) return mult[i] * power;
}

void fig_put_title_lines(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                         int enhanced, double room)
{
    fig_put_wrapped_label(fp, o, line1, enhanced, room);
    if (line2) {
        fputs(".\"\\n\".", fp);
        fig_put_wrapped_label(fp, o, line2, enhanced, room);
    }
}

void fig_put_title_text(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                        int enhanced, double width)
{
    fig_put_title_lines(fp, o, line1, line2, enhanced, title_room(o, width));
}

/*
 * "set title" with one or two lines. Text made of ftlab's own words may use
 * enhanced markup (AMI_{max}); anything holding a file name must not.
 */
void fig_put_title(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                   int enhanced, double width)
{
    fputs("set title ", fp);
    fig_put_title_text(fp, o, line1, line2, enhanced, width);
    fputs(enhanced ? "\n" : " noenhanced\n", fp);
}

double fig_cell_font(const struct plot_opts *o, double house, double plot_w, int cols, int chars,
                     double row)
{
    double em = fig_em(o), fit = plot_w * 72 / (cols > 0 ? cols : 1) / (chars * 0.56 + 0.3);
    double font = fit < house * em ? fit : house * em; /* in points as printed */
    if (row > 0 && row * 72 * 0.9 < font) font = row * 72 * 0.9;
    /* LaTeX's default Computer Modern has no size under 5 pt: it would set 5 pt instead */
    return font >= (o->fmt == GP_TEX ? 5 : 3) ? font / em : 0;
}

int fig_heat_label_chars(const struct fig_heat *h)
{
    return snprintf(NULL, 0, h->fractions ? "%.2f" : "%.0f", h->fractions ? 0.0 : h->max);
}

double fig_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Reads what a run figure needs, or says how to make it (PLOT_SKIPPED). */
int fig_read_input(const char *run_dir, const char *file, const char *maker, struct plotdata_csv *t,
                   char *err)
{
    char *path = run_path(run_dir, file);
    int rc = PLOT_SKIPPED;
    if (!ftl_is_file(path))
        ftl_error(err, "%s: not there yet; run '%s %s' first", path, maker, run_dir);
    else
        rc = plotdata_csv_read(path, t, err);
    free(path);
    return rc;
}

/* "Classifier, Baseline → Proposed (KL margin)": reg_table words only, safe as enhanced text. */
void fig_run_title(const struct plotdata_run *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s, %s", r->autoencoder ? "Autoencoder" : "Classifier", r->losses);
}

const char *fig_layer_name(const struct plotdata_run *r)
{
    return r->autoencoder ? "code" : "FC1";
}

// ---- the key below the axes ----

/*
 * A key under the x label, in `cols` columns of `rows` rows: at a column's
 * width a key inside the axes would hide data. Returns the space it takes
 * below the axes, in inches, for the figure's height.
 */
double fig_key_below_height(int rows, double em)
{
    return (0.46 + 0.135 * rows) * em;
}

void fig_put_key_below(FILE *fp, double height, int rows, int cols, double em)
{
    double key_top = (0.06 + 0.135 * rows) * em;
    fprintf(fp,
            "set bmargin at screen %.4f\n"
            "set key at screen 0.5, screen %.4f center top horizontal maxcols %d reverse Left "
            "width -2\n",
            fig_key_below_height(rows, em) / height, key_top / height, cols);
}

// ---- heatmaps: units or clusters x digits ----

/* groups.txt beside the table: line i names column i (eval writes it for data other than
 * digits); a missing or short file leaves the names it does not give as they are. */
static void read_group_names(const char *path, struct fig_heat *h)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 1;
    char *dir = xmalloc(dlen + 1);
    memcpy(dir, slash ? path : ".", dlen);
    dir[dlen] = '\0';
    char *file = ftl_path_join(dir, "groups.txt"), *text, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(file, &text, &len, err) == 0) {
        const char *line = text;
        for (int c = 0; c < h->cols && line < text + len; c++) {
            size_t n = strcspn(line, "\n");
            if (n > 0 && n < FIG_COL_NAME)
                snprintf(h->col_name[c], FIG_COL_NAME, "%.*s", (int)n, line);
            line += n + (line[n] == '\n');
        }
        free(text);
    }
    free(file);
    free(dir);
}

int fig_heat_from_csv(const struct plotdata_csv *t, const char *path, struct fig_heat *h, char *err)
{
    memset(h, 0, sizeof *h);
    if (t->ncol < 3 || t->ncol > FIG_MAX_COLS + 1 || t->nrow == 0)
        return ftl_error(err,
                         "%s: expected a header and rows of 3 to %d columns (a label, then "
                         "a count per class)",
                         path, FIG_MAX_COLS + 1);
    h->rows = (int)t->nrow;
    h->cols = t->ncol - 1;
    h->count = xcalloc(t->nrow * (size_t)h->cols, sizeof *h->count);
    h->order = xcalloc(t->nrow, sizeof *h->order);
    h->drawn = h->rows;
    /* The columns' kind from the first's name: digitN, gN or yN (evaluate.h). */
    const char *first = t->name[1];
    const char *kind = strncmp(first, "digit", 5) == 0 ? "digit"
                       : first[0] == 'g'               ? "group"
                                                       : "label";
    snprintf(h->col_what, sizeof h->col_what, "%s", kind);
    h->digits = h->cols == FIG_DIGITS && strcmp(kind, "digit") == 0;
    for (int c = 0; c < h->cols; c++) {
        const char *name = t->name[1 + c];
        const char *num = strcmp(kind, "digit") == 0 ? name + 5 : name + 1;
        snprintf(h->col_name[c], FIG_COL_NAME, "%s", *num ? num : name);
    }
    if (strcmp(kind, "group") == 0) read_group_names(path, h);
    for (int i = 0; i < h->rows; i++) {
        h->order[i] = i;
        for (int d = 0; d < h->cols; d++) {
            double v = t->v[(size_t)i * t->ncol + 1 + d];
            double *cell = &h->count[(size_t)i * h->cols + d];
            *cell = isfinite(v) && v > 0 ? v : 0;
            if (*cell > h->max) h->max = *cell;
        }
    }
    return 0;
}

void fig_heat_free(struct fig_heat *h)
{
    free(h->count);
    free(h->order);
}

int fig_heat_row_active(const struct fig_heat *h, int r)
{
    for (int d = 0; d < h->cols; d++)
        if (h->count[(size_t)r * h->cols + d] > 0) return 1;
    return 0;
}

int fig_heat_active_rows(const struct fig_heat *h)
{
    int n = 0;
    for (int i = 0; i < h->rows; i++)
        n += fig_heat_row_active(h, i);
    return n;
}

/* Row r's sort key under PLOT_ORDER_DIGIT: its column (h->cols for a row with no count,
 * so those go last) and that column's count. */
static void digit_key(const struct fig_heat *h, int r, int *digit, double *count)
{
    const double *c = h->count + (size_t)r * h->cols;
    int best = 0;
    for (int d = 1; d < h->cols; d++)
        if (c[d] > c[best]) best = d; /* strictly more: a tie keeps the lower digit */
    *digit = c[best] > 0 ? best : h->cols;
    *count = c[best];
}

/* Does row a come before row b? Digit, then count (most first), then row: a total order, so
 * the figure is the same on every libc. */
static int digit_before(const struct fig_heat *h, int a, int b)
{
    int da, db;
    double ca, cb;
    digit_key(h, a, &da, &ca);
    digit_key(h, b, &db, &cb);
    if (da != db) return da < db;
    if (ca != cb && da < h->cols) return ca > cb;
    return a < b;
}

void fig_heat_order(struct fig_heat *h, enum plot_order order)
{
    h->drawn = h->rows;
    for (int i = 0; i < h->rows; i++)
        h->order[i] = i;
    if (order != PLOT_ORDER_DIGIT) return;
    for (int i = 1; i < h->rows; i++) { /* insertion sort: a layer has tens of units */
        int r = h->order[i], j = i;
        for (; j > 0 && digit_before(h, r, h->order[j - 1]); j--)
            h->order[j] = h->order[j - 1];
        h->order[j] = r;
    }
}

int fig_heat_order_like(struct fig_heat *h, const struct fig_heat *like)
{
    if (h->rows != like->rows) return -1;
    memcpy(h->order, like->order, (size_t)h->rows * sizeof *h->order);
    h->drawn = like->drawn;
    return 0;
}

void fig_heat_keep(struct fig_heat *h, const unsigned char *keep)
{
    int n = 0;
    for (int i = 0; i < h->drawn; i++)
        if (keep[h->order[i]]) h->order[n++] = h->order[i];
    h->drawn = n;
}

void fig_heat_normalize(struct fig_heat *h)
{
    for (int d = 0; d < h->cols; d++) {
        double sum = 0;
        for (int r = 0; r < h->rows; r++)
            sum += h->count[(size_t)r * h->cols + d];
        for (int r = 0; r < h->rows && sum > 0; r++)
            h->count[(size_t)r * h->cols + d] /= sum;
    }
    h->fractions = 1;
    h->max = 1; /* the scale is 0..1 whatever the largest share, so panels compare */
}

/* Cells as "digit row count", row being the drawn position (h->order maps it back). */
char *fig_heat_block(const struct fig_heat *h)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    for (int i = 0; i < h->drawn; i++) {
        for (int d = 0; d < h->cols; d++) {
            double v = h->count[(size_t)h->order[i] * h->cols + d];
            if (h->fractions)
                fprintf(fp, "%d %d %.6g\n", d, i, v);
            else
                fprintf(fp, "%d %d %.0f\n", d, i, v);
        }
        fputc('\n', fp);
    }
    return fig_text_close(&t);
}

/* Axes and colour scale of one heatmap panel; the script defines cbmax before. */
void fig_heat_axes(FILE *fp, const struct plot_opts *o, const struct fig_heat *h,
                   const char *ylabel, int ytic_labels)
{
    int rows = h->drawn > 0 ? h->drawn : 1;
    int every = rows <= 40 ? 1 : rows <= 80 ? 4 : 8;
    if (h->digits) {
        fprintf(fp,
                "set xrange [-0.5:9.5]\n"
                "set yrange [%d.5:-0.5]\n"
                "set xtics 0,1,9 scale 0\n",
                rows - 1);
    } else { /* the groups by name; long names or many columns turned upright */
        int upright = h->cols > 12;
        for (int c = 0; c < h->cols; c++)
            upright |= strlen(h->col_name[c]) > 3;
        fprintf(fp, "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\nset xtics scale 0%s (",
                h->cols - 1, rows - 1, upright ? " rotate by 90 right" : "");
        for (int c = 0; c < h->cols; c++) {
            fputs(c ? ", " : "", fp);
            fig_put_label(fp, o, h->col_name[c], 0);
            fprintf(fp, " %d", c);
        }
        fputs(")\n", fp);
    }
    fprintf(fp,
            "set border 15 front linewidth 0.6 linecolor rgb '#262626'\n"
            "unset grid\n"
            "set xlabel '%s'\n"
            "set cbrange [0:cbmax]\n",
            h->col_what);
    if (h->fractions) /* a cell's share of its column's test sequences: each column sums to 1 */
        fprintf(fp,
                "set cbtics 0,0.25,1 scale 0.5 out nomirror\n"
                "set cblabel 'fraction of the %s'\n",
                h->col_what);
    else
        fputs("set cbtics scale 0.5 out nomirror\n"
              "set cblabel 'test sequences'\n",
              fp);
    if (ylabel)
        fprintf(fp, "set ylabel '%s'\n", ylabel);
    else
        fputs("unset ylabel\n", fp);
    if (!ytic_labels) {
        fputs("unset ytics\n", fp);
        return;
    }
    double pt = rows > 16 ? 6.5 : 8;
    char tex[64];
    const char *size = fig_tex_size(o, pt, tex, sizeof tex);
    fprintf(fp, "set ytics scale 0 font ',%g' (", pt * fig_em(o));
    for (int i = 0; i < h->drawn; i += every)
        fprintf(fp, "%s'%s%d' %d", i ? ", " : "", size, h->order[i], i);
    fputs(")\n", fp);
    /* gnuplot spaces the y label by its guess of the tic labels' width, which counts the
     * characters of the size command too (in the terminal's character width), and pushed it
     * off the page: moved back by them. */
    if (ylabel && *size) fprintf(fp, "set ylabel offset %d,0\n", tex_guess_len(size));
}

/*
 * The cells, and each non-empty cell's count on it in black, or white where
 * the palette is dark (past 55 %% of the scale). Counts are written when a
 * row is tall enough to hold them.
 */
void fig_heat_plot(FILE *fp, const struct plot_opts *o, const struct fig_heat *h, const char *block,
                   double font)
{
    char size[128];
    fig_tex_size_labels(o, font, size, sizeof size);
    /* A share as two digits after the point, ".42", so it fits where a count of 3 digits does. */
    const char *number =
        h->fractions ? "($3 >= 0.995 ? '1' : sprintf('.%02.0f', 100 * $3))" : "sprintf('%d', $3)";
    char label[256];
    if (size[0])
        snprintf(label, sizeof label, "'%s'.%s", size, number);
    else
        snprintf(label, sizeof label, "%s", number);
    fprintf(fp, "plot $%s using 1:2:3 with image pixels notitle", block);
    if (h->drawn <= 48 && font > 0)
        fprintf(fp,
                ", \\\n     $%s using 1:2:($3 > 0 ? %s : ''):"
                "($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable "
                "font ',%.1f' notitle",
                block, label, font * fig_em(o));
    fputs("\n", fp);
}

void fig_heat_tex_margin(FILE *fp, const struct plot_opts *o, double width)
{
    /* the y label's line and up to three digits, as Figure 2's panels have */
    if (o->fmt == GP_TEX) fprintf(fp, "set lmargin at screen %.4f\n", 0.5 * fig_em(o) / width);
}

double fig_heat_rows(int rows, double em)
{
    return (rows <= 16 ? 0.16 : rows <= 48 ? 0.1 : 0.05) * rows * em;
}

/* The heatmap's height: rows tall enough for their counts while they are written. */
double fig_heat_height(int rows, double extra, double em)
{
    return fig_clamp(extra * em + fig_heat_rows(rows, em), 2.0, 9.0);
}

void fig_cramped(const struct plot_opts *o, const char *fmt, ...)
{
    if (!o->cramped || o->cramped[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->cramped, FTL_ERRLEN, fmt, ap);
    va_end(ap);
}
