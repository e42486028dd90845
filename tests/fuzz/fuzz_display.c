/*
 * fuzz_display — libFuzzer entry point for the display config file reader.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc -Iui/tui tests/fuzz/fuzz_display.c \
 *     ui/tui/display.c src/util.c -o fuzz_display \
 *     && ./fuzz_display -max_total_time=180 tests/fuzz/corpus/display
 *
 * Any input must give either one "fuzz.config:LINE: problem" error, one line,
 * with the settings untouched, or settings inside their ranges.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "display.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct display_settings d, before;
    char err[FTL_ERRLEN];
    display_defaults(&d);
    before = d;
    if (display_parse((const char *)data, size, "fuzz.config", &d, err) != 0) {
        if (strncmp(err, "fuzz.config:", 12) != 0 || strchr(err, '\n') ||
            memcmp(&d, &before, sizeof d) != 0)
            __builtin_trap();
        return 0;
    }
    if (d.theme < DISPLAY_THEME_AUTO || d.theme > DISPLAY_THEME_MONO ||
        d.symbols < DISPLAY_SYMBOLS_BRAILLE || d.symbols > DISPLAY_SYMBOLS_ASCII || d.smooth < 0 ||
        d.smooth >= DISPLAY_NSMOOTH || (d.log_y != 0 && d.log_y != 1) ||
        (d.mouse != 0 && d.mouse != 1))
        __builtin_trap();
    return 0;
}
