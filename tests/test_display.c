/*
 * test_display — the display config file ($XDG_CONFIG_HOME/ftlab/config):
 * what it accepts (comments, blanks, tabs, CRLF, no final newline, each key
 * and value), every rejection with its "FILE:LINE: problem" message and the
 * settings left as they were, and the file side: a missing file is the
 * defaults, the path follows XDG_CONFIG_HOME and HOME.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display.h"
#include "util.h"

static int parse(const char *text, struct display_settings *d, char *err)
{
    display_defaults(d);
    return display_parse(text, strlen(text), "cfg", d, err);
}

static void test_defaults(void **state)
{
    (void)state;
    struct display_settings d;
    display_defaults(&d);
    assert_int_equal(d.theme, DISPLAY_THEME_AUTO);
    assert_int_equal(d.symbols, DISPLAY_SYMBOLS_BRAILLE);
    assert_true(display_smoothing[d.smooth] == 0.8);
    assert_int_equal(d.log_y, 1);
    assert_int_equal(d.mouse, 0);
}

static void test_every_key(void **state)
{
    (void)state;
    struct display_settings d;
    char err[FTL_ERRLEN];
    const char *text = "# ftlab display settings\n"
                       "\n"
                       "theme light   # projectors\n"
                       "\tsymbols\tblock\r\n"
                       "smoothing 0.95\n"
                       "   log_scale off\n"
                       "mouse on";
    if (parse(text, &d, err) != 0) fail_msg("rejected: %s", err);
    assert_int_equal(d.theme, DISPLAY_THEME_LIGHT);
    assert_int_equal(d.symbols, DISPLAY_SYMBOLS_BLOCK);
    assert_true(display_smoothing[d.smooth] == 0.95);
    assert_int_equal(d.log_y, 0);
    assert_int_equal(d.mouse, 1);
}

static void test_values(void **state)
{
    (void)state;
    struct display_settings d;
    char err[FTL_ERRLEN];
    static const struct {
        const char *text;
        int theme, symbols, smooth;
    } ok[] = {
        {"theme dark\n", DISPLAY_THEME_DARK, DISPLAY_SYMBOLS_BRAILLE, 2},
        {"theme mono\n", DISPLAY_THEME_MONO, DISPLAY_SYMBOLS_BRAILLE, 2},
        {"symbols ascii\n", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_ASCII, 2},
        {"symbols braille\n", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 2},
        {"smoothing 0\n", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 0},
        {"smoothing 0.60\n", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 1},
        {"smoothing .98\n", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 5},
        {"", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 2},
        {"# only a comment", DISPLAY_THEME_AUTO, DISPLAY_SYMBOLS_BRAILLE, 2},
        {"theme dark#no space before the comment\n", DISPLAY_THEME_DARK, DISPLAY_SYMBOLS_BRAILLE,
         2},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (parse(ok[i].text, &d, err) != 0) fail_msg("'%s' rejected: %s", ok[i].text, err);
        assert_int_equal(d.theme, ok[i].theme);
        assert_int_equal(d.symbols, ok[i].symbols);
        assert_int_equal(d.smooth, ok[i].smooth);
    }
}

/* Each bad file: the message, whole, and the settings untouched. */
static void test_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"theme light\nthme dark\n",
         "cfg:2: unknown key 'thme' (known keys: theme, symbols, smoothing, log_scale, mouse)"},
        {"theme=light\n", "cfg:1: write 'key value', not 'theme=light' (known keys: theme, "
                          "symbols, smoothing, log_scale, mouse)"},
        {"theme blue\n", "cfg:1: theme must be dark, light or mono, not 'blue'"},
        {"theme Light\n", "cfg:1: theme must be dark, light or mono, not 'Light'"},
        {"symbols dots\n", "cfg:1: symbols must be braille, block or ascii, not 'dots'"},
        {"\n\nsmoothing 0.5\n",
         "cfg:3: smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not '0.5'"},
        {"smoothing 2\n", "cfg:1: smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not '2'"},
        {"smoothing 0.8x\n", "cfg:1: smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not '0.8x'"},
        {"smoothing nan\n", "cfg:1: smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not 'nan'"},
        {"log_scale yes\n", "cfg:1: log_scale must be on or off, not 'yes'"},
        {"mouse 1\n", "cfg:1: mouse must be on or off, not '1'"},
        {"theme\n", "cfg:1: theme needs a value"},
        {"theme # light\n", "cfg:1: theme needs a value"},
        {"theme light dark\n", "cfg:1: theme takes one value, not several"},
        {"theme light\n# again\ntheme dark\n", "cfg:3: theme given twice (first on line 1)"},
        {"theme\0light\n", "cfg:1: a NUL byte: this is not a text file"},
    };
    static const size_t sizes[] = {[15] = 12}; /* the NUL case: its length is not strlen's */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct display_settings d;
        char err[FTL_ERRLEN] = "";
        display_defaults(&d);
        d.smooth = 4;
        size_t n = i < sizeof sizes / sizeof sizes[0] && sizes[i] ? sizes[i] : strlen(bad[i].text);
        if (display_parse(bad[i].text, n, "cfg", &d, err) == 0)
            fail_msg("accepted: '%s'", bad[i].text);
        assert_string_equal(err, bad[i].msg);
        assert_int_equal(d.theme, DISPLAY_THEME_AUTO); /* untouched, even by earlier lines */
        assert_int_equal(d.smooth, 4);
    }
}

/* A long word is shown cut, never overflowing the message. */
static void test_long_words(void **state)
{
    (void)state;
    char text[5000], err[FTL_ERRLEN];
    struct display_settings d;
    memset(text, 'k', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    assert_int_equal(parse(text, &d, err), -1);
    assert_non_null(strstr(err, "cfg:1: unknown key 'kkkk"));
    snprintf(text, sizeof text, "theme %0900d\n", 1);
    assert_int_equal(parse(text, &d, err), -1);
    assert_string_equal(err, "cfg:1: theme: the value is too long");
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(display_theme_from_name("light"), DISPLAY_THEME_LIGHT);
    assert_int_equal(display_theme_from_name("auto"), -1);
    assert_int_equal(display_symbols_from_name("block"), DISPLAY_SYMBOLS_BLOCK);
    assert_int_equal(display_symbols_from_name(""), -1);
    assert_string_equal(display_theme_name(DISPLAY_THEME_MONO), "mono");
    assert_string_equal(display_symbols_name(DISPLAY_SYMBOLS_ASCII), "ascii");
}

static char *make_dir(void)
{
    char tmpl[] = "/tmp/ftlab-display-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_files(void **state)
{
    (void)state;
    char *dir = make_dir(), path[512], err[FTL_ERRLEN];
    struct display_settings d;

    /* The path: XDG_CONFIG_HOME when absolute, else HOME/.config. */
    setenv("XDG_CONFIG_HOME", dir, 1);
    char *p = display_config_path();
    snprintf(path, sizeof path, "%s/ftlab/config", dir);
    assert_string_equal(p, path);
    free(p);
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    setenv("HOME", "/home/someone", 1);
    p = display_config_path();
    assert_string_equal(p, "/home/someone/.config/ftlab/config");
    free(p);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    assert_null(display_config_path());
    display_defaults(&d);
    assert_int_equal(display_load(NULL, &d, err), 0); /* no place at all: the defaults */

    /* A missing file (and folder) is the defaults. */
    setenv("XDG_CONFIG_HOME", dir, 1);
    display_defaults(&d);
    assert_int_equal(display_load(NULL, &d, err), 0);
    assert_int_equal(d.theme, DISPLAY_THEME_AUTO);

    /* A good file is read; a bad one is named with its line. */
    snprintf(path, sizeof path, "%s/ftlab", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/ftlab/config", dir);
    write_text(path, "theme mono\nlog_scale off\n");
    assert_int_equal(display_load(NULL, &d, err), 0);
    assert_int_equal(d.theme, DISPLAY_THEME_MONO);
    assert_int_equal(d.log_y, 0);
    write_text(path, "theme light\nsymbol block\n");
    display_defaults(&d);
    assert_int_equal(display_load(NULL, &d, err), -1);
    char want[700];
    snprintf(want, sizeof want,
             "%s:2: unknown key 'symbol' (known keys: theme, symbols, smoothing, log_scale, mouse)",
             path);
    assert_string_equal(err, want);
    assert_int_equal(d.theme, DISPLAY_THEME_AUTO);

    /* A folder where the file should be cannot be read: said, not ignored. */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(display_load(path, &d, err), -1);
    assert_non_null(strstr(err, path));
    rmdir(path);
    snprintf(path, sizeof path, "%s/ftlab", dir);
    rmdir(path);
    rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_values),     cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_long_words), cmocka_unit_test(test_names),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
