/*
 * test_lesson — the lesson format (src/lesson.h): a lesson using every item
 * reads back as cues and actions in order; each kind of mistake is refused
 * with "FILE:LINE: problem" naming the right line; the shipped lessons read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "loss.h"
#include "util.h"

static void test_every_item(void **state)
{
    (void)state;
    const char *text = "# a comment\n"
                       "lesson 1\n"
                       "title Forced to learn\n"
                       "keys space e q d\n"
                       "\n"
                       "at step 0\n"
                       "  caption The network learns 0-4 against 5-9.\n"
                       "  caption   (two lines)\n"
                       "  loss baseline\n"
                       "  pace 10\n"
                       "at step 120\r\n"
                       "  eval\n"
                       "  bookmark\n"
                       "  wait\n"
                       "on enter\n"
                       "  clear\n"
                       "  loss proposed\n"
                       "  lambda 0.1\n"
                       "  margin 3\n"
                       "  lr 0.002\n"
                       "  pace max\n"
                       "  pause\n"
                       "  resume"; /* no newline at the end */
    struct lesson l;
    char err[FTL_ERRLEN];
    if (lesson_read_mem(text, strlen(text), "t.lesson", &l, err) != 0) fail_msg("%s", err);
    assert_string_equal(l.title, "Forced to learn");
    assert_int_equal(l.nkeys, 4);
    assert_int_equal(l.keys[0], ' ');
    assert_int_equal(l.keys[3], 'd');
    assert_int_equal(l.ncues, 3);
    assert_int_equal(l.cues[0].step, 0);
    assert_int_equal(l.cues[0].n, 4);
    assert_int_equal(l.cues[1].step, 120);
    assert_true(l.cues[1].wait);
    assert_int_equal(l.cues[1].line, 11);
    assert_true(l.cues[2].on_enter);
    assert_int_equal(l.cues[2].n, 8);
    const struct lesson_action *a = l.actions;
    assert_int_equal(a[0].kind, LESSON_CAPTION);
    assert_string_equal(a[0].text, "The network learns 0-4 against 5-9.");
    assert_string_equal(a[1].text, "(two lines)");
    assert_int_equal(a[2].kind, LESSON_CONTROL);
    assert_int_equal(a[2].id, CTL_LOSS);
    assert_true(a[2].value == REG_BASELINE);
    assert_int_equal(a[3].kind, LESSON_PACE);
    assert_true(a[3].value == 10);
    const struct lesson_action *e = &l.actions[l.cues[2].first];
    assert_int_equal(e[0].kind, LESSON_CLEAR);
    assert_true(e[1].value == REG_PROPOSED);
    assert_int_equal(e[2].id, CTL_LAMBDA);
    assert_true(e[2].value == 0.1);
    assert_int_equal(e[4].id, CTL_LR);
    assert_true(e[5].kind == LESSON_PACE && e[5].value == 0);
    assert_int_equal(e[6].kind, LESSON_PAUSE);
    assert_int_equal(e[7].kind, LESSON_RESUME);
    lesson_free(&l);
}

/* Each bad lesson and the start of the message it must give. */
static const struct {
    const char *text, *want;
} bad[] = {
    {"", "b.lesson: empty"},
    {"# only a comment\n", "b.lesson: empty"},
    {"lesson 2\nat step 0\n", "b.lesson:1: lesson format '2'"},
    {"title x\n", "b.lesson:1: a lesson starts with 'lesson 1'"},
    {"lesson 1\ntitle x\n", "b.lesson: no cue"},
    {"lesson 1\ncaption hello\n", "b.lesson:2: 'caption' before the first cue"},
    {"lesson 1\nat step ten\n", "b.lesson:2: 'at step' needs a whole number"},
    {"lesson 1\nat step -3\n", "b.lesson:2: 'at step' needs a whole number"},
    {"lesson 1\nat 5\n", "b.lesson:2: a cue is 'at step N' or 'on enter'"},
    {"lesson 1\non key\n", "b.lesson:2: a cue is 'at step N' or 'on enter'"},
    {"lesson 1\nat step 9\nat step 3\n", "b.lesson:3: step 3 comes before the step of line 2"},
    {"lesson 1\nat step 0\nloss fancy\n", "b.lesson:3: "},
    {"lesson 1\nat step 0\nlambda -1\n", "b.lesson:3: "},
    {"lesson 1\nat step 0\nlr\n", "b.lesson:3: 'lr' needs a value"},
    {"lesson 1\nat step 0\npace 7\n", "b.lesson:3: pace is max, 50, 10, 2 or 0.5"},
    {"lesson 1\nat step 0\npause now\n", "b.lesson:3: 'pause' takes no value"},
    {"lesson 1\nat step 0\njump\n", "b.lesson:3: unknown item 'jump'"},
    {"lesson 1\nat step 0\nkeys a\n", "b.lesson:3: 'keys' belongs before the first cue"},
    {"lesson 1\nkeys shift\nat step 0\n", "b.lesson:2: 'shift' is not a key"},
    {"lesson 1\ntitle a\ntitle b\nat step 0\n", "b.lesson:3: 'title' given twice"},
    {"lesson 1\nat step 0\ncaption a\x01\n", "b.lesson:3: a control byte (0x01)"},
    {"lesson 1\nat step 0\n\0caption\n", "b.lesson:3: a NUL byte"},
    {"lesson 1\nat step 0\ncaption 1\ncaption 2\ncaption 3\ncaption 4\ncaption 5\ncaption "
     "6\ncaption 7\ncaption 8\ncaption 9\n",
     "b.lesson:11: a caption has at most 8 lines"},
};

static void test_mistakes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct lesson l;
        char err[FTL_ERRLEN] = "";
        size_t len = strlen(bad[i].text);
        if (strstr(bad[i].want, "NUL")) len = 24; /* the text holds a NUL: its length by hand */
        int rc = lesson_read_mem(bad[i].text, len, "b.lesson", &l, err);
        if (rc == 0 || strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("case %zu: got rc %d, '%s'; want '%s...'", i, rc, err, bad[i].want);
        assert_null(l.cues);
        assert_null(l.text);
    }
}

/* The lessons shipped in sample-data/lessons/ read. */
static void test_shipped(void **state)
{
    (void)state;
    const char *dir = getenv("FTLAB_LESSONS");
    static const char *const names[] = {"forced-to-learn.lesson", "four-regularisers.lesson"};
    if (!dir) dir = "sample-data/lessons";
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *path = ftl_path_join(dir, names[i]), err[FTL_ERRLEN];
        struct lesson l;
        if (lesson_read(path, &l, err) != 0) fail_msg("%s", err);
        assert_non_null(l.title);
        assert_true(l.ncues >= 4);
        lesson_free(&l);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item),
        cmocka_unit_test(test_mistakes),
        cmocka_unit_test(test_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
