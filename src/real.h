/*
 * real — the one floating-point type of the numeric kernels.
 *
 * Training runs in float32 (cblas_s*). The gradient tests compile the very
 * same kernels with -DFTL_DOUBLE so that finite differences in float64 check
 * the code that ships, not a copy of it (SPEC.md: every gradient is proven).
 */
#ifndef FTLAB_REAL_H
#define FTLAB_REAL_H

#include <cblas.h>
#include <math.h>

#ifdef FTL_DOUBLE
typedef double real;
#define REAL_GEMM cblas_dgemm
#define REAL_GEMV cblas_dgemv
#define REAL_AXPY cblas_daxpy
#define REAL_DOT cblas_ddot
#define REAL_EXP exp
#define REAL_LOG log
#define REAL_TANH tanh
#define REAL_LOG1P log1p
#define REAL_SQRT sqrt
#define REAL_FABS fabs
#else
typedef float real;
#define REAL_GEMM cblas_sgemm
#define REAL_GEMV cblas_sgemv
#define REAL_AXPY cblas_saxpy
#define REAL_DOT cblas_sdot
#define REAL_EXP expf
#define REAL_LOG logf
#define REAL_TANH tanhf
#define REAL_LOG1P log1pf
#define REAL_SQRT sqrtf
#define REAL_FABS fabsf
#endif

#endif
