/* figopts — how a figure is drawn: lengths, venue widths, aspect ratios. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct plot_opts plot_opts_default(enum gp_format fmt)
{
    return (struct plot_opts){.fmt = fmt};
}

void plot_say_cramped(const char *who, const char *out, const char *name, const struct plot_opts *o)
{
    if (!o->cramped || !o->cramped[0]) return;
    char *path = gp_output_path(out, name, o->fmt);
    fprintf(stderr, "%s: note: %s: %s\n", who, path, o->cramped);
    free(path);
}

/*
 * The widths LaTeX reports (\the\columnwidth, \the\textwidth) under each
 * venue's style file, in TeX points (72.27 to the inch), so a figure of this
 * width goes into \includegraphics at its own size. NeurIPS and ICLR are one
 * column: their "column" is the text width.
 */
#define TEXPT(x) ((x) / 72.27)
const struct plot_width_preset plot_width_presets[] = {
    {"column", 3.5, "a paper's column (3.5 in, ftlab's default)"},
    {"page", 7.0, "a page's text (7 in)"},
    {"icml-column", TEXPT(234.8775), "ICML \\columnwidth, 234.8775pt (3.25 in)"},
    {"icml-text", TEXPT(487.8225), "ICML \\textwidth, 487.8225pt (6.75 in)"},
    {"neurips-column", TEXPT(397.48499), "NeurIPS, one column: \\textwidth 397.48499pt (5.5 in)"},
    {"neurips-text", TEXPT(397.48499), "NeurIPS \\textwidth, 397.48499pt (5.5 in)"},
    {"iclr-column", TEXPT(397.48499), "ICLR, one column: \\textwidth 397.48499pt (5.5 in)"},
    {"iclr-text", TEXPT(397.48499), "ICLR \\textwidth, 397.48499pt (5.5 in)"},
    {"acl-column", TEXPT(219.08612), "ACL \\columnwidth, 219.08612pt (7.7 cm)"},
    {"acl-text", TEXPT(455.24411), "ACL \\textwidth, 455.24411pt (16 cm)"},
    {"ieee-column", TEXPT(252.0), "IEEEtran \\columnwidth, 252pt (3.49 in)"},
    {"ieee-text", TEXPT(516.0), "IEEEtran \\textwidth, 516pt (7.14 in)"},
    {NULL, 0, NULL},
};

static const struct {
    const char *unit;
    double per_inch;
} units[] = {{"in", 1}, {"cm", 2.54}, {"mm", 25.4}, {"pt", 72.27}, {"bp", 72}};

int plot_parse_length(const char *s, int presets, double *inches, char *err)
{
    if (presets)
        for (const struct plot_width_preset *p = plot_width_presets; p->name; p++)
            if (strcmp(s, p->name) == 0) {
                *inches = p->inches;
                return 0;
            }
    char *end;
    double v = strtod(s, &end);
    double per_inch = 0;
    if (end != s && *end == '\0') per_inch = 1;
    for (size_t i = 0; end != s && !per_inch && i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) per_inch = units[i].per_inch;
    if (!per_inch || !isfinite(v))
        return ftl_error(err,
                         "'%s' is not a length: a number with in, cm, mm, pt or bp (e.g. 3.5in, "
                         "8.9cm)%s",
                         s, presets ? ", or a preset ('ftlab plot --help' lists them)" : "");
    v /= per_inch;
    if (!(v > 0.5 && v < 40))
        return ftl_error(err, "'%s' is %.3g in: a figure is between 0.5 and 40 inches", s, v);
    *inches = v;
    return 0;
}

int plot_parse_aspect(const char *s, double *aspect, char *err)
{
    char *end, *end2;
    double w = strtod(s, &end), h = 1;
    if (end != s && (*end == ':' || *end == '/')) {
        h = strtod(end + 1, &end2);
        if (end2 == end + 1)
            end = end2 - 1; /* no number after the separator: an error below */
        else
            end = end2;
    }
    if (end == s || *end || !(w > 0) || !(h > 0) || !isfinite(w / h) || !(w / h > 0.05) ||
        !(w / h < 20))
        return ftl_error(err,
                         "'%s' is not an aspect ratio: W:H (e.g. 4:3) or one number, "
                         "width / height, between 0.05 and 20",
                         s);
    *aspect = w / h;
    return 0;
}
