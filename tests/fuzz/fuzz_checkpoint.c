/*
 * fuzz_checkpoint — libFuzzer entry point for the checkpoint reader.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_checkpoint.c \
 *     src/checkpoint.c src/util.c -lz -o fuzz_checkpoint \
 *     && ./fuzz_checkpoint -max_total_time=180 tests/fuzz/corpus/checkpoint
 *
 * Each input is read twice: as given (which almost always stops at the
 * checksum), and with its CRC-32 trailer recomputed, so that the fuzzer
 * reaches the record parser behind the checksum. Any input must give either
 * an error line and an empty ckpt, or records that encode back to exactly
 * the input bytes (the format is canonical) and that the getters accept.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "checkpoint.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void getters_accept(const struct ckpt *c)
{
    char err[FTL_ERRLEN];
    for (size_t i = 0; i < c->count; i++) {
        const struct ckpt_record *r = &c->records[i];
        if (ckpt_find(c, r->name) != r) __builtin_trap();
        if (r->type == CKPT_F32) {
            float *out = xmallocarray(r->count ? r->count : 1, sizeof *out);
            if (ckpt_get_f32(c, r->name, r->ndim, r->shape, out, err) != 0) __builtin_trap();
            free(out);
        } else if (r->type == CKPT_STR) {
            const char *s;
            if (ckpt_get_str(c, r->name, &s, err) != 0 || strlen(s) != r->count) __builtin_trap();
        }
    }
}

static void read_one(const uint8_t *data, size_t size)
{
    struct ckpt c;
    char err[FTL_ERRLEN];
    if (ckpt_read_mem(data, size, "fuzz.ckpt", &c, err) != 0) {
        if (c.records != NULL || c.count != 0 || strncmp(err, "fuzz.ckpt: ", 11) != 0)
            __builtin_trap();
        return;
    }
    getters_accept(&c);
    uint8_t *again;
    size_t len;
    ckpt_encode(&c, &again, &len);
    if (len != size || memcmp(again, data, size) != 0) __builtin_trap();
    free(again);
    ckpt_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_one(data, size);
    if (size < 4) return 0;
    uint8_t *sealed = malloc(size);
    memcpy(sealed, data, size);
    uint32_t crc = (uint32_t)crc32(0, sealed, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        sealed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    read_one(sealed, size);
    free(sealed);
    return 0;
}
