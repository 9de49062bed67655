import { dot } from '../numeric/matrix.ts';

/**
 * Limited-memory BFGS over Float64Array for smooth convex objectives (the logistic regression's), with a
 * backtracking Armijo line search. On a convex problem the curvature s·y is positive for every step, so
 * the Wolfe curvature condition the textbook line search enforces adds nothing but evaluations; a pair is
 * still skipped if rounding makes s·y non-positive. Deterministic: no randomness, fixed operation order.
 */

/** Writes ∇f(x) into `grad` and returns f(x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Converged when max |∂f/∂x_i| ≤ gtol (scipy's `gtol`, what sklearn passes its `tol` to). */
  gtol: number;
  max_iter: number;
  /** Correction pairs kept (scipy: 10). */
  memory: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  /**
   * Whether the gradient criterion was met, or f stopped decreasing by more than rounding allows (scipy's
   * ftol; it reports success for both): near a tight gtol, float64 runs out of digits in f first.
   */
  converged: boolean;
  /** max |gradient| at x. */
  grad_max: number;
}

/** Sufficient-decrease constant and the limit on step halvings per iteration (scipy's maxls). */
const ARMIJO_C1 = 1e-4;
const MAX_LINE_SEARCH = 50;
/** scipy's L-BFGS-B ftol as sklearn sets it (64·machine epsilon): a relative decrease below this is a stall. */
const FTOL = 64 * Number.EPSILON;

export function minimizeLbfgs(fg: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;
  let stalled = false;

  while (maxAbs(g) > options.gtol && iterations < options.max_iter) {
    iterations++;
    direction(g, pairs, d);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Rounding has spoiled the quasi-Newton model: restart from steepest descent.
      pairs.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    // First step of a fresh model: unit length, since steepest descent knows nothing of the scale.
    let step = pairs.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fg(xNew, gNew);
      if (fNew <= f + ARMIJO_C1 * step * slope) {
        accepted = true;
        break;
      }
      // Minimizer of the quadratic through f, the slope and fNew, kept within [0.1, 0.5] of the step.
      const quadratic = (-slope * step * step) / (2 * (fNew - f - slope * step));
      step = Number.isFinite(quadratic) ? Math.min(0.5 * step, Math.max(0.1 * step, quadratic)) : 0.5 * step;
    }
    if (!accepted) {
      if (pairs.length === 0) break;
      pairs.length = 0;
      continue;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (pairs.length === options.memory) pairs.shift();
      pairs.push({ s, y, rho: 1 / sy });
    }
    stalled = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1) <= FTOL;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (stalled) break;
  }
  const gradMax = maxAbs(g);
  return { x, f, iterations, converged: gradMax <= options.gtol || stalled, grad_max: gradMax };
}

/** d = −H·g by the two-loop recursion, with H₀ = (s·y / y·y)·I from the newest pair. */
function direction(g: Float64Array, pairs: readonly { s: Float64Array; y: Float64Array; rho: number }[], d: Float64Array): void {
  const n = g.length;
  for (let i = 0; i < n; i++) d[i] = -g[i];
  const alpha = new Float64Array(pairs.length);
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k];
    alpha[k] = rho * dot(s, d);
    for (let i = 0; i < n; i++) d[i] -= alpha[k] * y[i];
  }
  if (pairs.length > 0) {
    const { y, rho } = pairs[pairs.length - 1];
    const gamma = 1 / (rho * dot(y, y));
    for (let i = 0; i < n; i++) d[i] *= gamma;
  }
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k];
    const beta = rho * dot(y, d);
    for (let i = 0; i < n; i++) d[i] += (alpha[k] - beta) * s[i];
  }
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
