/*
 * fuzz_lesson — libFuzzer entry point for the lesson reader (src/lesson.h).
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_lesson.c \
 *     src/lesson.c src/control.c src/loss.c src/util.c -lopenblas -lm -o fuzz_lesson \
 *     && ./fuzz_lesson -max_total_time=180 tests/fuzz/corpus/lesson
 *
 * Any input must give either one "fuzz.lesson:LINE: problem" (or "fuzz.lesson:
 * problem") error and an empty lesson, or a lesson that keeps the format's
 * promises: at least one cue, actions inside the action array, "at step" cues
 * in order, captions that are strings of the text without control bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lesson.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lesson l;
    char err[FTL_ERRLEN];
    if (lesson_read_mem(data, size, "fuzz.lesson", &l, err) != 0) {
        if (l.text || l.cues || l.actions || strncmp(err, "fuzz.lesson", 11) != 0) __builtin_trap();
        return 0;
    }
    if (l.ncues == 0) __builtin_trap();
    uint64_t last = 0;
    for (size_t i = 0; i < l.ncues; i++) {
        const struct lesson_cue *c = &l.cues[i];
        if (c->first + c->n > l.nactions) __builtin_trap();
        if (!c->on_enter) {
            if (c->step < last) __builtin_trap();
            last = c->step;
        }
    }
    for (size_t i = 0; i < l.nactions; i++)
        if (l.actions[i].kind == LESSON_CAPTION)
            for (const unsigned char *p = (const unsigned char *)l.actions[i].text; *p; p++)
                if (*p < 0x20 && *p != '\t') __builtin_trap();
    lesson_free(&l);
    return 0;
}
