/*
 * blas — one OpenBLAS thread, and ftlab's own threads doing the splitting.
 *
 * OpenBLAS's worker threads wait for work by spinning. On a machine with
 * more runnable threads than cores -- the workbench's evaluation beside
 * training, `table1 --jobs`, anyone else's job -- spinning workers take the
 * cores from the ones with work, and a 2-thread sgemm fell from ~170 to ~2
 * GFLOP/s under load (issue 19). So every BLAS call in ftlab runs on one
 * OpenBLAS thread, and the work is split by ftlab's threads, which wait on
 * condition variables or joins: the GRU layers split a batch's rows
 * (gru.h), KMeans its chunks (kmeans.h), and each GEMM inside is serial.
 *
 * The budget of threads is what OpenBLAS would have used: $OPENBLAS_NUM_THREADS
 * when set to a positive number, else the online cores.
 */
#ifndef FTLAB_BLAS_H
#define FTLAB_BLAS_H

/* Pins OpenBLAS to one thread (the first call; later ones only read) and returns the budget:
 * the threads ftlab's parallel code uses when told "all" (0). Thread-safe. */
int blas_single(void);

#endif
