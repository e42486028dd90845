/* control — the controls as one table. See control.h. */
#include "control.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const struct ctl_entry ctl_table[CTL_COUNT] = {
    {CTL_LOSS, "loss", "loss", "loss", 0, REG_COUNT - 1, 0, REG_BASELINE, CTL_STEP_CHOICE, 0, 0, 0,
     "the regulariser, by its name in reg_table"},
    {CTL_LAMBDA, "lambda", "λ", "lambda", 0, 1e6, 0, 1.0, CTL_STEP_SCALE, 2, '-', '+',
     "the regulariser's weight"},
    {CTL_MARGIN, "margin", "m", "m", 0, 1e6, 0, 5.0, CTL_STEP_ADD, 1, '[', ']',
     "the proposed loss's KL margin"},
    {CTL_LR, "lr", "lr", "lr", 0, 1e6, 1, 1e-3, CTL_STEP_SCALE, 2, '<', '>', "the learning rate"},
};

const struct ctl_event ctl_events[] = {
    {"pause", "training paused"},
    {"resume", "training resumed (or a run reopened)"},
    {"eval", "a cluster evaluation was asked for"},
    {"checkpoint", "a checkpoint was written on request"},
    {"bookmark", "a bookmark: a checkpoint the workbench's R can rewind to"},
    {"reset", "the network went back to its initial weights and optimiser state"},
    {"done", "the configured epochs or steps were reached"},
    {"stop", "a headless run or a replay ended"},
    {"quit", "the workbench was closed"},
};
const size_t ctl_nevents = sizeof ctl_events / sizeof ctl_events[0];

int ctl_from_name(const char *s)
{
    for (int i = 0; i < CTL_COUNT; i++)
        if (s && strcmp(s, ctl_table[i].name) == 0) return i;
    return -1;
}

const struct ctl_event *ctl_event_find(const char *s)
{
    for (size_t i = 0; i < ctl_nevents; i++)
        if (s && strcmp(s, ctl_events[i].name) == 0) return &ctl_events[i];
    return NULL;
}

double ctl_get(const struct trainer_controls *k, enum ctl_id id)
{
    switch (id) {
    case CTL_LOSS:
        return k->loss;
    case CTL_LAMBDA:
        return k->lambda;
    case CTL_MARGIN:
        return k->margin;
    case CTL_LR:
        return k->lr;
    default:
        return NAN;
    }
}

void ctl_set(struct trainer_controls *k, enum ctl_id id, double v)
{
    switch (id) {
    case CTL_LOSS:
        k->loss = (enum reg_kind)(int)v;
        break;
    case CTL_LAMBDA:
        k->lambda = v;
        break;
    case CTL_MARGIN:
        k->margin = v;
        break;
    case CTL_LR:
        k->lr = v;
        break;
    default:
        break;
    }
}

void ctl_defaults(struct trainer_controls *k)
{
    for (int i = 0; i < CTL_COUNT; i++)
        ctl_set(k, (enum ctl_id)i, ctl_table[i].def);
    k->lambda = reg_table[k->loss].default_lambda;
}

int ctl_in_range(enum ctl_id id, double v)
{
    const struct ctl_entry *c = &ctl_table[id];
    return isfinite(v) && (c->min_open ? v > c->min : v >= c->min) && v <= c->max;
}

const char *ctl_range_text(enum ctl_id id, char *buf, size_t cap)
{
    const struct ctl_entry *c = &ctl_table[id];
    if (c->min_open)
        snprintf(buf, cap, "> %g and <= %g", c->min, c->max);
    else
        snprintf(buf, cap, "%g..%g", c->min, c->max);
    return buf;
}

int ctl_parse(enum ctl_id id, const char *s, double *out, char *err)
{
    const struct ctl_entry *c = &ctl_table[id];
    if (id == CTL_LOSS) {
        int r = reg_from_name(s);
        if (r < 0) {
            char names[128];
            return ftl_error(err, "loss must be %s, not '%s'",
                             reg_names(names, sizeof names, " or "), s);
        }
        *out = r;
        return 0;
    }
    char *end, range[64];
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end || !ctl_in_range(id, v))
        return ftl_error(err, "%s must be a number %s%s, not '%s'", c->name,
                         c->min_open ? "" : "in ", ctl_range_text(id, range, sizeof range),
                         s ? s : "");
    *out = v;
    return 0;
}

double ctl_step(enum ctl_id id, double v, int dir)
{
    const struct ctl_entry *c = &ctl_table[id];
    double n = v;
    if (c->step == CTL_STEP_SCALE)
        n = dir > 0 ? v * c->by : v / c->by;
    else if (c->step == CTL_STEP_ADD)
        n = dir > 0 ? v + c->by : v - c->by;
    if (n > c->max) n = c->max;
    if (!(c->min_open ? n > c->min : n >= c->min))
        n = c->min_open ? v : c->min; /* ÷2 never reaches an open bound; stay put instead */
    return n;
}

void ctl_format(enum ctl_id id, double v, int utf8, char *buf, size_t cap)
{
    const struct ctl_entry *c = &ctl_table[id];
    if (id == CTL_LOSS)
        snprintf(buf, cap, "loss %s", reg_table[(int)v].name);
    else
        snprintf(buf, cap, "%s %g", utf8 ? c->symbol : c->ascii, v);
}

void ctl_marker_append(char *buf, size_t cap, enum ctl_id id, double v, int utf8)
{
    size_t used = strlen(buf);
    if (used + 1 >= cap) return;
    const char *sep = used ? ", " : "";
    if (id == CTL_LOSS)
        snprintf(buf + used, cap - used, "%s%s %s", sep, utf8 ? "→" : "->", reg_table[(int)v].name);
    else
        snprintf(buf + used, cap - used, "%s%s=%g", sep,
                 utf8 ? ctl_table[id].symbol : ctl_table[id].ascii, v);
}

const double ctl_pace_rate[CTL_PACES] = {0, 50, 10, 2, 0.5};
const char *const ctl_pace_name[CTL_PACES] = {"max", "50/s", "10/s", "2/s", "0.5/s"};

int ctl_pace_level(double rate)
{
    for (int i = 0; i < CTL_PACES; i++)
        if (ctl_pace_rate[i] == rate) return i;
    return -1;
}
