/* blas — one OpenBLAS thread, ftlab's threads splitting the work. See blas.h. */
#include "blas.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int);
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int budget = 1;

static void pin(void)
{
    const char *s = getenv("OPENBLAS_NUM_THREADS");
    char *end;
    long n = s && *s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    budget = n < 1 ? 1 : n > 256 ? 256 : (int)n;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(1);
#endif
}

int blas_single(void)
{
    pthread_once(&once, pin);
    return budget;
}
