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
  const pairs: Pair[] = [];
  // The vectors of the next pair, written before it is known to be kept; a pair dropped from memory gives its own.
  let spare: Pick<Pair, 's' | 'y'> = { s: new Float64Array(n), y: new Float64Array(n) };
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;
  let stalled = false;

  while (maxAbs(g) > options.gtol && iterations < options.max_iter) {
    iterations++;
    let slope = direction(g, pairs, d);
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

    // s = xNew − x, y = gNew − g and their three dot products, in one pass (each sum in order, as dot's).
    const { s, y } = spare;
    let [sy, ss, yy] = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
      ss += s[i] * s[i];
      yy += y[i] * y[i];
    }
    if (sy > 1e-12 * Math.sqrt(ss * yy)) {
      const dropped = pairs.length === options.memory ? pairs.shift()! : null;
      pairs.push({ s, y, rho: 1 / sy, yy });
      spare = dropped ?? { s: new Float64Array(n), y: new Float64Array(n) };
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

/** A correction pair: the step s, the change of gradient y, 1/(s·y) and y·y. */
interface Pair {
  s: Float64Array;
  y: Float64Array;
  rho: number;
  yy: number;
}

/**
 * d = −H·g by the two-loop recursion, with H₀ = (s·y / y·y)·I from the newest pair; returns g·d. Each pass over
 * the vectors makes one pair's update of d and takes the next dot product the recursion needs from the updated
 * values (the last pass, g·d): half the passes of the loops written out one by one, whose memory traffic bound
 * them (a quarter of MoA classification's time at LINCS size), with every value and every sum unchanged.
 */
function direction(g: Float64Array, pairs: readonly Pair[], d: Float64Array): number {
  const n = g.length;
  const m = pairs.length;
  let acc = 0;
  if (m === 0) {
    for (let i = 0; i < n; i++) {
      d[i] = -g[i];
      acc += g[i] * d[i];
    }
    return acc;
  }
  // First loop, newest pair first: αₖ = ρₖ·sₖ·d, then d −= αₖ·yₖ.
  const alpha = new Float64Array(m);
  const newest = pairs[m - 1];
  for (let i = 0; i < n; i++) {
    d[i] = -g[i];
    acc += newest.s[i] * d[i];
  }
  for (let k = m - 1; k > 0; k--) {
    alpha[k] = pairs[k].rho * acc;
    const [a, y, s] = [alpha[k], pairs[k].y, pairs[k - 1].s];
    acc = 0;
    for (let i = 0; i < n; i++) {
      d[i] -= a * y[i];
      acc += s[i] * d[i];
    }
  }
  // The oldest pair's update, then H₀, then the second loop's first product y₀·d.
  alpha[0] = pairs[0].rho * acc;
  const gamma = 1 / (newest.rho * newest.yy);
  const [a0, y0] = [alpha[0], pairs[0].y];
  acc = 0;
  for (let i = 0; i < n; i++) {
    d[i] -= a0 * y0[i];
    d[i] *= gamma;
    acc += y0[i] * d[i];
  }
  // Second loop, oldest pair first: βₖ = ρₖ·yₖ·d, then d += (αₖ − βₖ)·sₖ; after the last, g·d.
  for (let k = 0; k < m; k++) {
    const c = alpha[k] - pairs[k].rho * acc;
    const [s, next] = [pairs[k].s, k + 1 < m ? pairs[k + 1].y : g];
    acc = 0;
    for (let i = 0; i < n; i++) {
      d[i] += c * s[i];
      acc += next[i] * d[i];
    }
  }
  return acc;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
