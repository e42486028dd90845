/*
 * fuzz_journal — libFuzzer entry point for the journal reader.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_journal.c \
 *     src/journal.c src/util.c -o fuzz_journal \
 *     && ./fuzz_journal -max_total_time=180 tests/fuzz/corpus/journal
 *
 * Any input must give either one "fuzz.journal:LINE: problem" error and an
 * empty log, or a log that keeps the format's promises: keys of [a-z0-9_],
 * values without spaces or control bytes, steps that never go down except
 * after a rewind, and a torn flag that says whether bytes were ignored.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int word_ok(const char *s, int key)
{
    if (!s || !*s) return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (key ? !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
                : (c <= 0x20 || c == 0x7f))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct journal_log log;
    char err[FTL_ERRLEN];
    if (journal_read_mem(data, size, "fuzz.journal", &log, err) != 0) {
        if (log.text || log.events || log.config || strncmp(err, "fuzz.journal:", 13) != 0)
            __builtin_trap();
        return 0;
    }
    if (log.version != 1 || log.valid_bytes > size || log.torn != (log.valid_bytes < size) ||
        (log.valid_bytes > 0 && data[log.valid_bytes - 1] != '\n'))
        __builtin_trap();
    for (size_t i = 0; i < log.nconfig; i++)
        if (!word_ok(log.config[i].key, 1) || !word_ok(log.config[i].value, 0)) __builtin_trap();
    for (size_t i = 0; i < log.nevents; i++) {
        const struct journal_entry *e = &log.events[i];
        if (!word_ok(e->key, 1) || (e->value && !word_ok(e->value, 0)) || e->line < 2)
            __builtin_trap();
        /* without a rewind in between, steps never go down */
        if (i > 0 && e->step < log.events[i - 1].step && !log.events[i - 1].superseded)
            __builtin_trap();
        double d;
        if (e->value) (void)journal_parse_double(e->value, &d);
    }
    journal_log_free(&log);
    return 0;
}
