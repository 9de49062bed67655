/**
 * The softmax of rows of logits, as both classifiers need it for every row of every step (the logistic
 * regression's residuals, the MLP's output gradient), as a WebAssembly SIMD function over the memory of their
 * products (gemm_kernel.ts). With tens of classes it was the largest cost of an MLP step outside the products:
 * JS's Math.exp for every logit.
 *
 * softmax(z, ldz, rows, n, out, ldo, stats): each of `rows` rows of n logits to sklearn's softmax in the row of
 * `out`: e = exp(z − max), p = e / Σe, with `stats` receiving [max, Σe] per row
 * (for the row's log-partition, max + log Σe). Addresses and row strides in bytes. Σe is summed in two
 * interleaved sums (even and odd positions), added last; exp is `softmaxExp`. The plain JS below does the same
 * operations in the same order, so it gives the same bits where the engine lacks SIMD. Both work on pairs of
 * logits: for an odd n, `softmaxRows` sets the logit after each row's last to −∞ (so a row needs room for
 * it), which adds nothing to Σe and gets probability 0.
 */
import {
  addTo, breakIf, compileOrNull, F64X2_ADD, f64x2Const, F64X2_DIV, F64X2_FLOOR, F64X2_GT, F64X2_MUL, F64X2_SUB, I32_ADD, I32_EQZ, I32_GE_U,
  I32_SHL, I32_SUB, i32Const, I64X2_ADD, I64X2_FROM_F64X2, I64X2_SHL, i64x2Const, kernelModuleBytes, type KernelFunction, lanesLoop, localGet,
  localSet, f64x2AddLanes, V128_BITSELECT, V128_ZERO, v128Load, v128Load64Splat, v128Store, v128Store64Lane, whileLoop,
} from '../numeric/wasm.ts';

export type SoftmaxRows = (z: number, ldz: number, rows: number, n: number, out: number, ldo: number, stats: number) => void;

/*
 * exp(x) for the softmax's x = z − max ≤ 0, to about an ulp, in operations WebAssembly and JS round alike:
 * x = k·ln 2 + r with k = ⌊x·log₂e + ½⌋ and |r| ≤ ½ln 2 (ln 2 in two parts, the first exact times any such
 * k), exp(r) by its Taylor series to r¹³ (the rest is below 5e-18), times 2ᵏ built from k's bits. Below −708
 * (where 2ᵏ would be subnormal) it is 0: such a class's probability is under 1e-307 beside the row's maximum.
 */
const EXP_FLOOR = -708;
const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1/i!, i = 0 … 13. */
const TAYLOR = Array.from({ length: 14 }, (_, i) => 1 / Array.from({ length: i }, (_, j) => j + 1).reduce((a, b) => a * b, 1));
const POW2 = new Float64Array(1);
const POW2_BITS = new BigInt64Array(POW2.buffer);

/** The kernels' exp, in plain JS (the same operations as the SIMD form, so the same bits). */
export function softmaxExp(x: number): number {
  const xc = x > EXP_FLOOR ? x : EXP_FLOOR;
  const k = Math.floor(xc * LOG2E + 0.5);
  const r = xc - k * LN2_HI - k * LN2_LO;
  let p = TAYLOR[13];
  for (let i = 12; i >= 0; i--) p = p * r + TAYLOR[i];
  POW2_BITS[0] = BigInt(k + 1023) << 52n;
  return x > EXP_FLOOR ? p * POW2[0] : 0;
}

function softmaxFunction(): KernelFunction {
  const [Z, LDZ, ROWS, N, OUT, LDO, STATS] = [0, 1, 2, 3, 4, 5, 6];
  const [P, Q, END] = [7, 8, 9];
  const [M, V, S, X, XC, KF, R, PV, ABOVE] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
  const f64x2 = (op: number[], a: number[], b: number[]) => [...a, ...b, ...op];
  const exp = [
    // ABOVE = x > floor; XC = ABOVE ? x : floor
    [...localGet(X), ...f64x2Const(EXP_FLOOR), ...F64X2_GT, ...localSet(ABOVE)],
    [...localGet(X), ...f64x2Const(EXP_FLOOR), ...localGet(ABOVE), ...V128_BITSELECT, ...localSet(XC)],
    [...f64x2(F64X2_ADD, f64x2(F64X2_MUL, localGet(XC), f64x2Const(LOG2E)), f64x2Const(0.5)), ...F64X2_FLOOR, ...localSet(KF)],
    [...f64x2(F64X2_SUB, f64x2(F64X2_SUB, localGet(XC), f64x2(F64X2_MUL, localGet(KF), f64x2Const(LN2_HI))), f64x2(F64X2_MUL, localGet(KF), f64x2Const(LN2_LO))), ...localSet(R)],
    [...f64x2Const(TAYLOR[13]), ...localSet(PV)],
    ...Array.from({ length: 13 }, (_, q) => [...f64x2(F64X2_ADD, f64x2(F64X2_MUL, localGet(PV), localGet(R)), f64x2Const(TAYLOR[12 - q])), ...localSet(PV)]),
    // V = ABOVE ? p·2ᵏ : 0, 2ᵏ's bits being (k + 1023) << 52
    [...localGet(PV), ...localGet(KF), ...I64X2_FROM_F64X2, ...i64x2Const(1023n), ...I64X2_ADD, ...i32Const(52), ...I64X2_SHL, ...F64X2_MUL],
    [...V128_ZERO, ...localGet(ABOVE), ...V128_BITSELECT, ...localSet(V)],
  ].flat();
  const body = [
    whileLoop(
      [...localGet(ROWS), I32_EQZ, ...breakIf],
      // The row's maximum, one logit at a time in both lanes (z > max ? z : max, as the plain loop).
      [...localGet(Z), ...localGet(N), ...i32Const(3), I32_SHL, I32_ADD, ...localSet(END)],
      [...f64x2Const(-Infinity), ...localSet(M), ...localGet(Z), ...localSet(P)],
      whileLoop(
        [...localGet(P), ...localGet(END), I32_GE_U, ...breakIf],
        [...localGet(P), ...v128Load64Splat(0), ...localSet(V)],
        [...localGet(V), ...localGet(M), ...localGet(V), ...localGet(M), ...F64X2_GT, ...V128_BITSELECT, ...localSet(M)],
        addTo(P, i32Const(8)),
      ),
      // e = exp(z − max) into out, summed two lanes apart.
      [...V128_ZERO, ...localSet(S), ...localGet(Z), ...localSet(P), ...localGet(OUT), ...localSet(Q)],
      lanesLoop(P, END, [P, Q],
        [...localGet(P), ...v128Load(0), ...localGet(M), ...F64X2_SUB, ...localSet(X)],
        exp,
        [...localGet(Q), ...localGet(V), ...v128Store(0)],
        [...localGet(S), ...localGet(V), ...F64X2_ADD, ...localSet(S)],
      ),
      // Σe = even sum + odd sum, in both lanes; [max, Σe] to stats; p = e / Σe.
      [...f64x2AddLanes(localGet(S)), ...localSet(S)],
      [...localGet(STATS), ...localGet(M), ...v128Store64Lane(0, 0), ...localGet(STATS), ...localGet(S), ...v128Store64Lane(8, 0)],
      [...localGet(OUT), ...localGet(N), ...i32Const(3), I32_SHL, I32_ADD, ...localSet(END), ...localGet(OUT), ...localSet(Q)],
      lanesLoop(Q, END, [Q], [...localGet(Q), ...localGet(Q), ...v128Load(0), ...localGet(S), ...F64X2_DIV, ...v128Store(0)]),
      addTo(Z, localGet(LDZ)),
      addTo(OUT, localGet(LDO)),
      addTo(STATS, i32Const(16)),
      [...localGet(ROWS), ...i32Const(1), I32_SUB, ...localSet(ROWS)],
    ),
    [0x0b],
  ].flat();
  return { name: 'softmax', params: 7, i32Locals: 3, v128Locals: 9, body };
}

let compiled: WebAssembly.Module | null | undefined;

/** The softmax over `memory`, n even: WebAssembly SIMD where the engine has it, else the plain JS below. */
export function softmaxKernel(memory: WebAssembly.Memory): SoftmaxRows {
  compiled ??= compileOrNull(kernelModuleBytes(softmaxFunction()));
  if (compiled) return new WebAssembly.Instance(compiled, { env: { memory } }).exports.softmax as SoftmaxRows;
  return softmaxRowsJs(new Float64Array(memory.buffer));
}

/** `softmaxKernel` for any n: an odd n gets a −∞ after each row's last logit, the kernels' pair completed. */
export function softmaxRows(memory: WebAssembly.Memory): SoftmaxRows {
  const pairs = softmaxKernel(memory);
  return (z, ldz, rows, n, out, ldo, stats) => {
    if (n % 2 === 1) {
      const heap = new Float64Array(memory.buffer);
      for (let row = 0; row < rows; row++) heap[(z + row * ldz) / 8 + n] = -Infinity;
    }
    pairs(z, ldz, rows, n + (n % 2), out, ldo, stats);
  };
}

/** The same contract in plain JS for an even n (addresses in bytes: a double at address a is heap[a / 8]). */
export function softmaxRowsJs(heap: Float64Array): SoftmaxRows {
  return (z, ldz, rows, n, out, ldo, stats) => {
    for (let row = 0; row < rows; row++) {
      const [zr, or, sr] = [(z + row * ldz) / 8, (out + row * ldo) / 8, stats / 8 + 2 * row];
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = heap[zr + k] > max ? heap[zr + k] : max;
      let [even, odd] = [0, 0];
      for (let k = 0; k < n; k += 2) {
        even += heap[or + k] = softmaxExp(heap[zr + k] - max);
        odd += heap[or + k + 1] = softmaxExp(heap[zr + k + 1] - max);
      }
      const sum = even + odd;
      heap[sr] = max;
      heap[sr + 1] = sum;
      for (let k = 0; k < n; k++) heap[or + k] /= sum;
    }
  };
}
