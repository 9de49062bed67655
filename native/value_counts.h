/* Value counts of matrix columns (value_counts.c). */
#include <stdint.h>

/*
 * For each of the `d` columns cols[·] of the row-major matrix `data` (row stride `stride` elements), over the
 * `n` rows rows[·]: out[3j] distinct values, out[3j + 1] and out[3j + 2] the largest and second largest
 * count. Returns 0 where memory runs out.
 */
int valueCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *out);
