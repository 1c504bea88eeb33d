// A small deterministic L-BFGS minimizer (Nocedal & Wright, Algorithm 7.4 two-loop recursion) with a
// backtracking Armijo line search and an optional preconditioner (the initial inverse Hessian H0). Meant for
// smooth strongly convex objectives (the L2-regularized logistic loss of logistic.ts), where every step has
// s.y > 0 and the search needs no curvature condition. With a good H0 (an approximate inverse Hessian) the
// iteration count no longer depends on how ill-conditioned the features are.

/** Returns f(x) and writes the gradient into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Returns M v for a fixed symmetric positive definite M that approximates the inverse Hessian. */
export type Preconditioner = (v: Float64Array) => Float64Array;

export interface LbfgsOptions {
  /** Correction pairs kept (default 10). */
  memory?: number;
  /** Iteration cap (default 500). */
  maxIterations?: number;
  /** Converged when max |grad_i| <= gradTol (default 1e-6). */
  gradTol?: number;
  /** Or when an accepted step lowers f by at most relTol * max(1, |f|) (default 1e-12). */
  relTol?: number;
  /** H0 = gamma M, with gamma = s.y / y.M y from the latest pair (default M = identity). */
  preconditioner?: Preconditioner;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
  gradMax: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

type Pair = { s: Float64Array; y: Float64Array; rho: number };

/**
 * d = -H g by the two-loop recursion over pairs (s, y), oldest first, with H0 = gamma M (M the
 * preconditioner, identity without one; gamma = s.y / y.M y from the newest pair). Without pairs the first
 * step is -M g, or without a preconditioner steepest descent scaled to unit length.
 */
function searchDirection(g: Float64Array, pairs: Pair[], precondition?: Preconditioner): Float64Array {
  let q: Float64Array = Float64Array.from(g);
  const alphas = new Float64Array(pairs.length);
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k];
    alphas[k] = rho * dot(s, q);
    for (let i = 0; i < q.length; i++) q[i] -= alphas[k] * y[i];
  }
  if (precondition) q = precondition(q);
  if (pairs.length > 0) {
    const { s, y } = pairs[pairs.length - 1];
    const gamma = dot(s, y) / dot(y, precondition ? precondition(y) : y);
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
  } else if (!precondition) {
    const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < q.length; i++) q[i] *= scale;
  }
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k];
    const beta = rho * dot(y, q);
    for (let i = 0; i < q.length; i++) q[i] += (alphas[k] - beta) * s[i];
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i];
  return q;
}

export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { memory = 10, maxIterations = 500, gradTol = 1e-6, relTol = 1e-12, preconditioner } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  const pairs: Pair[] = [];
  let iterations = 0;
  let converged = maxAbs(g) <= gradTol;
  while (!converged && iterations < maxIterations) {
    let d = searchDirection(g, pairs, preconditioner);
    let slope = dot(d, g);
    if (!(slope < 0)) {
      pairs.length = 0; // lost descent (rounding): restart from steepest descent
      d = searchDirection(g, pairs, preconditioner);
      slope = dot(d, g);
    }
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 60; tries++, step *= 0.5) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
    }
    if (!(fNew <= f)) break; // no decrease at any step length: at the limit of precision
    iterations++;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > memory) pairs.shift();
    }
    const decrease = f - fNew;
    [x, g, f] = [xNew, gNew, fNew];
    converged = maxAbs(g) <= gradTol || decrease <= relTol * Math.max(1, Math.abs(f));
  }
  return { x, value: f, iterations, converged, gradMax: maxAbs(g) };
}
