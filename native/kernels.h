/*
 * The kernels of ads_kernels.c, compiled once per instruction set: the includer defines LEVEL(name) (the
 * function's name at this level), TARGET (its target attribute), ROWS64 (gemm64's rows a block: as many
 * registers of 8 doubles as the level has to spare) and ROWS32_16, ROWS32_8 (gemm32's, in registers of 16
 * and of 8 floats) and PAIR32 (gram32's PANEL_PAIR, or PANEL_PAIR16 where vectors are 512 bits). Their
 * contracts are in ads_kernels.c.
 */
GEMM64(LEVEL(gemm64), ROWS64, TARGET)
GEMM32(LEVEL(gemm32), ROWS32_16, ROWS32_8, TARGET)

GRAM(LEVEL(gram64), double, v4d, v4d, 0, PANEL_PAIR, TARGET)
GRAM(LEVEL(gram32), float, v8f, v8d, FLUSH32, PAIR32, TARGET)
PRODUCT(LEVEL(product64), TARGET)
ADAM(LEVEL(adam32), float, 9, ADAM32_STEP, TARGET)
ADAM(LEVEL(adam64), double, 6, ADAM64_STEP, TARGET)
