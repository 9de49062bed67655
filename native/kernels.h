/*
 * The kernels of ads_kernels.c, compiled once per instruction set: the includer defines LEVEL(name) (the
 * function's name at this level), TARGET (its target attribute), ROWS64 (gemm64's rows a block: as many
 * registers of 8 doubles as the level has to spare) and ROWS32_16, ROWS32_8 (gemm32's, in registers of 16
 * and of 8 floats). Their contracts are in ads_kernels.c.
 */
GEMM64(LEVEL(gemm64), ROWS64, TARGET)
GEMM32(LEVEL(gemm32), ROWS32_16, ROWS32_8, TARGET)

TARGET static void LEVEL(gram64)(uint8_t *base, uint64_t panels, uint64_t gj0, uint64_t gj1, uint64_t len, uint64_t out, uint64_t ldo) {
  const uint64_t bytes = len * 32;
  for (uint64_t gi = 0; gi < gj1; gi++) {
    const uint8_t *pa = base + panels + gi * bytes;
    for (uint64_t gj = gi > gj0 ? gi : gj0; gj < gj1;) {
      const int two = gj + 1 < gj1;
      const uint8_t *pb = base + panels + gj * bytes;
      v4d acc[4][2] = {{{0}}};
      for (uint64_t k = 0; k < len; k++) {
        v4d y0, y1 = {0};
        LOAD(y0, pb + k * 32);
        if (two) LOAD(y1, pb + bytes + k * 32);
        for (int r = 0; r < 4; r++) {
          double x;
          LOAD(x, pa + k * 32 + 8 * r);
          acc[r][0] = acc[r][0] + x * y0;
          acc[r][1] = acc[r][1] + x * y1;
        }
      }
      for (int r = 0; r < 4; r++)
        for (int h = 0; h <= two; h++) {
          uint8_t *po = base + out + (4 * gi + r) * ldo + 32 * (gj + h);
          v4d o;
          LOAD(o, po);
          o = o + acc[r][h];
          STORE(po, o);
        }
      gj += two ? 2 : 1;
    }
  }
}

TARGET static void LEVEL(gram32)(uint8_t *base, uint64_t panels, uint64_t gj0, uint64_t gj1, uint64_t len, uint64_t out, uint64_t ldo) {
  const uint64_t bytes = len * 32;
  for (uint64_t gi = 0; gi < gj1; gi++) {
    const uint8_t *pa = base + panels + gi * bytes;
    for (uint64_t gj = gi > gj0 ? gi : gj0; gj < gj1;) {
      const int two = gj + 1 < gj1;
      const uint8_t *pb = base + panels + gj * bytes;
      for (uint64_t k0 = 0; k0 < len; k0 += FLUSH32) {
        const uint64_t k1 = len - k0 < FLUSH32 ? len : k0 + FLUSH32;
        v8f acc[8][2] = {{{0}}};
        for (uint64_t k = k0; k < k1; k++) {
          v8f y0, y1 = {0};
          LOAD(y0, pb + k * 32);
          if (two) LOAD(y1, pb + bytes + k * 32);
          for (int r = 0; r < 8; r++) {
            float x;
            LOAD(x, pa + k * 32 + 4 * r);
            acc[r][0] = acc[r][0] + x * y0;
            acc[r][1] = acc[r][1] + x * y1;
          }
        }
        for (int r = 0; r < 8; r++)
          for (int h = 0; h <= two; h++) {
            uint8_t *po = base + out + (8 * gi + r) * ldo + 64 * (gj + h);
            v8d o, wide = __builtin_convertvector(acc[r][h], v8d);
            LOAD(o, po);
            o = o + wide;
            STORE(po, o);
          }
      }
      gj += two ? 2 : 1;
    }
  }
}
