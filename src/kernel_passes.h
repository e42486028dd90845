/*
 * kernel_passes — builds a file's hand-vectorised kernels once per vector width.
 *
 * A file that defines KERNEL_FILE as its own name and includes this header is
 * included into itself with KERNEL_PASS defined, once for 128-bit vectors
 * (SSE2, every x86-64) and, on x86-64 GCC, once each for AVX2 and AVX-512F
 * under the matching target pragma. Each pass sees VBYTES (16, 32, 64) and
 * KERNEL(name), which names its functions name_v16, name_v32, name_v64; the
 * file's kernel part sits between `#ifndef KERNEL_PASS ... #else` and
 * `#endif`. WIDE_KERNELS is defined when the wider passes were built; the
 * file picks among them with ftl_vector_bits() (util.h).
 */
#ifndef FTLAB_KERNEL_PASSES_H
#define FTLAB_KERNEL_PASSES_H

#define KERNEL_PASS
#define VBYTES 16
#define KERNEL(name) name##_v16
#include KERNEL_FILE
#undef VBYTES
#undef KERNEL
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDE_KERNELS 1
#pragma GCC push_options
#pragma GCC target("avx2")
#define VBYTES 32
#define KERNEL(name) name##_v32
#include KERNEL_FILE
#undef VBYTES
#undef KERNEL
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f")
#define VBYTES 64
#define KERNEL(name) name##_v64
#include KERNEL_FILE
#undef VBYTES
#undef KERNEL
#pragma GCC pop_options
#endif
#undef KERNEL_PASS

#endif
