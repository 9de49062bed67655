/*
 * src/preprocess/feature_select/frequency_threshold.ts's counts in C: per column, its distinct values and the
 * two largest counts, as pandas `value_counts` gives them (NaN not counted, −0 equal to 0). The JavaScript
 * `ValueCounter` stays the rule; this is the same open-addressing table (keyed on the value's bits, linear
 * probing, at most half full) over the same columns, and only counts come out, so the table's order never
 * shows. Here the column gather and the probing run at C's speed: the step takes 0.33 s here against 0.65 s in
 * JavaScript on 14,880 × 1,700. test/feature_select.test.ts holds the two, and each against counting by sorting.
 */
#include "value_counts.h"

#include <stdlib.h>
#include <string.h>

/*
 * Columns gathered at a time, written row by row and then read column by column: wide enough that each row
 * is read in runs of a kilobyte, which the prefetcher follows (in runs of 32 columns the gather took half the
 * step), and at most BLOCK_BYTES of rows × columns.
 */
#define BLOCK 128
#define BLOCK_BYTES (32 << 20)

/* frequency_threshold.ts's `hash`: murmur3's 32-bit finalizer over both halves of the double. */
static inline uint32_t hash(uint32_t lo, uint32_t hi) {
  uint32_t h = hi ^ (lo * 0x9e3779b1u);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

int valueCounts(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double *out) {
  int64_t capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  const uint64_t mask = (uint64_t)capacity - 1;
  double *keys = malloc(capacity * sizeof(double));
  int32_t *counts = calloc(capacity, sizeof(int32_t)); /* 0 marks an empty slot */
  int32_t *used = malloc((n > 0 ? n : 1) * sizeof(int32_t));
  int64_t blockCols = BLOCK_BYTES / (8 * (n > 0 ? n : 1));
  blockCols = blockCols < 8 ? 8 : blockCols > BLOCK ? BLOCK : blockCols;
  double *block = malloc((n > 0 ? n : 1) * blockCols * sizeof(double));
  if (!keys || !counts || !used || !block) {
    free(keys), free(counts), free(used), free(block);
    return 0;
  }
  for (int64_t k0 = 0; k0 < d; k0 += blockCols) {
    const int64_t width = d - k0 < blockCols ? d - k0 : blockCols;
    for (int64_t r = 0; r < n; r++) {
      const double *row = data + rows[r] * stride;
      for (int64_t b = 0; b < width; b++) block[b * n + r] = row[cols[k0 + b]];
    }
    for (int64_t b = 0; b < width; b++) {
      const double *values = block + b * n;
      int64_t distinct = 0;
      for (int64_t i = 0; i < n; i++) {
        const double v = values[i];
        if (v != v) continue;
        uint64_t bits;
        memcpy(&bits, &v, 8);
        /* −0 and 0 are equal values: the same hash (their low words are both 0). */
        uint64_t slot = hash((uint32_t)bits, v == 0 ? 0 : (uint32_t)(bits >> 32)) & mask;
        while (counts[slot] != 0 && keys[slot] != v) slot = (slot + 1) & mask;
        if (counts[slot] == 0) {
          keys[slot] = v;
          used[distinct++] = (int32_t)slot;
        }
        counts[slot]++;
      }
      int32_t first = 0, second = 0;
      for (int64_t k = 0; k < distinct; k++) {
        const int32_t count = counts[used[k]];
        counts[used[k]] = 0;
        if (count > first) {
          second = first;
          first = count;
        } else if (count > second) {
          second = count;
        }
      }
      double *o = out + 3 * (k0 + b);
      o[0] = (double)distinct, o[1] = first, o[2] = second;
    }
  }
  free(keys), free(counts), free(used), free(block);
  return 1;
}
