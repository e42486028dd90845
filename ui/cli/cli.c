/* cli — helpers shared by the commands. See cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
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

int cli_load_data(const struct cli_data *o, struct dataset_pair *p, int *used_sample, char *err)
{
    *used_sample = 0;
    if (o->sample) {
        synth_sample(p);
        *used_sample = 1;
        return 0;
    }
    const char *env = getenv("FTLAB_DATA");
    int explicit = o->dir || (env && *env);
    char *dir = fetch_resolve_data_dir(o->dir);
    int rc;
    if (explicit || dataset_dir_looks_complete(dir)) {
        rc = dataset_load_dir(dir, p, err);
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
