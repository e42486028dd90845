/* cli — helpers shared by the commands. See cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "fetch.h"
#include "figures.h"
#include "gnuplot.h"
#include "session.h"
#include "synth.h"
#include "util.h"

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

int cli_parse_ks(const char *s, int *k, int max, int *n)
{
    *n = 0;
    for (const char *p = s;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[32];
        long v;
        if (len == 0 || len >= sizeof item || *n == max) return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        if (cli_parse_long(item, 2, 100000, &v)) return -1; /* one cluster scores nothing */
        for (int i = 0; i < *n; i++)
            if (k[i] == (int)v) return -1;
        k[(*n)++] = (int)v;
        if (!comma) return 0;
        p = comma + 1;
    }
}

static const char *const sample_names[] = {"digits", "vitals", NULL};

int cli_sample_option(struct cli_data *o, int argc, char **argv)
{
    const char *name = NULL;
    if (optind < argc)
        for (int i = 0; sample_names[i] && !name; i++)
            if (strcmp(argv[optind], sample_names[i]) == 0) name = argv[optind++];
    o->sample = 1;
    o->sample_name = name;
    return 0;
}

int cli_nan_option(struct cli_data *o, const char *value)
{
    int n = dataset_nan_from_name(value);
    if (n < 0) return -1;
    o->nan = (enum dataset_nan)n;
    return 0;
}

int cli_figure_option(const struct cli_cmd *self, int c, const char *arg, struct plot_opts *o)
{
    char err[FTL_ERRLEN], *end;
    switch (c) {
    case CLI_FIG_FORMAT: {
        int fmt = gp_format_from_name(arg);
        if (fmt < 0) return cli_usage_error(self, "--format must be png, svg, pdf or tex");
        o->fmt = (enum gp_format)fmt;
        return EXIT_OK;
    }
    case CLI_FIG_WIDTH:
    case CLI_FIG_HEIGHT: {
        int w = c == CLI_FIG_WIDTH;
        if (plot_parse_length(arg, w, w ? &o->width : &o->height, err) != 0)
            return cli_usage_error(self, "%s: %s", w ? "--width" : "--height", err);
        return EXIT_OK;
    }
    case CLI_FIG_ASPECT:
        if (plot_parse_aspect(arg, &o->aspect, err) != 0)
            return cli_usage_error(self, "--aspect: %s", err);
        return EXIT_OK;
    case CLI_FIG_FONT_SIZE:
        o->font_pt = strtod(arg, &end);
        if (end == arg || *end || !(o->font_pt >= 4 && o->font_pt <= 36))
            return cli_usage_error(self, "--font-size must be points in 4..36, not '%s'", arg);
        return EXIT_OK;
    case CLI_FIG_FONT:
        if (!*arg || strpbrk(arg, "',\\\n"))
            return cli_usage_error(self, "--font: '%s' is not a font family name", arg);
        o->font = arg;
        return EXIT_OK;
    default:
        return -1;
    }
}

int cli_figure_check(const struct cli_cmd *self, const struct plot_opts *o)
{
    if (o->height > 0 && o->aspect > 0)
        return cli_usage_error(self, "--height and --aspect both set the height: give one");
    return EXIT_OK;
}

void cli_data_spec(const struct cli_data *o, int used_sample, char *buf, size_t cap)
{
    if (used_sample) {
        if (o->sample_name && strcmp(o->sample_name, "digits") != 0)
            snprintf(buf, cap, "sample:%s", o->sample_name);
        else
            snprintf(buf, cap, "sample");
        return;
    }
    /* An absolute folder, so that --resume finds the data from anywhere. */
    char *d = fetch_resolve_data_dir(o->dir), *abs = realpath(d, NULL);
    snprintf(buf, cap, "%s", abs ? abs : d);
    free(abs);
    free(d);
}

int cli_load_data(const struct cli_data *o, struct dataset_pair *p, int *used_sample, char *err)
{
    *used_sample = 0;
    if (o->sample) {
        char spec[64];
        cli_data_spec(o, 1, spec, sizeof spec);
        *used_sample = 1;
        return session_load_data(spec, o->nan, o->test_only, p, err);
    }
    const char *env = getenv("FTLAB_DATA");
    int explicit = o->dir || (env && *env);
    char *dir = fetch_resolve_data_dir(o->dir);
    int rc;
    if (explicit || dataset_dir_format(dir) != DATASET_FORMAT_NONE) {
        rc = o->test_only ? dataset_load_test(dir, o->nan, p, err)
                          : dataset_load(dir, o->nan, p, err);
    } else {
        fprintf(stderr,
                "ftlab: no MNIST strokes in %s; using the embedded sample "
                "(install the real data with 'ftlab data fetch')\n",
                dir);
        synth_sample(p);
        *used_sample = 1;
        rc = 0;
    }
    free(dir);
    return rc;
}

// ---- messages ----

void cli_usage(const struct cli_cmd *c, FILE *fp)
{
    fprintf(fp, "usage: ftlab %s %s\n%s.\n", c->name, c->synopsis, c->summary);
    if (c->help[0]) fprintf(fp, "\n%s", c->help);
    fprintf(fp, "  -h, --help     show this help\n");
}

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ftlab %s: ", c ? c->name : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'ftlab %s%s--help'.\n", c ? c->name : "", c ? " " : "");
    return EXIT_USAGE;
}

int cli_option_error(const struct cli_cmd *c, char *const *argv, const struct option *lo)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) != 0) {
        /* A short option (train's -q): getopt left the letter in optopt. */
        if (optopt) return cli_usage_error(c, "unknown option '-%c'", optopt);
        return cli_usage_error(c, "unknown option '%s'", arg);
    }
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct option *hit = NULL;
    int hits = 0;
    for (const struct option *o = lo; o->name; o++) {
        if (strncmp(o->name, name, len) != 0) continue;
        if (strlen(o->name) == len) { /* an exact name wins over abbreviations */
            hit = o, hits = 1;
            break;
        }
        hit = o, hits++;
    }
    if (hits == 1 && hit->has_arg == required_argument && !eq)
        return cli_usage_error(c, "--%s needs a value", hit->name);
    if (hits == 1 && hit->has_arg == no_argument && eq)
        return cli_usage_error(c, "--%s takes no value", hit->name);
    if (hits > 1) return cli_usage_error(c, "ambiguous option '--%.*s'", (int)len, name);
    return cli_usage_error(c, "unknown option '--%.*s'", (int)len, name);
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("ftlab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}
