/*
 * test_journal — the session journal: the exact text written, the round
 * trip through the reader, appending to an existing journal, torn last lines
 * (read, then cut off by the next append), rewinds after a resume, every
 * malformed line with its "FILE:LINE: problem" message, a write that fails
 * partway (full disk), and doubles that come back bit for bit.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "testutil.h"
#include "util.h"

/* A fresh path in the private temporary folder (a new string). */
static char *tmp_path(const char *name)
{
    char *p = ftl_path_join(testutil_group_dir(), name);
    unlink(p);
    return p;
}

static char *slurp(const char *path)
{
    char *buf, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &buf, &len, err) != 0) fail_msg("%s", err);
    return buf;
}

static void spit(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void ok(int rc, const char *err)
{
    if (rc != 0) fail_msg("%s", err);
}

/* The session from the module's documentation. */
static const char session_text[] = "# ftlab journal 1\n"
                                   "config task classify\n"
                                   "config seed 1\n"
                                   "step 0 loss proposed\n"
                                   "step 1200 lambda 0.5\n"
                                   "step 1200 margin 10\n"
                                   "step 3000 lr 0.00050000000000000001\n"
                                   "step 3400 pause\n"
                                   "step 3400 resume\n"
                                   "step 5000 eval\n"
                                   "step 5000 checkpoint\n"
                                   "step 6000 quit\n";

static void write_session(const char *path)
{
    struct journal j;
    char err[FTL_ERRLEN];
    ok(journal_open_append(&j, path, err), err);
    ok(journal_config(&j, "task", "classify", err), err);
    ok(journal_config(&j, "seed", "1", err), err);
    ok(journal_event(&j, 0, "loss", "proposed", err), err);
    ok(journal_event_double(&j, 1200, "lambda", 0.5, err), err);
    ok(journal_event_double(&j, 1200, "margin", 10, err), err);
    ok(journal_event_double(&j, 3000, "lr", 5e-4, err), err);
    ok(journal_event(&j, 3400, "pause", NULL, err), err);
    ok(journal_event(&j, 3400, "resume", NULL, err), err);
    ok(journal_event(&j, 5000, "eval", NULL, err), err);
    ok(journal_sync(&j, err), err);
    ok(journal_event(&j, 5000, "checkpoint", NULL, err), err);
    ok(journal_event(&j, 6000, "quit", NULL, err), err);
    assert_int_equal(journal_event_count(&j), 9);
    ok(journal_close(&j, err), err);
}

// ---- round trips ----

static void test_write_read_round_trip(void **state)
{
    (void)state;
    char *path = tmp_path("session.journal");
    write_session(path);
    char *text = slurp(path);
    assert_string_equal(text, session_text);
    free(text);

    struct journal_log log;
    char err[FTL_ERRLEN];
    ok(journal_read(path, &log, err), err);
    assert_int_equal(log.version, 1);
    assert_false(log.torn);
    assert_int_equal(log.nconfig, 2);
    assert_string_equal(log.config[1].key, "seed");
    assert_string_equal(log.config[1].value, "1");
    assert_int_equal(log.nevents, 9);
    const struct journal_entry *e = log.events;
    assert_true(e[0].step == 0);
    assert_string_equal(e[0].key, "loss");
    assert_string_equal(e[0].value, "proposed");
    assert_int_equal(e[0].line, 4);
    double lr;
    assert_int_equal(journal_parse_double(e[3].value, &lr), 0);
    assert_true(lr == 5e-4);
    assert_null(e[4].value);
    assert_string_equal(e[8].key, "quit");
    assert_true(e[8].step == 6000 && !e[8].superseded);
    assert_true(log.last_step == 6000);
    journal_log_free(&log);
    free(path);
}

static void test_append_to_existing(void **state)
{
    (void)state;
    char *path = tmp_path("append.journal");
    char err[FTL_ERRLEN];
    write_session(path);
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    assert_int_equal(journal_event_count(&j), 9);
    /* what was read constrains what may follow */
    assert_int_equal(journal_event(&j, 5999, "lr", "1", err), -1);
    assert_non_null(strstr(err, "at step 5999, before step 6000"));
    assert_int_equal(journal_config(&j, "seed", "2", err), -1);
    assert_non_null(strstr(err, "after the first step line"));
    ok(journal_event(&j, 6000, "resume", NULL, err), err);
    ok(journal_event_double(&j, 7000, "lr", 0.001, err), err);
    ok(journal_close(&j, err), err);

    char *text = slurp(path);
    assert_int_equal(strncmp(text, session_text, strlen(session_text)), 0);
    assert_string_equal(text + strlen(session_text), "step 6000 resume\nstep 7000 lr 0.001\n");
    free(text);
    struct journal_log log;
    ok(journal_read(path, &log, err), err);
    assert_int_equal(log.nevents, 11);
    journal_log_free(&log);
    free(path);
}

static void test_torn_last_line(void **state)
{
    (void)state;
    char *path = tmp_path("torn.journal");
    char err[FTL_ERRLEN];
    write_session(path);
    /* a crash in the middle of "step 7000 lr 0.001\n", garbage included */
    FILE *fp = fopen(path, "ab");
    assert_non_null(fp);
    fputs("step 7000 l\x01\x00", fp);
    fclose(fp);

    struct journal_log log;
    ok(journal_read(path, &log, err), err);
    assert_true(log.torn);
    assert_int_equal(log.nevents, 9);
    assert_int_equal(log.valid_bytes, strlen(session_text));
    journal_log_free(&log);

    /* appending cuts the torn line off first */
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    ok(journal_event(&j, 7000, "eval", NULL, err), err);
    ok(journal_close(&j, err), err);
    ok(journal_read(path, &log, err), err);
    assert_false(log.torn);
    assert_int_equal(log.nevents, 10);
    assert_string_equal(log.events[9].key, "eval");
    journal_log_free(&log);

    /* a journal that died while its header was written, and an empty one, start afresh */
    const char *starts[] = {"", "# ftlab jou"};
    for (size_t i = 0; i < 2; i++) {
        spit(path, starts[i], strlen(starts[i]));
        ok(journal_open_append(&j, path, err), err);
        ok(journal_config(&j, "seed", "3", err), err);
        ok(journal_close(&j, err), err);
        char *text = slurp(path);
        assert_string_equal(text, "# ftlab journal 1\nconfig seed 3\n");
        free(text);
    }
    /* but a torn file that is not a journal is not touched */
    spit(path, "hello", 5);
    assert_int_equal(journal_open_append(&j, path, err), -1);
    assert_non_null(strstr(err, ":1: missing header"));
    char *text = slurp(path);
    assert_string_equal(text, "hello");
    free(text);
    free(path);
}

/* A resume from a checkpoint throws the later events away, and steps start again from it. */
static void test_rewind(void **state)
{
    (void)state;
    char *path = tmp_path("rewind.journal");
    char err[FTL_ERRLEN];
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    ok(journal_event(&j, 0, "loss", "decov", err), err);
    ok(journal_event(&j, 100, "checkpoint", NULL, err), err);
    uint64_t at_checkpoint = journal_event_count(&j);
    ok(journal_event(&j, 100, "lr", "0.5", err), err); /* while paused after saving */
    ok(journal_event(&j, 150, "lambda", "2", err), err);
    assert_int_equal(journal_rewind(&j, 151, at_checkpoint, err), -1); /* past the last step */
    ok(journal_close(&j, err), err);

    /* the crash: reopen, rewind to the checkpoint, carry on from step 100 */
    ok(journal_open_append(&j, path, err), err);
    assert_int_equal(journal_rewind(&j, 100, 9, err), -1);
    ok(journal_rewind(&j, 100, at_checkpoint, err), err);
    ok(journal_event(&j, 100, "lr", "0.25", err), err);
    ok(journal_event(&j, 120, "quit", NULL, err), err);
    ok(journal_close(&j, err), err);

    struct journal_log log;
    ok(journal_read(path, &log, err), err);
    assert_int_equal(log.nevents, 6);
    const int superseded[6] = {0, 0, 1, 1, 0, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(log.events[i].superseded, superseded[i]);
    assert_string_equal(log.events[4].value, "0.25");
    journal_log_free(&log);
    free(path);
}

// ---- malformed journals ----

static void expect_reject(const char *text, size_t len, const char *want)
{
    struct journal_log log;
    char err[FTL_ERRLEN] = "";
    if (journal_read_mem(text, len, "j", &log, err) == 0)
        fail_msg("accepted \"%s\", expected '%s'", text, want);
    assert_null(log.text);
    assert_null(log.events);
    if (strcmp(err, want) != 0) fail_msg("error '%s', expected '%s'", err, want);
}

#define H "# ftlab journal 1\n"

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"", "j:1: missing header '# ftlab journal 1'"},
        {"# ftlab journal", "j:1: missing header '# ftlab journal 1'"}, /* torn header only */
        {"hello\n", "j:1: missing header '# ftlab journal 1'"},
        {"# ftlab journal x\n", "j:1: missing header '# ftlab journal 1'"},
        {"# ftlab journal 0\n", "j:1: missing header '# ftlab journal 1'"},
        {"# ftlab journal 2\n", "j:1: written by a newer ftlab (journal format 2)"},
        {"config seed 1\n", "j:1: missing header '# ftlab journal 1'"},
        {H "bogus 1 2\n", "j:2: unknown line kind 'bogus'"},
        {H "Step 1 lr 1\n", "j:2: unknown line kind 'Step'"},
        {H "step x lr 1\n", "j:2: step 'x' is not a whole number"},
        {H "step -1 lr 1\n", "j:2: step '-1' is not a whole number"},
        {H "step 1e3 lr 1\n", "j:2: step '1e3' is not a whole number"},
        {H "step 18446744073709551616 lr 1\n",
         "j:2: step '18446744073709551616' is not a whole number"},
        {H "step 5 a\n# note\nstep 4 b\n", "j:4: step 4 is before step 5 (line 2)"},
        {H "step 1\n", "j:2: a step line is 'step STEP KEY [VALUE]'"},
        {H "step 1 lr 1 2\n", "j:2: a step line is 'step STEP KEY [VALUE]'"},
        {H "step 1 Lr 1\n", "j:2: key 'Lr' is not made of [a-z0-9_]"},
        {H "step 1 l-r 1\n", "j:2: key 'l-r' is not made of [a-z0-9_]"},
        {H "step 1\tlr 1\n", "j:2: control character 0x09 at column 7"},
        {H "step 1 lr 1\r\n", "j:2: control character 0x0d at column 12"},
        {H "step 1 lr \x7f\n", "j:2: control character 0x7f at column 11"},
        {H "config seed\n", "j:2: a config line is 'config KEY VALUE'"},
        {H "config seed 1 2\n", "j:2: a config line is 'config KEY VALUE'"},
        {H "config Seed 1\n", "j:2: key 'Seed' is not made of [a-z0-9_]"},
        {H "step 1 eval\nconfig seed 1\n", "j:3: config line after the first step line"},
        {H "step 5 a\nrewind 6 1\n", "j:3: rewind to step 6, after the last step 5"},
        {H "step 5 a\nrewind 5 2\n", "j:3: rewind keeps 2 step lines, but there are only 1"},
        {H "step 5 a\nrewind 4 1\n", "j:3: rewind to step 4 keeps line 2, which is at step 5"},
        {H "step 5 a\nrewind 4\n", "j:3: a rewind line is 'rewind STEP EVENTS'"},
        {H "step 5 a\nrewind 4 x\n", "j:3: rewind '4 x' is not two whole numbers"},
        {H "step 5 a\nrewind 3 0\nstep 2 b\n", "j:4: step 2 is before step 3 (line 3)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_reject(cases[i].text, strlen(cases[i].text), cases[i].err);

    /* NUL bytes, which strlen would hide */
    static const char nul[] = H "step 1 lr 1\0x\n";
    expect_reject(nul, sizeof nul - 1, "j:2: NUL byte in the line");

    /* lines of exactly 4096 bytes are fine, 4097 are not */
    char *big = xmalloc(sizeof H + 4200);
    for (size_t len = 4096; len <= 4097; len++) {
        strcpy(big, H "step 1 k ");
        size_t at = strlen(big);
        memset(big + at, 'v', len - (at - strlen(H)));
        big[strlen(H) + len] = '\n';
        big[strlen(H) + len + 1] = '\0';
        struct journal_log log;
        char err[FTL_ERRLEN];
        int rc = journal_read_mem(big, strlen(big), "j", &log, err);
        if (len == 4096) {
            ok(rc, err);
            assert_int_equal(strlen(log.events[0].value), 4096 - strlen("step 1 k "));
            journal_log_free(&log);
        } else {
            expect_reject(big, strlen(big), "j:2: line longer than 4096 bytes");
        }
    }
    free(big);
}

/* What the reader tolerates: comments, blank lines, runs of spaces, a torn tail of garbage. */
static void test_lenient_parts(void **state)
{
    (void)state;
    static const char text[] = H "# a note\n\n  step  3   lr   0.1  \n"
                                 "# tab\tand \x01 in a comment\nstep 3 pause\nbogus\0\x01";
    struct journal_log log;
    char err[FTL_ERRLEN];
    ok(journal_read_mem(text, sizeof text - 1, "j", &log, err), err);
    assert_true(log.torn);
    assert_int_equal(log.nevents, 2);
    assert_string_equal(log.events[0].value, "0.1");
    assert_int_equal(log.events[1].line, 6);
    journal_log_free(&log);
}

// ---- writer refusals and failures ----

static void test_writer_refuses(void **state)
{
    (void)state;
    char *path = tmp_path("refuse.journal");
    char err[FTL_ERRLEN];
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    assert_int_equal(journal_config(&j, "data", "my folder", err), -1);
    assert_int_equal(journal_config(&j, "Data", "x", err), -1);
    assert_int_equal(journal_config(&j, "data", "", err), -1);
    assert_int_equal(journal_config(&j, "data", NULL, err), -1);
    assert_int_equal(journal_event(&j, 1, "", NULL, err), -1);
    assert_int_equal(journal_event(&j, 1, "lr", "1\n", err), -1);
    char *long_value = xmalloc(5000);
    memset(long_value, 'x', 4999);
    long_value[4999] = '\0';
    assert_int_equal(journal_event(&j, 1, "lr", long_value, err), -1);
    assert_non_null(strstr(err, "longer than 4096"));
    free(long_value);
    ok(journal_config(&j, "data", "/données/été", err), err); /* UTF-8 is fine */
    ok(journal_close(&j, err), err);
    char *text = slurp(path);
    assert_string_equal(text, H "config data /données/été\n");
    free(text);

    /* a damaged journal is refused, not appended to */
    spit(path, H "step 5 a\nstep 4 b\n", strlen(H "step 5 a\nstep 4 b\n"));
    assert_int_equal(journal_open_append(&j, path, err), -1);
    assert_non_null(strstr(err, "refuse.journal:3: step 4 is before step 5"));
    assert_int_equal(journal_open_append(&j, "/nonexistent-dir/x.journal", err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.journal: cannot open"));
    free(path);
}

/* A write cut short by a full disk leaves no partial line behind. */
static void test_full_disk(void **state)
{
    (void)state;
    char *path = tmp_path("full.journal");
    char err[FTL_ERRLEN];
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    ok(journal_event(&j, 1, "lr", "0.5", err), err);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);

    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = (rlim_t)st.st_size + 10;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = journal_event(&j, 2, "a_rather_long_key_name", "and_its_value", err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "write failed"));
    assert_int_equal(journal_event_count(&j), 1);

    ok(journal_event(&j, 2, "eval", NULL, err), err);
    ok(journal_close(&j, err), err);
    char *text = slurp(path);
    assert_string_equal(text, H "step 1 lr 0.5\nstep 2 eval\n");
    free(text);
    free(path);
}

// ---- numbers ----

static void test_doubles_round_trip(void **state)
{
    (void)state;
    double values[1000] = {
        0.1,
        1.0 / 3.0,
        5e-4,
        1e-3 * 0.5,
        5e-324,
        DBL_MIN,
        DBL_MAX,
        -0.0,
        0.0,
        1.0 + DBL_EPSILON,
        9007199254740993.0,
        -2.5e-310,
        INFINITY,
        -INFINITY,
        123456789.125,
    };
    size_t n = 15;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    while (n < sizeof values / sizeof values[0]) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: arbitrary bit patterns */
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isnan(d)) values[n++] = d;
    }
    char *path = tmp_path("doubles.journal");
    char err[FTL_ERRLEN];
    struct journal j;
    ok(journal_open_append(&j, path, err), err);
    for (size_t i = 0; i < n; i++)
        ok(journal_event_double(&j, i, "lr", values[i], err), err);
    ok(journal_close(&j, err), err);
    struct journal_log log;
    ok(journal_read(path, &log, err), err);
    assert_int_equal(log.nevents, n);
    for (size_t i = 0; i < n; i++) {
        double back;
        assert_int_equal(journal_parse_double(log.events[i].value, &back), 0);
        if (memcmp(&back, &values[i], sizeof back) != 0)
            fail_msg("%.17g came back as %.17g ('%s')", values[i], back, log.events[i].value);
    }
    journal_log_free(&log);
    free(path);

    double d;
    assert_int_equal(journal_parse_double("0.5x", &d), -1);
    assert_int_equal(journal_parse_double("", &d), -1);
    assert_int_equal(journal_parse_double(" 1", &d), -1);
    assert_int_equal(journal_parse_double(NULL, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read_round_trip),
        cmocka_unit_test(test_append_to_existing),
        cmocka_unit_test(test_torn_last_line),
        cmocka_unit_test(test_rewind),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_lenient_parts),
        cmocka_unit_test(test_writer_refuses),
        cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_doubles_round_trip),
    };
    return cmocka_run_group_tests(tests, testutil_group_setup, testutil_group_teardown);
}
