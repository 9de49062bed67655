/*
 * The product kernels that bound training, MoA classification, the correlation filter and the replicate
 * metrics, in C for the machine's widest vectors, as an optional Node-API addon (built by
 * scripts/build-native.ts; loaded by src/numeric/native.ts).
 *
 * Why: WebAssembly's SIMD is 128 bits wide. On a core with 256- or 512-bit vectors the WebAssembly kernels
 * (src/classify/gemm_kernel.ts, src/training/fused_kernel.ts, src/numeric/gram_kernel.ts, gram32_kernel.ts
 * and product_kernel.ts) reach half or a third of what the core does, and NumPy's and PyTorch's BLAS get all
 * of it.
 *
 * Why the numbers do not change: each kernel computes exactly what its WebAssembly twin computes, bit for
 * bit. Vectors run across the output's columns, never along the sum; every entry is its scalar loop, products
 * in increasing k, each product rounded and then added (compiled with -ffp-contract=off: no fused multiply-add,
 * which WebAssembly does not have either), float32 sums in float32 and float64 in float64. The lanes are
 * wider; the order and the roundings are the same. test/native_kernels.test.ts holds the two against each other.
 *
 * One binary for every x86-64 core: the kernels (kernels.h) are compiled for AVX-512 and for AVX2, and the
 * widest the CPU has is exported, so a build shared by machines of different generations (a cluster's home
 * directory) runs on all of them, with the same bits at every level. A CPU with neither gets none: its
 * 128-bit vectors are WebAssembly's, whose kernels are then as fast.
 *
 * Addresses, strides and counts are in bytes and elements as the WebAssembly kernels take them, into the
 * memory passed first (an ArrayBuffer, or a typed array over a SharedArrayBuffer); every operand's extent is
 * checked against that memory before the first access, so a wrong argument is a RangeError, never a write
 * outside it.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "column_moments.h"
#include "float_fields.h"
#include "gzip_inflate.h"
#include "value_counts.h"

/* Raised whenever the contract of an exported function changes; the loader refuses any other. */
#define ADS_KERNELS_VERSION 5

typedef double v8d __attribute__((vector_size(64)));
typedef double v4d __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

/* Unaligned vector loads and stores (the callers' strides need not be multiples of the vector size). */
#define LOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define STORE(p, v) memcpy((p), &(v), sizeof(v))

/*
 * float64: C (m × n) receives A·B, A(i, t) at a + i·lda + t·step, B(t, j) at b + t·ldb + 8j, C(i, j) at
 * c + i·ldc + 8j. carry = 0: each entry is summed from +0 over increasing t and then added to C (the
 * WebAssembly `gemm`); carry = 1: each entry is summed from C's value over increasing t and stored (its
 * carrying kernel, which `gemmBlocked` calls once per block of k).
 *
 * Loop order, for the caches: M_BLOCK rows of C at a time; within them 8 columns at a time (then 4); within
 * those the sum runs in blocks of K64 positions, the 8 × K64 panel of B (16 KB) staying in L1 while every row
 * of A's block goes past it, R rows at a time held in R registers of 8 doubles. Between blocks an entry's running sum waits in C (carry) or in `partial`
 * (then added to C once, at the end), so each entry still sees its products in increasing t.
 */
#define K64 256
/*
 * Rows a block (both products): the block of A over K64 positions (264 × 256 doubles, 528 KB) stays in L2
 * while every panel of B goes past it, instead of all of A streaming from memory once per panel.
 */
#define M_BLOCK 264

/*
 * acc[r] += A(i + r, t)·B(t, ·) for `count` positions t in order, A's entries scalars S (rows `rs` bytes apart)
 * and B's rows vectors V: each product rounded, then added, as WebAssembly does. Advances pa and pb.
 */
#define ACCUMULATE(acc, R, S, V, pa, rs, ks, pb, ldb, count)                                         \
  for (uint64_t t = 0; t < (count); t++, pa += (ks), pb += (ldb)) {                                  \
    V y;                                                                                             \
    LOAD(y, pb);                                                                                     \
    for (int r = 0; r < R; r++) {                                                                    \
      S x;                                                                                           \
      LOAD(x, pa + r * (rs));                                                                        \
      acc[r] = acc[r] + x * y;                                                                       \
    }                                                                                                \
  }

/* Rows [i, i + R) × columns [j, j + W) (one vector V of W doubles a row) over positions [t0, t1), the running sums read from and written to `at` (row stride ld). */
#define BLOCK64(R, V, W)                                                                             \
  do {                                                                                               \
    V acc[R];                                                                                        \
    for (int r = 0; r < R; r++) LOAD(acc[r], at + (i + r) * ld);                                   \
    const uint8_t *pa = base + a + i * lda + t0 * step, *pb = base + b + t0 * ldb + 8 * j;           \
    ACCUMULATE(acc, R, double, V, pa, lda, step, pb, ldb, t1 - t0)                                   \
    for (int r = 0; r < R; r++) STORE(at + (i + r) * ld, acc[r]);                                  \
  } while (0)

/* Panels of W columns while W are left: R rows a block, then 4, then 1. */
#define PANELS64(R, V, W)                                                                                       \
  for (; j + W <= n; j += W) {                                                                                  \
    /* Running sums: C's own entries, or this panel's in `partial` (a row of W each, from +0). */               \
    uint8_t *at = carry ? base + c + 8 * j : partial;                                                            \
    uint64_t ld = carry ? ldc : 8 * W;                                                                          \
    if (!carry) memset(partial + i0 * 8 * W, 0, (i1 - i0) * 8 * W);                                             \
    for (uint64_t t0 = 0; t0 < k; t0 += K64) {                                                                  \
      uint64_t t1 = k - t0 < K64 ? k : t0 + K64, i = i0;                                                        \
      for (; i + R <= i1; i += R) BLOCK64(R, V, W);                                                             \
      for (; i + 4 <= i1; i += 4) BLOCK64(4, V, W);                                                             \
      for (; i < i1; i++) BLOCK64(1, V, W);                                                                     \
    }                                                                                                           \
    if (!carry)                                                                                                 \
      for (uint64_t i = i0; i < i1; i++) {                                                                      \
        V o, s;                                                                                                 \
        LOAD(o, base + c + i * ldc + 8 * j);                                                                    \
        LOAD(s, partial + i * 8 * W);                                                                           \
        o = o + s;                                                                                              \
        STORE(base + c + i * ldc + 8 * j, o);                                                                   \
      }                                                                                                         \
  }

#define GEMM64(name, R, attributes)                                                                              \
  attributes static void name(uint8_t *base, uint64_t a, uint64_t lda, uint64_t b, uint64_t ldb, uint64_t c,    \
                              uint64_t ldc, uint64_t m, uint64_t n, uint64_t k, uint64_t step, int carry,       \
                              uint8_t *partial) {                                                               \
    for (uint64_t i0 = 0; i0 < m; i0 += M_BLOCK) {                                                              \
      const uint64_t i1 = m - i0 < M_BLOCK ? m : i0 + M_BLOCK;                                                  \
      uint64_t j = 0;                                                                                           \
      PANELS64(R, v8d, 8)                                                                                       \
      PANELS64(R, v4d, 4)                                                                                       \
    }                                                                                                           \
    for (uint64_t j = n & ~(uint64_t)3; j < n; j++)                                                             \
      for (uint64_t i = 0; i < m; i++) {                                                                        \
        const uint8_t *pa = base + a + i * lda, *pb = base + b + 8 * j;                                         \
        double *pc = (double *)(base + c + i * ldc + 8 * j), s = carry ? *pc : 0, x, y;                         \
        for (uint64_t t = 0; t < k; t++, pa += step, pb += ldb) {                                               \
          LOAD(x, pa);                                                                                          \
          LOAD(y, pb);                                                                                          \
          s = s + x * y;                                                                                        \
        }                                                                                                       \
        *pc = carry ? s : *pc + s;                                                                              \
      }                                                                                                         \
  }

typedef int32_t v16i __attribute__((vector_size(64)));
typedef int32_t v8i __attribute__((vector_size(32)));

/* v = φ(v) = v > 0 ? v : slope·v, lane by lane, as the WebAssembly kernel's bitselect (C has no vector ?:). */
#define LEAKY(v, slope, mask_t)                                   \
  do {                                                            \
    mask_t above = (v) > 0;                                       \
    __typeof__(v) scaled = (v) * (slope);                         \
    (v) = (__typeof__(v))(((mask_t)(v) & above) | ((mask_t)scaled & ~above)); \
  } while (0)

/*
 * float32: C (m × n) = φ(A·B + bias), A(i, t) at a + i·rs + t·ks (row-major: rs = lda, ks = 4; transposed:
 * rs = 4, ks = lda), B(t, j) at b + t·ldb + 4j, bias a row of n floats. Each entry is summed from +0 over
 * increasing t in float32, then the bias is added once, then φ (the WebAssembly gemm_nn and gemm_tn).
 *
 * The loop order of gemm64: panels of W columns (16, then 8), the sum in blocks of K32 positions over which
 * B's panel stays in L1, R rows at a time; between blocks the running float32 sums wait in `partial`. The
 * rows left over go 8, then 4 at a time, and only the last 1–3 alone: a lone row's sums are one chain of
 * dependent additions, a sixth of the product's speed, and batches of 32 rows left 8 of them so (with R 12).
 */
#define K32 256

/* Rows [i, i + R) × columns [j, j + W) over [t0, t1): sums from `partial` (first: from +0), then to `partial`, or (last) biased, φ'd and stored in C. */
#define BLOCK32(R, V, MASK)                                                                          \
  do {                                                                                               \
    V acc[R];                                                                                        \
    for (int r = 0; r < R; r++) {                                                                    \
      if (first) acc[r] = (V){0};                                                                    \
      else LOAD(acc[r], partial + (i + r) * sizeof(V));                                              \
    }                                                                                                \
    const uint8_t *pa = base + a + i * rs + t0 * ks, *pb = base + b + t0 * ldb + 4 * j;              \
    ACCUMULATE(acc, R, float, V, pa, rs, ks, pb, ldb, t1 - t0)                                       \
    if (!last) {                                                                                     \
      for (int r = 0; r < R; r++) STORE(partial + (i + r) * sizeof(V), acc[r]);                    \
    } else {                                                                                         \
      V bv;                                                                                          \
      LOAD(bv, base + bias + 4 * j);                                                                 \
      for (int r = 0; r < R; r++) {                                                                  \
        V v = acc[r] + bv;                                                                           \
        LEAKY(v, slope, MASK);                                                                       \
        STORE(base + c + (i + r) * ldc + 4 * j, v);                                                  \
      }                                                                                              \
    }                                                                                                \
  } while (0)

#define PANELS32(R, V, MASK)                                                                                    \
  for (; j + sizeof(V) / 4 <= n; j += sizeof(V) / 4)                                                            \
    for (uint64_t t0 = 0; t0 < k || t0 == 0; t0 += K32) {                                                       \
      const uint64_t t1 = k - t0 < K32 ? k : t0 + K32;                                                          \
      const int first = t0 == 0, last = t1 == k;                                                                \
      uint64_t i = i0;                                                                                          \
      for (; i + R <= i1; i += R) BLOCK32(R, V, MASK);                                                          \
      if (R > 8 && i + 8 <= i1) {                                                                               \
        BLOCK32(8, V, MASK);                                                                                    \
        i += 8;                                                                                                 \
      }                                                                                                         \
      for (; i + 4 <= i1; i += 4) BLOCK32(4, V, MASK);                                                          \
      for (; i < i1; i++) BLOCK32(1, V, MASK);                                                                  \
    }

#define GEMM32(name, R16, R8, attributes)                                                                       \
  attributes static void name(uint8_t *base, uint64_t a, uint64_t rs, uint64_t ks, uint64_t b, uint64_t ldb,   \
                              uint64_t c, uint64_t ldc, uint64_t m, uint64_t n, uint64_t k, uint64_t bias,      \
                              float slope, uint8_t *partial) {                                                  \
    for (uint64_t i0 = 0; i0 < m; i0 += M_BLOCK) {                                                              \
      const uint64_t i1 = m - i0 < M_BLOCK ? m : i0 + M_BLOCK;                                                  \
      uint64_t j = 0;                                                                                           \
      PANELS32(R16, v16f, v16i)                                                                                 \
      PANELS32(R8, v8f, v8i)                                                                                    \
    }                                                                                                           \
    for (uint64_t j = n & ~(uint64_t)7; j < n; j++)                                                             \
      for (uint64_t i = 0; i < m; i++) {                                                                        \
        const uint8_t *pa = base + a + i * rs, *pb = base + b + 4 * j;                                          \
        float s = 0, x, y, bj;                                                                                  \
        for (uint64_t t = 0; t < k; t++, pa += ks, pb += ldb) {                                                 \
          LOAD(x, pa);                                                                                          \
          LOAD(y, pb);                                                                                          \
          s = s + x * y;                                                                                        \
        }                                                                                                       \
        LOAD(bj, base + bias + 4 * j);                                                                          \
        s = s + bj;                                                                                             \
        s = s > 0 ? s : s * slope;                                                                              \
        STORE(base + c + i * ldc + 4 * j, s);                                                                   \
      }                                                                                                         \
  }

/*
 * The Gram kernels of XᵀX (src/numeric/gram_kernel.ts, float64; gram32_kernel.ts, the float32 screen), with
 * their contract: gram(panels, gj0, gj1, len, out, ldo) adds, for every panel pair gi ≤ gj with gj in
 * [gj0, gj1), the dot products of panel gi's columns with panel gj's over `len` rows to out's block (gi, gj).
 * A panel holds W columns (4 doubles or 8 floats, 32 bytes a row), panel g at panels + g·len·32; out is
 * row-major doubles with ldo bytes a row.
 *
 * float64: each entry summed from +0 over the rows in order, then added to out. float32: summed in float32
 * from +0 over runs of FLUSH32 rows, each run's sum widened to float64 and added to out (gram32_kernel.ts's
 * bound rests on that run length). Two panels gj at a time where both are in range, for more independent sums.
 */
#define FLUSH32 64

/*
 * Panel gi's W columns (at pa) against panels gj and, if `two`, gj + 1 (at pb, pb1) over `len` rows: summed in
 * vectors V over runs of RUN rows (0: all of them), each run widened to doubles WV and added to out's blocks.
 * Without a second panel, panel gj is read twice and its second sums are dropped: no branch in the loop.
 */
#define PANEL_PAIR(S, V, WV, RUN)                                                                                \
  do {                                                                                                           \
    enum { W = 32 / sizeof(S) };                                                                                 \
    const uint64_t run = RUN ? RUN : len;                                                                        \
    for (uint64_t k0 = 0; k0 < len; k0 += run) {                                                                 \
      const uint64_t k1 = len - k0 < run ? len : k0 + run;                                                       \
      V acc[W][2] = {{{0}}};                                                                                     \
      for (uint64_t k = k0; k < k1; k++) {                                                                       \
        V y0, y1;                                                                                                \
        LOAD(y0, pb + k * 32);                                                                                   \
        LOAD(y1, pb1 + k * 32);                                                                                  \
        for (int r = 0; r < W; r++) {                                                                            \
          S x;                                                                                                   \
          LOAD(x, pa + k * 32 + sizeof(S) * r);                                                                  \
          acc[r][0] = acc[r][0] + x * y0;                                                                        \
          acc[r][1] = acc[r][1] + x * y1;                                                                        \
        }                                                                                                        \
      }                                                                                                          \
      for (int r = 0; r < W; r++)                                                                                \
        for (int h = 0; h <= two; h++) {                                                                         \
          uint8_t *po = base + out + (W * gi + r) * ldo + 8 * W * (gj + h);                                      \
          WV o, wide = __builtin_convertvector(acc[r][h], WV);                                                   \
          LOAD(o, po);                                                                                           \
          o = o + wide;                                                                                          \
          STORE(po, o);                                                                                          \
        }                                                                                                        \
    }                                                                                                            \
  } while (0)

/*
 * PANEL_PAIR for floats with both panels' rows in one vector of 16 lanes (y0's 8, then y1's), where a level has
 * 512-bit vectors: the same products and sums lane by lane, in half the instructions (the float32 Gram kernel
 * ran at 36 G multiply-adds/s against 31 with two vectors of 8). Not for doubles: their 4 sums a row in vectors
 * of 8 would wait on each other (19 G against 23).
 */
#define PANEL_PAIR16(S, V, WV, RUN)                                                                              \
  do {                                                                                                           \
    for (uint64_t k0 = 0; k0 < len; k0 += RUN) {                                                                \
      const uint64_t k1 = len - k0 < RUN ? len : k0 + RUN;                                                       \
      v16f acc[8] = {{0}};                                                                                       \
      for (uint64_t k = k0; k < k1; k++) {                                                                       \
        v8f y0, y1;                                                                                              \
        LOAD(y0, pb + k * 32);                                                                                   \
        LOAD(y1, pb1 + k * 32);                                                                                  \
        const v16f y = __builtin_shufflevector(y0, y1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);    \
        for (int r = 0; r < 8; r++) {                                                                            \
          float x;                                                                                               \
          LOAD(x, pa + k * 32 + 4 * r);                                                                          \
          acc[r] = acc[r] + x * y;                                                                               \
        }                                                                                                        \
      }                                                                                                          \
      for (int r = 0; r < 8; r++) {                                                                              \
        const v8f halves[2] = {__builtin_shufflevector(acc[r], acc[r], 0, 1, 2, 3, 4, 5, 6, 7),                 \
                               __builtin_shufflevector(acc[r], acc[r], 8, 9, 10, 11, 12, 13, 14, 15)};          \
        for (int h = 0; h <= two; h++) {                                                                         \
          uint8_t *po = base + out + (8 * gi + r) * ldo + 64 * (gj + h);                                         \
          v8d o, wide = __builtin_convertvector(halves[h], v8d);                                                 \
          LOAD(o, po);                                                                                           \
          o = o + wide;                                                                                          \
          STORE(po, o);                                                                                          \
        }                                                                                                        \
      }                                                                                                          \
    }                                                                                                            \
  } while (0)

/*
 * The Gram kernel over panels of W = 32 / sizeof(S) columns of scalars S: the triangle gi ≤ gj, gj in [gj0, gj1).
 * PAIR: PANEL_PAIR, or PANEL_PAIR16 for floats where the level has 512-bit vectors.
 */
#define GRAM(name, S, V, WV, RUN, PAIR, attributes)                                                              \
  attributes static void name(uint8_t *base, uint64_t panels, uint64_t gj0, uint64_t gj1, uint64_t len,         \
                              uint64_t out, uint64_t ldo) {                                                      \
    const uint64_t bytes = len * 32;                                                                             \
    for (uint64_t gi = 0; gi < gj1; gi++)                                                                        \
      for (uint64_t gj = gi > gj0 ? gi : gj0; gj < gj1;) {                                                       \
        const int two = gj + 1 < gj1;                                                                            \
        const uint8_t *pa = base + panels + gi * bytes, *pb = base + panels + gj * bytes;                       \
        const uint8_t *pb1 = two ? pb + bytes : pb;                                                              \
        PAIR(S, V, WV, RUN);                                                                                     \
        gj += two ? 2 : 1;                                                                                       \
      }                                                                                                          \
  }

/*
 * The similarity products of the replicate metrics (src/numeric/product_kernel.ts): for every panel gj < nb
 * of b (outside) and gi < na of a, the 16 dot products of their 4 columns of doubles over `len` positions,
 * summed from +0 in order, added to out's block (gi, gj).
 */
#define PRODUCT(name, attributes)                                                                                \
  attributes static void name(uint8_t *base, uint64_t a, uint64_t na, uint64_t b, uint64_t nb, uint64_t len,    \
                              uint64_t out, uint64_t ldo) {                                                      \
    const uint64_t bytes = len * 32;                                                                             \
    for (uint64_t gj = 0; gj < nb; gj += 2) {                                                                    \
      const int two = gj + 1 < nb;                                                                               \
      const uint8_t *pb = base + b + gj * bytes, *pb1 = two ? pb + bytes : pb;                                  \
      for (uint64_t gi = 0; gi < na; gi++) {                                                                     \
        const uint8_t *pa = base + a + gi * bytes;                                                               \
        PANEL_PAIR(double, v4d, v4d, 0);                                                                         \
      }                                                                                                          \
    }                                                                                                            \
  }

/*
 * The two Adam updates, each a loop over `count` elements of type T at w, g, m, v (the parameters, their gradient,
 * the two moments) with CONSTANTS constants of type T at `consts` in k[], and STEP the update of element i (gi
 * its gradient). Each operation is rounded in the type, in the order written, as the WebAssembly kernel rounds it
 * (the square root and the divisions are correctly rounded in both); the compiler vectorizes the loop at the
 * level's width.
 */
#define ADAM(name, T, CONSTANTS, STEP, attributes)                                                               \
  attributes static void name(uint8_t *base, uint64_t w, uint64_t g, uint64_t m, uint64_t v, uint64_t count,   \
                              uint64_t consts) {                                                                 \
    T k[CONSTANTS];                                                                                              \
    memcpy(k, base + consts, sizeof k);                                                                          \
    T *restrict W = (T *)(base + w), *restrict M = (T *)(base + m), *restrict V = (T *)(base + v);               \
    const T *restrict G = (const T *)(base + g);                                                                 \
    for (uint64_t i = 0; i < count; i++) {                                                                       \
      const T gi = G[i];                                                                                         \
      STEP                                                                                                       \
    }                                                                                                            \
  }
/*
 * float32 Adam(W) of the fused training step (training/fused_kernel.ts' `adam`): k = [keep, β1, 1−β1, β2, 1−β2,
 * c1, c2, ε, −lr]; m' = m·β1 + g·(1−β1); v' = v·β2 + (g·g)·(1−β2); w' = ((m'/c1) / (√(v'/c2) + ε))·(−lr) + w·keep.
 * At batch 32 the WebAssembly update, four floats at a time, took a third of the step.
 */
#define ADAM32_STEP                                                                                              \
  const float mv = M[i] * k[1] + gi * k[2];                                                                      \
  const float vv = V[i] * k[3] + gi * gi * k[4];                                                                 \
  M[i] = mv;                                                                                                     \
  V[i] = vv;                                                                                                     \
  W[i] = mv / k[5] / (__builtin_sqrtf(vv / k[6]) + k[7]) * k[8] + W[i] * k[0];
/*
 * float64 Adam of the MoA MLP (classify/mlp_kernel.ts' `adam`, sklearn's): k = [β1, 1−β1, β2, 1−β2, lr, ε];
 * m' = β1·m + (1−β1)·g; v' = β2·v + ((1−β2)·g)·g; w' = w − (lr·m')/(√v' + ε).
 */
#define ADAM64_STEP                                                                                              \
  const double mv = k[0] * M[i] + k[1] * gi;                                                                     \
  const double vv = k[2] * V[i] + k[3] * gi * gi;                                                                \
  M[i] = mv;                                                                                                     \
  V[i] = vv;                                                                                                     \
  W[i] = W[i] - k[4] * mv / (__builtin_sqrt(vv) + k[5]);

/* The kernels at each instruction set, widest first. */
typedef void Gemm64Fn(uint8_t *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, int, uint8_t *);
typedef void Gemm32Fn(uint8_t *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, float, uint8_t *);
typedef void GramFn(uint8_t *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef void ProductFn(uint8_t *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef void AdamFn(uint8_t *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef struct {
  const char *name;
  int (*supported)(void);
  Gemm64Fn *gemm64;
  Gemm32Fn *gemm32;
  GramFn *gram64, *gram32;
  ProductFn *product64;
  AdamFn *adam32, *adam64;
} Level;

#define KERNELS(suffix) LEVEL_##suffix##_gemm64, LEVEL_##suffix##_gemm32, LEVEL_##suffix##_gram64, LEVEL_##suffix##_gram32, LEVEL_##suffix##_product64, LEVEL_##suffix##_adam32, LEVEL_##suffix##_adam64
#if !defined(__x86_64__) || !(defined(__GNUC__) || defined(__clang__))
#error "the native kernels are for x86-64 CPUs with AVX2 or AVX-512 (elsewhere the WebAssembly kernels are as wide)"
#endif
/* AVX-512 with its 256-bit forms (VL), for 32 vector registers at either width. */
#define LEVEL(name) LEVEL_avx512_##name
#define TARGET __attribute__((target("avx512f,avx512vl")))
#define ROWS64 12
#define ROWS32_16 12
#define ROWS32_8 12
#define PAIR32 PANEL_PAIR16
#include "kernels.h"
#undef PAIR32
#undef LEVEL
#undef TARGET
#undef ROWS64
#undef ROWS32_16
#undef ROWS32_8
/* AVX2's 16 registers of 256 bits: 8 for accumulators, whatever their width. */
#define LEVEL(name) LEVEL_avx2_##name
#define TARGET __attribute__((target("avx2")))
#define ROWS64 4
#define ROWS32_16 4
#define ROWS32_8 8
#define PAIR32 PANEL_PAIR
#include "kernels.h"
static int hasAvx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}
static int hasAvx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
/* Only sets wider than WebAssembly's 128 bits: on a CPU with neither, the addon offers no kernels. */
static const Level LEVELS[] = {
  {"avx512", hasAvx512, KERNELS(avx512)},
  {"avx2", hasAvx2, KERNELS(avx2)},
};
#define LEVEL_COUNT (sizeof LEVELS / sizeof LEVELS[0])

/* ---- Node-API glue ---- */

/* The memory's first byte and length, from an ArrayBuffer or a typed array (over a SharedArrayBuffer too). */
static int memoryOf(napi_env env, napi_value value, uint8_t **data, uint64_t *length) {
  bool is;
  size_t bytes;
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, value, (void **)data, &bytes) != napi_ok) return 0;
  } else if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count, offset;
    napi_value buffer;
    if (napi_get_typedarray_info(env, value, &type, &count, (void **)data, &buffer, &offset) != napi_ok || type != napi_uint8_array) return 0;
    bytes = count;
  } else {
    return 0;
  }
  *length = bytes;
  return *data != NULL || bytes == 0;
}

/* Reads `count` non-negative integer arguments after the memory; 0 (with a pending exception) if any is not. */
static int integers(napi_env env, napi_value *argv, size_t count, uint64_t *out) {
  for (size_t q = 0; q < count; q++) {
    int64_t v;
    if (napi_get_value_int64(env, argv[q], &v) != napi_ok || v < 0) {
      napi_throw_type_error(env, NULL, "ads native kernel: every argument after the memory must be a non-negative integer");
      return 0;
    }
    out[q] = (uint64_t)v;
  }
  return 1;
}

/* The last byte past an operand of `rows` × `cols` elements of `size` bytes at `at` with the given strides. */
static uint64_t extent(uint64_t at, uint64_t rows, uint64_t rowStride, uint64_t cols, uint64_t colStride, uint64_t size) {
  return rows == 0 || cols == 0 ? 0 : at + (rows - 1) * rowStride + (cols - 1) * colStride + size;
}

static int inside(napi_env env, uint64_t length, uint64_t end) {
  if (end <= length) return 1;
  napi_throw_range_error(env, NULL, "ads native kernel: an operand reaches past the end of its memory");
  return 0;
}

/*
 * A call's arguments: `argc` in all, the memory first, then `count` non-negative integers into v; and the
 * level its function was made for. 0, with an exception pending, if any is wrong.
 */
static int call(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, size_t count, uint64_t *v,
                uint8_t **base, uint64_t *length, const Level **level) {
  size_t got = argc;
  if (napi_get_cb_info(env, info, &got, argv, NULL, (void **)level) != napi_ok || got != argc) {
    napi_throw_type_error(env, NULL, "ads native kernel: wrong number of arguments");
    return 0;
  }
  if (!integers(env, argv + 1, count, v)) return 0;
  if (!memoryOf(env, argv[0], base, length)) {
    napi_throw_type_error(env, NULL, "ads native kernel: the memory must be an ArrayBuffer or a Uint8Array");
    return 0;
  }
  return 1;
}

/* The start of every function below: its N arguments, the first INTS integers after the memory into v. */
#define CALL(N, INTS)                                                                 \
  napi_value argv[N];                                                                 \
  uint8_t *base;                                                                      \
  uint64_t length, v[INTS];                                                           \
  const Level *level;                                                                 \
  if (!call(env, info, N, argv, INTS, v, &base, &length, &level)) return NULL

/* A scratch buffer of `bytes` (freed by the caller), or NULL with an exception pending. */
static uint8_t *scratch(napi_env env, uint64_t bytes) {
  uint8_t *buffer = malloc(bytes);
  if (!buffer) napi_throw_error(env, NULL, "ads native kernel: out of memory");
  return buffer;
}

/* gemm64(memory, a, lda, b, ldb, c, ldc, m, n, k, step, carry) */
static napi_value Gemm64(napi_env env, napi_callback_info info) {
  CALL(12, 11);
  uint64_t a = v[0], lda = v[1], b = v[2], ldb = v[3], c = v[4], ldc = v[5], m = v[6], n = v[7], k = v[8], step = v[9];
  if (m && n && k && (!inside(env, length, extent(a, m, lda, k, step, 8)) || !inside(env, length, extent(b, k, ldb, n, 8, 8)))) return NULL;
  if (!inside(env, length, extent(c, m, ldc, n, 8, 8))) return NULL;
  int carry = v[10] != 0;
  /* Running sums between blocks of the sum (carry: C holds them): m rows of up to 8 doubles. */
  uint8_t *partial = carry ? NULL : scratch(env, m * 64 + 64);
  if (!carry && !partial) return NULL;
  level->gemm64(base, a, lda, b, ldb, c, ldc, m, n, k, step, carry, partial);
  free(partial);
  return NULL;
}

/* gemm32(memory, a, lda, b, ldb, c, ldc, m, n, k, bias, slopeBits, transposed) */
static napi_value Gemm32(napi_env env, napi_callback_info info) {
  CALL(13, 10);
  int32_t slopeBits;
  bool transposed;
  if (napi_get_value_int32(env, argv[11], &slopeBits) != napi_ok || napi_get_value_bool(env, argv[12], &transposed) != napi_ok) {
    napi_throw_type_error(env, NULL, "ads native kernel: the slope must be float32 bits and `transposed` a boolean");
    return NULL;
  }
  uint64_t a = v[0], lda = v[1], b = v[2], ldb = v[3], c = v[4], ldc = v[5], m = v[6], n = v[7], k = v[8], bias = v[9];
  uint64_t rs = transposed ? 4 : lda, ks = transposed ? lda : 4;
  if (m && n && k && (!inside(env, length, extent(a, m, rs, k, ks, 4)) || !inside(env, length, extent(b, k, ldb, n, 4, 4)))) return NULL;
  if (!inside(env, length, extent(c, m, ldc, n, 4, 4)) || !inside(env, length, extent(bias, 1, 0, n, 4, 4))) return NULL;
  float slope;
  memcpy(&slope, &slopeBits, 4);
  /* Running sums between blocks of the sum, m rows of up to 16 floats: only where there is more than one block. */
  uint8_t *partial = k > K32 ? scratch(env, m * 64 + 64) : NULL;
  if (k > K32 && !partial) return NULL;
  level->gemm32(base, a, rs, ks, b, ldb, c, ldc, m, n, k, bias, slope, partial);
  free(partial);
  return NULL;
}

/* adam32 / adam64 (memory, w, g, m, v, count, consts): float32 or float64 elements, 9 or 6 constants. */
static napi_value Adam(napi_env env, napi_callback_info info, int wide) {
  CALL(7, 6);
  const uint64_t size = wide ? 8 : 4;
  for (int q = 0; q < 4; q++)
    if (!inside(env, length, extent(v[q], 1, 0, v[4], size, size))) return NULL;
  if (!inside(env, length, extent(v[5], 1, 0, wide ? 6 : 9, size, size))) return NULL;
  (wide ? level->adam64 : level->adam32)(base, v[0], v[1], v[2], v[3], v[4], v[5]);
  return NULL;
}
static napi_value Adam32(napi_env env, napi_callback_info info) { return Adam(env, info, 0); }
static napi_value Adam64(napi_env env, napi_callback_info info) { return Adam(env, info, 1); }

/* gram64 / gram32 (memory, panels, gj0, gj1, len, out, ldo) */
static napi_value Gram(napi_env env, napi_callback_info info, int wide) {
  CALL(7, 6);
  uint64_t panels = v[0], gj0 = v[1], gj1 = v[2], len = v[3], out = v[4], ldo = v[5];
  const uint64_t width = wide ? 4 : 8;
  if (gj0 >= gj1) return NULL;
  /* Panels 0 … gj1 − 1 of len rows; out's rows up to width·gj1, its columns up to width·gj1 doubles. */
  if (len && !inside(env, length, panels + gj1 * len * 32)) return NULL;
  if (!inside(env, length, extent(out, width * gj1, ldo, width * gj1, 8, 8))) return NULL;
  (wide ? level->gram64 : level->gram32)(base, panels, gj0, gj1, len, out, ldo);
  return NULL;
}
static napi_value Gram64(napi_env env, napi_callback_info info) { return Gram(env, info, 1); }
static napi_value Gram32(napi_env env, napi_callback_info info) { return Gram(env, info, 0); }

/* product64(memory, a, na, b, nb, len, out, ldo) */
static napi_value Product64(napi_env env, napi_callback_info info) {
  CALL(8, 7);
  uint64_t a = v[0], na = v[1], b = v[2], nb = v[3], len = v[4], out = v[5], ldo = v[6];
  if (!na || !nb) return NULL;
  if (len && (!inside(env, length, a + na * len * 32) || !inside(env, length, b + nb * len * 32))) return NULL;
  if (!inside(env, length, extent(out, 4 * na, ldo, 4 * nb, 8, 8))) return NULL;
  level->product64(base, a, na, b, nb, len, out, ldo);
  return NULL;
}

/* The call's `argc` arguments into argv; 0, with a TypeError naming `name` pending, for any other number. */
static int argumentsOf(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, const char *name) {
  size_t got = argc;
  if (napi_get_cb_info(env, info, &got, argv, NULL, NULL) == napi_ok && got == argc) return 1;
  char message[96];
  snprintf(message, sizeof message, "ads native %s: wrong number of arguments", name);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

/* A typed array's elements (of `type`), over an ArrayBuffer or a SharedArrayBuffer; 0 if it is not one. */
static int elementsOf(napi_env env, napi_value value, napi_typedarray_type type, void **data, int64_t *count) {
  bool is;
  napi_typedarray_type got;
  size_t n, offset;
  napi_value buffer;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, value, &got, &n, data, &buffer, &offset) != napi_ok || got != type) return 0;
  *count = (int64_t)n;
  return *data != NULL || n == 0;
}

/* floatFields(text, from, to, width, slot, k, out, rest): float_fields.ts's readFloatFields (float_fields.c). */
static napi_value FloatFields(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!argumentsOf(env, info, 8, argv, "floatFields")) return NULL;
  uint8_t *text, *rest;
  int32_t *slot;
  double *out;
  int64_t length, slots, outLength, restLength;
  if (!elementsOf(env, argv[0], napi_uint8_array, (void **)&text, &length) || !elementsOf(env, argv[4], napi_int32_array, (void **)&slot, &slots) ||
      !elementsOf(env, argv[6], napi_float64_array, (void **)&out, &outLength) || !elementsOf(env, argv[7], napi_uint8_array, (void **)&rest, &restLength)) {
    napi_throw_type_error(env, NULL, "ads native floatFields: text and rest must be Uint8Arrays, slot an Int32Array, out a Float64Array");
    return NULL;
  }
  uint64_t v[4];
  napi_value ints[4] = {argv[1], argv[2], argv[3], argv[5]};
  if (!integers(env, ints, 4, v)) return NULL;
  const int64_t from = (int64_t)v[0], to = (int64_t)v[1];
  if (from > to || to > length) {
    napi_throw_range_error(env, NULL, "ads native floatFields: the part must lie inside the text");
    return NULL;
  }
  napi_value result;
  napi_create_int64(env, readFloatFields(text, length, from, to, (int64_t)v[2], slot, slots, (int64_t)v[3], out, outLength, rest, restLength), &result);
  return result;
}

/* The largest of `count` indices, or −1 where one is negative (or there are none). */
static int64_t largestIndex(const int32_t *at, int64_t count) {
  int64_t top = -1;
  for (int64_t q = 0; q < count; q++) {
    if (at[q] < 0) return -1;
    if (at[q] > top) top = at[q];
  }
  return top;
}

/* Whether rows[·] × cols[·] of a row-major matrix of `length` elements and row stride `stride` lie inside it. */
static int insideMatrix(const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, uint64_t stride, int64_t length) {
  if (n == 0 || d == 0) return 1;
  const int64_t topRow = largestIndex(rows, n), topCol = largestIndex(cols, d);
  return topRow >= 0 && topCol >= 0 && topRow * (int64_t)stride + topCol < length;
}

/* valueCounts(data, stride, rows, cols, out): frequency_threshold.ts's counts per column (value_counts.c). */
static napi_value ValueCounts(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!argumentsOf(env, info, 5, argv, "valueCounts")) return NULL;
  double *data, *out;
  int32_t *rows, *cols;
  int64_t length, n, d, outLength;
  if (!elementsOf(env, argv[0], napi_float64_array, (void **)&data, &length) || !elementsOf(env, argv[2], napi_int32_array, (void **)&rows, &n) ||
      !elementsOf(env, argv[3], napi_int32_array, (void **)&cols, &d) || !elementsOf(env, argv[4], napi_float64_array, (void **)&out, &outLength)) {
    napi_throw_type_error(env, NULL, "ads native valueCounts: data and out must be Float64Arrays, rows and cols Int32Arrays");
    return NULL;
  }
  uint64_t stride;
  if (!integers(env, argv + 1, 1, &stride)) return NULL;
  if (!insideMatrix(rows, n, cols, d, stride, length) || outLength < 3 * d) {
    napi_throw_range_error(env, NULL, "ads native valueCounts: a row or column lies outside the matrix, or out is too short");
    return NULL;
  }
  if (!valueCounts(data, (int64_t)stride, rows, n, cols, d, out)) napi_throw_error(env, NULL, "ads native valueCounts: out of memory");
  return NULL;
}

/* A function of columns of a row-major matrix, with up to one number, into `outputs` arrays of one value a column (column_moments.c). */
typedef int ColumnsFn(const double *, int64_t, const int32_t *, int64_t, const int32_t *, int64_t, double, double *const *);

/*
 * (data, stride, rows, cols, [number,] out0, …): `fn` over the view, with the number where `numbers` is 1, into
 * its `outputs` arrays (at most 3), after checking every argument.
 */
static napi_value Columns(napi_env env, napi_callback_info info, ColumnsFn *fn, int numbers, int outputs, const char *name) {
  napi_value argv[7];
  if (!argumentsOf(env, info, 4 + numbers + outputs, argv, name)) return NULL;
  double *data, *out[3], number = 0;
  int32_t *rows, *cols;
  int64_t length, n, d, outLength;
  char message[200];
  int typed = elementsOf(env, argv[0], napi_float64_array, (void **)&data, &length) && elementsOf(env, argv[2], napi_int32_array, (void **)&rows, &n) &&
              elementsOf(env, argv[3], napi_int32_array, (void **)&cols, &d) && (!numbers || napi_get_value_double(env, argv[4], &number) == napi_ok);
  for (int k = 0; typed && k < outputs; k++) typed = elementsOf(env, argv[4 + numbers + k], napi_float64_array, (void **)&out[k], &outLength) && outLength >= d;
  if (!typed) {
    snprintf(message, sizeof message, "ads native %s: data and the outputs must be Float64Arrays (the outputs as long as cols), rows and cols Int32Arrays%s", name,
             numbers ? ", and a number before the outputs" : "");
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  uint64_t stride;
  if (!integers(env, argv + 1, 1, &stride)) return NULL;
  if (!insideMatrix(rows, n, cols, d, stride, length)) {
    snprintf(message, sizeof message, "ads native %s: a row or column lies outside the matrix", name);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  if (!fn(data, (int64_t)stride, rows, n, cols, d, number, out)) {
    snprintf(message, sizeof message, "ads native %s: out of memory", name);
    napi_throw_error(env, NULL, message);
  }
  return NULL;
}

static int momentsInto(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double number, double *const *out) {
  return (void)number, columnMoments(data, stride, rows, n, cols, d, out[0], out[1], out[2]);
}
static int extentsInto(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double number, double *const *out) {
  return (void)number, columnExtents(data, stride, rows, n, cols, d, out[0], out[1], out[2]);
}
static int missingInto(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double number, double *const *out) {
  return (void)number, missingCounts(data, stride, rows, n, cols, d, out[0]);
}
static int beyondInto(const double *data, int64_t stride, const int32_t *rows, int64_t n, const int32_t *cols, int64_t d, double cutoff, double *const *out) {
  return beyondCounts(data, stride, rows, n, cols, d, cutoff, out[0]);
}

/* columnMoments(data, stride, rows, cols, count, mean, variance): columns.ts's columnMoments. */
static napi_value ColumnMoments(napi_env env, napi_callback_info info) { return Columns(env, info, momentsInto, 0, 3, "columnMoments"); }

/* columnExtents(data, stride, rows, cols, sum, low, high): correlation_threshold.ts's columnSummary pass. */
static napi_value ColumnExtents(napi_env env, napi_callback_info info) { return Columns(env, info, extentsInto, 0, 3, "columnExtents"); }

/* missingCounts(data, stride, rows, cols, missing): columns.ts's missingCounts. */
static napi_value MissingCounts(napi_env env, napi_callback_info info) { return Columns(env, info, missingInto, 0, 1, "missingCounts"); }

/* beyondCounts(data, stride, rows, cols, cutoff, beyond): drop_outliers.ts's count of values beyond the cutoff. */
static napi_value BeyondCounts(napi_env env, napi_callback_info info) { return Columns(env, info, beyondInto, 1, 1, "beyondCounts"); }

/*
 * packPanels(memory, at, width, data, stride, rows, r0, len, cols, center, scale): gram_parallel.ts's `pack`
 * of one chunk: rows rows[r0 + r] (r < len) of columns cols[k] of the row-major float64 matrix `data`, each
 * less center[k] and times scale[k] (where `scale` is not empty), into panels of `width` columns at byte `at`
 * of the memory: row r of column k at element r·width + ⌊k / width⌋·len·width + k mod width, as doubles for
 * width 4 and as floats (rounded to nearest, as a Float32Array stores) for width 8. The same arithmetic,
 * in the same order, as the JavaScript.
 */
static napi_value PackPanels(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!argumentsOf(env, info, 11, argv, "packPanels")) return NULL;
  uint8_t *base;
  uint64_t length;
  double *data, *center, *scale;
  int32_t *rows, *cols;
  int64_t dataLength, nRows, d, centerLength, scaleLength;
  if (!memoryOf(env, argv[0], &base, &length) || !elementsOf(env, argv[3], napi_float64_array, (void **)&data, &dataLength) ||
      !elementsOf(env, argv[5], napi_int32_array, (void **)&rows, &nRows) || !elementsOf(env, argv[8], napi_int32_array, (void **)&cols, &d) ||
      !elementsOf(env, argv[9], napi_float64_array, (void **)&center, &centerLength) || !elementsOf(env, argv[10], napi_float64_array, (void **)&scale, &scaleLength)) {
    napi_throw_type_error(env, NULL, "ads native packPanels: the memory, then Float64Arrays data, center and scale and Int32Arrays rows and cols");
    return NULL;
  }
  uint64_t v[5];
  napi_value ints[5] = {argv[1], argv[2], argv[4], argv[6], argv[7]};
  if (!integers(env, ints, 5, v)) return NULL;
  const uint64_t at = v[0], width = v[1], stride = v[2], r0 = v[3], len = v[4];
  const uint64_t size = width == 4 ? 8 : 4;
  if ((width != 4 && width != 8) || (scaleLength && scaleLength < d) || centerLength < d || r0 + len > (uint64_t)nRows) {
    napi_throw_range_error(env, NULL, "ads native packPanels: width must be 4 or 8, center and scale as long as cols, and the chunk among the rows");
    return NULL;
  }
  if (len == 0 || d == 0) return NULL;
  if (!insideMatrix(rows + r0, (int64_t)len, cols, d, stride, dataLength)) {
    napi_throw_range_error(env, NULL, "ads native packPanels: a row or column lies outside the matrix");
    return NULL;
  }
  const uint64_t groups = ((uint64_t)d + width - 1) / width;
  if (!inside(env, length, at + groups * len * width * size)) return NULL;
  const uint64_t panel = len * width;
  for (uint64_t r = 0; r < len; r++) {
    const double *row = data + rows[r0 + r] * (int64_t)stride;
    const uint64_t to = r * width;
    if (width == 4) {
      double *out = (double *)(base + at) + to;
      for (int64_t k = 0; k < d; k++) {
        const double value = scaleLength ? (row[cols[k]] - center[k]) * scale[k] : row[cols[k]] - center[k];
        memcpy(out + (k >> 2) * panel + (k & 3), &value, 8);
      }
    } else {
      float *out = (float *)(base + at) + to;
      for (int64_t k = 0; k < d; k++) {
        const float value = (float)(scaleLength ? (row[cols[k]] - center[k]) * scale[k] : row[cols[k]] - center[k]);
        memcpy(out + (k >> 3) * panel + (k & 7), &value, 4);
      }
    }
  }
  return NULL;
}

static void freeInflater(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  gzipInflaterFree(data);
}

/* gzipInflater(): a new inflater (gzip_inflate.c) at the start of a stream, or undefined where ISA-L is not found. */
static napi_value NewGzipInflater(napi_env env, napi_callback_info info) {
  (void)info;
  GzipInflater *z = gzipInflaterNew();
  napi_value result;
  if (!z) {
    napi_get_undefined(env, &result);
    return result;
  }
  if (napi_create_external(env, z, freeInflater, NULL, &result) != napi_ok) {
    gzipInflaterFree(z);
    napi_throw_error(env, NULL, "ads native gzipInflater: could not wrap the inflater");
    return NULL;
  }
  return result;
}

/*
 * gzipInflate(inflater, input, last, output, result): gzip_inflate.c's gzipInflate from the Uint8Array `input`
 * into the Uint8Array `output`; result[0] the input bytes consumed, result[1] the bytes written (a
 * Float64Array); returns its status (GZIP_MORE, GZIP_END, GZIP_TRUNCATED, or ISA-L's negative error).
 */
static napi_value GzipInflate(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!argumentsOf(env, info, 5, argv, "gzipInflate")) return NULL;
  GzipInflater *z;
  uint8_t *in, *out;
  double *result;
  int64_t inLength, outLength, resultLength;
  bool last;
  napi_valuetype type;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external || napi_get_value_external(env, argv[0], (void **)&z) != napi_ok ||
      !elementsOf(env, argv[1], napi_uint8_array, (void **)&in, &inLength) || napi_get_value_bool(env, argv[2], &last) != napi_ok ||
      !elementsOf(env, argv[3], napi_uint8_array, (void **)&out, &outLength) || !elementsOf(env, argv[4], napi_float64_array, (void **)&result, &resultLength) ||
      resultLength < 2) {
    napi_throw_type_error(env, NULL, "ads native gzipInflate: an inflater, a Uint8Array input, a boolean, a Uint8Array output and a Float64Array of 2");
    return NULL;
  }
  size_t used, made;
  const int status = gzipInflate(z, in, (size_t)inLength, last, out, (size_t)outLength, &used, &made);
  result[0] = (double)used, result[1] = (double)made;
  napi_value value;
  napi_create_int32(env, status, &value);
  return value;
}

/*
 * gatherRows(memory, at, ld, src, cols, rows): row rows[r] of src (a row-major Float32Array `cols` wide) to
 * byte at + r·ld of the memory, for every r: the fused training step's batch (fused_step.ts). A row a call
 * from JavaScript would copy (a typed-array view, then set) costs more than its bytes at these widths.
 * The same at every level: a copy.
 */
static napi_value GatherRows(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!argumentsOf(env, info, 6, argv, "gatherRows")) return NULL;
  uint8_t *base;
  uint64_t length;
  float *src;
  int32_t *rows;
  int64_t srcLength, n;
  if (!memoryOf(env, argv[0], &base, &length) || !elementsOf(env, argv[3], napi_float32_array, (void **)&src, &srcLength) ||
      !elementsOf(env, argv[5], napi_int32_array, (void **)&rows, &n)) {
    napi_throw_type_error(env, NULL, "ads native gatherRows: the memory, then a Float32Array source and an Int32Array of rows");
    return NULL;
  }
  uint64_t v[3];
  napi_value ints[3] = {argv[1], argv[2], argv[4]};
  if (!integers(env, ints, 3, v)) return NULL;
  const uint64_t at = v[0], ld = v[1], cols = v[2];
  if (n == 0 || cols == 0) return NULL;
  const int64_t top = largestIndex(rows, n);
  if (top < 0 || (uint64_t)(top + 1) * cols > (uint64_t)srcLength) {
    napi_throw_range_error(env, NULL, "ads native gatherRows: a row lies outside the source");
    return NULL;
  }
  if (!inside(env, length, extent(at, (uint64_t)n, ld, cols, 4, 4))) return NULL;
  for (int64_t r = 0; r < n; r++) memcpy(base + at + (uint64_t)r * ld, src + (uint64_t)rows[r] * cols, cols * 4);
  return NULL;
}

/* An object of the functions at `level`. */
static napi_value levelObject(napi_env env, const Level *level) {
  static const struct {
    const char *name;
    napi_callback callback;
  } FUNCTIONS[] = {{"gemm64", Gemm64}, {"gemm32", Gemm32}, {"gram64", Gram64}, {"gram32", Gram32}, {"product64", Product64}, {"adam32", Adam32}, {"adam64", Adam64}, {"gatherRows", GatherRows}};
  napi_value object, value;
  napi_create_object(env, &object);
  for (size_t f = 0; f < sizeof FUNCTIONS / sizeof FUNCTIONS[0]; f++) {
    napi_create_function(env, FUNCTIONS[f].name, NAPI_AUTO_LENGTH, FUNCTIONS[f].callback, (void *)level, &value);
    napi_set_named_property(env, object, FUNCTIONS[f].name, value);
  }
  napi_create_string_utf8(env, level->name, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, "isa", value);
  return object;
}

/*
 * exports: the kernels at the widest level this CPU has (gemm64, gemm32, gram64, gram32, product64, adam32, adam64, gatherRows, and `isa`, that
 * level's name), `levels` (every level it has, by name: the tests hold each against WebAssembly), `version`,
 * and the scalar functions every x86-64 CPU gets: `floatFields`, the CSV parser of float_fields.c, and
 * `valueCounts`, the column counts of value_counts.c, `columnMoments`, `columnExtents` and `missingCounts`, the column moments,
 * extents and missing values of column_moments.c, `packPanels`, the Gram products' packing, and
 * `beyondCounts`, the outlier filter's counts, `gzipInflater` and `gzipInflate`, the gzip inflater of gzip_inflate.c (an inflater only where ISA-L is found).
 */
NAPI_MODULE_INIT() {
  napi_value levels, value;
  napi_create_object(env, &levels);
  const Level *best = NULL;
  for (size_t l = 0; l < LEVEL_COUNT; l++) {
    if (!LEVELS[l].supported()) continue;
    if (!best) best = &LEVELS[l];
    napi_set_named_property(env, levels, LEVELS[l].name, levelObject(env, &LEVELS[l]));
  }
  /* Without a level there are no kernels: `levels` is empty and the loader says why. */
  if (best) exports = levelObject(env, best);
  napi_set_named_property(env, exports, "levels", levels);
  /* The scalar functions: every x86-64 CPU gets them, with or without a vector level. */
  floatFieldsInit();
  static const struct {
    const char *name;
    napi_callback callback;
  } SCALAR[] = {{"floatFields", FloatFields},     {"valueCounts", ValueCounts},     {"packPanels", PackPanels},
                {"columnMoments", ColumnMoments}, {"columnExtents", ColumnExtents}, {"missingCounts", MissingCounts},
                {"beyondCounts", BeyondCounts},   {"gzipInflater", NewGzipInflater}, {"gzipInflate", GzipInflate}};
  for (size_t f = 0; f < sizeof SCALAR / sizeof SCALAR[0]; f++) {
    napi_create_function(env, SCALAR[f].name, NAPI_AUTO_LENGTH, SCALAR[f].callback, NULL, &value);
    napi_set_named_property(env, exports, SCALAR[f].name, value);
  }
  napi_create_int32(env, ADS_KERNELS_VERSION, &value);
  napi_set_named_property(env, exports, "version", value);
  return exports;
}
