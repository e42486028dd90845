/* actmap — the most active unit per sample, counted per class (Figure 2). See actmap.h. */
#include "actmap.h"

#include <math.h>
#include <string.h>

int actmap_argmax(const float *a, int K)
{
    int best = 0;
    for (int j = 1; j < K; j++)
        if (a[j] > a[best] || (isnan(a[best]) && !isnan(a[j]))) best = j;
    return best;
}

size_t actmap_count(const float *A, size_t n, int K, const uint8_t *cls, int C, uint32_t *counts)
{
    size_t counted = 0;
    memset(counts, 0, (size_t)K * (size_t)C * sizeof *counts);
    for (size_t i = 0; i < n && K > 0; i++) {
        if (cls[i] >= C) continue;
        int u = actmap_argmax(A + i * (size_t)K, K);
        counts[(size_t)u * (size_t)C + cls[i]]++;
        counted++;
    }
    return counted;
}

size_t actmap_zero_rows(const float *A, size_t n, int K)
{
    size_t zero = 0;
    for (size_t i = 0; i < n; i++) {
        const float *a = A + i * (size_t)K;
        int j = 0;
        while (j < K && a[j] == 0.0f)
            j++;
        zero += j == K;
    }
    return zero;
}

int actmap_active_units(const uint32_t *counts, int K, int C)
{
    int active = 0;
    for (int u = 0; u < K; u++) {
        uint32_t any = 0;
        for (int c = 0; c < C; c++)
            any |= counts[(size_t)u * (size_t)C + (size_t)c];
        active += any != 0;
    }
    return active;
}
