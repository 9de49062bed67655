/*
 * src/preprocess/columns.ts's `columnMoments` in C: per column, the count of values that are not NaN, their
 * mean and their population variance by scikit-learn's corrected two-pass formula. The JavaScript stays the
 * rule; this sums the same values in the same order (each column's sums run over the rows in order, the
 * columns side by side in vectors: each lane is one column's loop), with the same double operations
 * (-ffp-contract=off: no fused multiply-add), so the bits are the same. A value that is NaN adds +0 here where
 * the JavaScript skips it: the same, since a sum that starts at +0 is never −0 (x + y is −0 only when both
 * are), and s + 0 = s for every other s. Rows go four at a time, as the JavaScript's quads, so that each
 * running sum is loaded and stored once per four rows; the order of each column's sums is the rows'. Both
 * passes take 35 ms for 14,880 × 1,700 here, against 70–120 ms in JavaScript. test/native_kernels.test.ts
 * holds the two against each other.
 */
#include "column_moments.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef double v2d __attribute__((vector_size(16)));
typedef long long v2l __attribute__((vector_size(16)));

/* x where it is a number, else +0: the value a NaN adds here (all-ones lanes of `present` keep x's bits). */
static inline v2d keep(v2d x, v2l present) { return (v2d)((v2l)x & present); }

/*
 * Rows v[0 … R) (R ≤ 4), in order, into each column's sum, or 1 into its count of missing values. Two columns
 * a vector (SSE2, every x86-64 CPU: the compiler leaves the conditional sum scalar, with a branch a value),
 * held across the R rows, so that the running sums are read and written once per R rows.
 */
static void addPresent(const double *const *v, int R, int64_t d, double *sum, double *missing) {
  const v2d one = {1.0, 1.0};
  int64_t j = 0;
  for (; j + 2 <= d; j += 2) {
    v2d s, m;
    memcpy(&s, sum + j, 16), memcpy(&m, missing + j, 16);
    for (int r = 0; r < R; r++) {
      v2d x;
      memcpy(&x, v[r] + j, 16);
      const v2l present = x == x;
      s = s + keep(x, present);
      m = m + (v2d)((v2l)one & ~present);
    }
    memcpy(sum + j, &s, 16), memcpy(missing + j, &m, 16);
  }
  for (; j < d; j++)
    for (int r = 0; r < R; r++) {
      if (v[r][j] == v[r][j]) sum[j] += v[r][j];
      else missing[j] += 1;
    }
}

/* Rows v[0 … R), in order, into each column's sum of deviations from its mean and of their squares. */
static void addCentred(const double *const *v, int R, int64_t d, const double *mean, double *correction, double *squares) {
  int64_t j = 0;
  for (; j + 2 <= d; j += 2) {
    v2d mu, c, q;
    memcpy(&mu, mean + j, 16), memcpy(&c, correction + j, 16), memcpy(&q, squares + j, 16);
    for (int r = 0; r < R; r++) {
      v2d x;
      memcpy(&x, v[r] + j, 16);
      const v2l present = x == x;
      const v2d centred = x - mu;
      c = c + keep(centred, present);
      q = q + keep(centred * centred, present);
    }
    memcpy(correction + j, &c, 16), memcpy(squares + j, &q, 16);
  }
  for (; j < d; j++)
    for (int r = 0; r < R; r++) {
      if (v[r][j] != v[r][j]) continue;
      correction[j] += v[r][j] - mean[j];
      squares[j] += (v[r][j] - mean[j]) * (v[r][j] - mean[j]);
    }
}

/* Rows `rows` of columns `cols` of a row-major matrix, read four at a time (see `quad`). */
typedef struct {
  const double *data;
  int64_t stride, n, d;
  const int32_t *rows, *cols;
  /* Whether the columns are the source's own, in order: rows are then read in place, else gathered. */
  int inOrder;
  /* Four rows of d values, for gathered rows. */
  double *buffers;
} View;

/* The view, its buffers allocated; 0 where memory runs out. */
static int openView(View *view, const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d) {
  *view = (View){data, stride, n, d, rows, cols, d == stride, malloc((d > 0 ? d : 1) * 4 * sizeof(double))};
  for (int64_t k = 0; view->inOrder && k < d; k++) view->inOrder = cols[k] == k;
  return view->buffers != NULL;
}

/* Rows r0 … r0 + R of the view into v (R = 4, or fewer at the end), each in place or gathered; returns R. */
static int quad(const View *view, int64_t r0, const double **v) {
  const int R = view->n - r0 < 4 ? (int)(view->n - r0) : 4;
  for (int r = 0; r < R; r++) {
    const double *source = view->data + view->rows[r0 + r] * view->stride;
    if (view->inOrder) {
      v[r] = source;
      continue;
    }
    double *row = view->buffers + r * view->d;
    for (int64_t k = 0; k < view->d; k++) row[k] = source[view->cols[k]];
    v[r] = row;
  }
  return R;
}

int columnMoments(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *count, double *mean,
                  double *variance) {
  double *sum = calloc(d > 0 ? d : 1, sizeof(double));
  double *missing = calloc(d > 0 ? d : 1, sizeof(double));
  double *correction = calloc(d > 0 ? d : 1, sizeof(double));
  double *squares = calloc(d > 0 ? d : 1, sizeof(double));
  View view;
  if (!openView(&view, data, stride, rows, n, cols, d) || !sum || !missing || !correction || !squares) {
    free(sum), free(missing), free(correction), free(squares), free(view.buffers);
    return 0;
  }
  const double *v[4];
  for (int64_t r0 = 0; r0 < n; r0 += 4) addPresent(v, quad(&view, r0, v), d, sum, missing);
  for (int64_t j = 0; j < d; j++) {
    count[j] = (double)n - missing[j];
    mean[j] = sum[j] / count[j];
  }
  for (int64_t r0 = 0; r0 < n; r0 += 4) addCentred(v, quad(&view, r0, v), d, mean, correction, squares);
  for (int64_t j = 0; j < d; j++) variance[j] = (squares[j] - (correction[j] * correction[j]) / count[j]) / count[j];
  free(sum), free(missing), free(correction), free(squares), free(view.buffers);
  return 1;
}

/*
 * Rows v[0 … R), in order, into each column's sum (a NaN propagates: the caller reads it as a missing value),
 * largest and smallest value (NaN compares false and is passed over), as correlation_threshold.ts's
 * `columnSummary` takes them: h = v > h ? v : h, l = v < l ? v : l, lane by lane.
 */
static void addExtents(const double *const *v, int R, int64_t d, double *sum, double *low, double *high) {
  int64_t j = 0;
  for (; j + 2 <= d; j += 2) {
    v2d s, l, h;
    memcpy(&s, sum + j, 16), memcpy(&l, low + j, 16), memcpy(&h, high + j, 16);
    for (int r = 0; r < R; r++) {
      v2d x;
      memcpy(&x, v[r] + j, 16);
      s = s + x;
      const v2l above = x > h, below = x < l;
      h = (v2d)(((v2l)x & above) | ((v2l)h & ~above));
      l = (v2d)(((v2l)x & below) | ((v2l)l & ~below));
    }
    memcpy(sum + j, &s, 16), memcpy(low + j, &l, 16), memcpy(high + j, &h, 16);
  }
  for (; j < d; j++)
    for (int r = 0; r < R; r++) {
      const double x = v[r][j];
      sum[j] += x;
      high[j] = x > high[j] ? x : high[j];
      low[j] = x < low[j] ? x : low[j];
    }
}

int columnExtents(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *sum, double *low,
                  double *high) {
  View view;
  if (!openView(&view, data, stride, rows, n, cols, d)) return 0;
  for (int64_t j = 0; j < d; j++) sum[j] = 0, low[j] = INFINITY, high[j] = -INFINITY;
  const double *v[4];
  for (int64_t r0 = 0; r0 < n; r0 += 4) addExtents(v, quad(&view, r0, v), d, sum, low, high);
  free(view.buffers);
  return 1;
}

/* A test of values for `countRows`: NaN (`missing`), or |x| above a cutoff (`beyond`; NaN never is). */
static inline v2l missingLanes(v2d x, double cutoff) { return (void)cutoff, x != x; }
static inline int missingValue(double x, double cutoff) { return (void)cutoff, x != x; }
static inline v2l beyondLanes(v2d x, double cutoff) {
  const v2l magnitude = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL};
  const v2d c = {cutoff, cutoff};
  return (v2d)((v2l)x & magnitude) > c;
}
static inline int beyondValue(double x, double cutoff) { return fabs(x) > cutoff; }

/*
 * Counts per column of the view's values that pass a test, as the JavaScript finds them (columns.ts's
 * `forRowsHolding`): such values are rare (missing values, outliers), so each row's stretch from the view's
 * first column to its last is scanned at memory speed, eight values at a time with the flags or-ed together,
 * and only a row that holds one is counted column by column. 9–10 ms for 14,880 × 1,700 here, the speed of a
 * plain sum over the matrix, where the JavaScript took 15–16 ms in a fresh process (pandas' `isna().mean()`:
 * 18 ms, `abs().max()`: 24 ms).
 */
static inline void countRows(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double cutoff,
                             v2l (*lanes)(v2d, double), int (*value)(double, double), double *counts) {
  for (int64_t k = 0; k < d; k++) counts[k] = 0;
  if (d == 0) return;
  int64_t first = stride, last = -1;
  for (int64_t k = 0; k < d; k++) {
    if (cols[k] < first) first = cols[k];
    if (cols[k] > last) last = cols[k];
  }
  const int64_t len = last + 1 - first;
  for (int64_t r = 0; r < n; r++) {
    const double *row = data + rows[r] * stride, *s = row + first;
    v2l any = {0, 0};
    int64_t i = 0;
    for (; i + 8 <= len; i += 8) {
      v2d x0, x1, x2, x3;
      memcpy(&x0, s + i, 16), memcpy(&x1, s + i + 2, 16), memcpy(&x2, s + i + 4, 16), memcpy(&x3, s + i + 6, 16);
      any |= lanes(x0, cutoff) | lanes(x1, cutoff) | lanes(x2, cutoff) | lanes(x3, cutoff);
    }
    int tail = 0;
    for (; i < len; i++) tail |= value(s[i], cutoff);
    if (!(tail | (any[0] != 0) | (any[1] != 0))) continue;
    for (int64_t k = 0; k < d; k++) counts[k] += value(row[cols[k]], cutoff);
  }
}

int missingCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *missing) {
  countRows(data, stride, rows, n, cols, d, 0, missingLanes, missingValue, missing);
  return 1;
}

int beyondCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double cutoff, double *beyond) {
  countRows(data, stride, rows, n, cols, d, cutoff, beyondLanes, beyondValue, beyond);
  return 1;
}
