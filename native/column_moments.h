/* Column means and variances, sums and extents, missing values and outliers of a row-major matrix (column_moments.c). */
#include <stdint.h>

/*
 * preprocess/columns.ts's columnMoments over columns cols[·] (d of them) and rows rows[·] (n) of `data` (row
 * stride `stride`): count, mean and population variance per column into the three arrays. Returns 0 where
 * memory runs out.
 */
int columnMoments(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *count, double *mean,
                  double *variance);

/*
 * correlation_threshold.ts's columnSummary pass over the same view: each column's sum in row order (NaN where
 * a value is missing), smallest and largest value (NaN passed over; +∞ and −∞ where none). 0 where memory
 * runs out.
 */
int columnExtents(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *sum, double *low,
                  double *high);

/*
 * preprocess/columns.ts's missingCounts over the same view: each column's count of NaN values into `missing`
 * (zeroed here). Returns 1: it allocates nothing (the glue it shares reads 0 as memory run out).
 */
int missingCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *missing);

/* drop_outliers.ts's count per column of the values whose magnitude exceeds `cutoff` (NaN never does); returns 1. */
int beyondCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double cutoff, double *beyond);
