// L2-regularized logistic regression on standardized features, the model behind probe.ts.
//
// Objective (a mean over examples, so an L2 value means the same thing at any n):
//   f(W, b) = (1/n) sum_i CE(softmax(W x_i + b), y_i) + (l2 / 2) ||W||_F^2      (biases not penalized)
// Multinomial for K > 2 classes (K weight rows); for K = 2 class 0's logit is pinned to 0 and one row is fit
// (plain binary logistic). Parameters: `rows` blocks of d weights then the bias, flat.
//
// Minimized by L-BFGS preconditioned with the inverse of c * Xa^T Xa / n + l2 * I (Xa = [X, 1], no l2 on the
// bias), the logistic Hessian with every p(1 - p) replaced by a constant c: hidden states are strongly
// correlated, and without it the iteration count grows with their condition number.
import { minimizeLbfgs, type Preconditioner } from './lbfgs';

type Features = Float64Array | Float32Array;

/** Standardized rows with labels: x (n, d) row-major. */
export interface Dataset {
  x: Float64Array;
  y: Int32Array;
  n: number;
  d: number;
}

export interface Standardizer {
  mean: Float64Array; // (d)
  inv: Float64Array; // (d) 1 / population std; 1 where the std is 0 (a constant feature becomes 0)
}

/** Mean and population std of each feature over the rows `fitRows` of X (n, d). */
export function fitStandardizer(X: Features, d: number, fitRows: Int32Array): Standardizer {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const r of fitRows) for (let j = 0; j < d; j++) mean[j] += X[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= fitRows.length;
  for (const r of fitRows) for (let j = 0; j < d; j++) sq[j] += (X[r * d + j] - mean[j]) ** 2;
  return { mean, inv: sq.map((s) => (s > 0 ? 1 / Math.sqrt(s / fitRows.length) : 1)) };
}

/** Rows `rows` of X (n, d) and their labels, standardized by `st`. */
export function standardized(X: Features, Y: ArrayLike<number>, d: number, rows: Int32Array, st: Standardizer): Dataset {
  const x = new Float64Array(rows.length * d);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = (X[r * d + j] - st.mean[j]) * st.inv[j];
    y[i] = Y[r];
  });
  return { x, y, n: rows.length, d };
}

/** Weight rows fit: 1 for binary (class 0's logit pinned to 0), else one per class. */
export const weightRows = (classes: number) => (classes === 2 ? 1 : classes);

/** Logits of example i under parameters w into `out` (classes). */
function logits(w: Float64Array, data: Dataset, i: number, classes: number, out: Float64Array): void {
  const { x, d } = data;
  const rows = weightRows(classes);
  out[0] = 0;
  for (let k = 0; k < rows; k++) {
    let z = w[k * (d + 1) + d];
    for (let j = 0, wk = k * (d + 1), xi = i * d; j < d; j++) z += w[wk + j] * x[xi + j];
    out[rows === 1 ? 1 : k] = z;
  }
}

/** The objective of the header, returning f and writing its gradient. */
export function logisticObjective(data: Dataset, classes: number, l2: number): (w: Float64Array, grad: Float64Array) => number {
  const { x, y, n, d } = data;
  const rows = weightRows(classes);
  const z = new Float64Array(classes);
  return (w, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      logits(w, data, i, classes, z);
      let max = z[0];
      for (let c = 1; c < classes; c++) max = Math.max(max, z[c]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(z[c] - max);
      const lse = max + Math.log(sum);
      loss += lse - z[y[i]];
      for (let k = 0; k < rows; k++) {
        const c = rows === 1 ? 1 : k;
        const r = Math.exp(z[c] - lse) - (y[i] === c ? 1 : 0); // dCE/dz_c = p_c - [y = c]
        const gk = k * (d + 1);
        for (let j = 0, xi = i * d; j < d; j++) grad[gk + j] += r * x[xi + j];
        grad[gk + d] += r;
      }
    }
    let penalty = 0;
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < d; j++) {
        const idx = k * (d + 1) + j;
        grad[idx] = grad[idx] / n + l2 * w[idx];
        penalty += w[idx] * w[idx];
      }
      grad[k * (d + 1) + d] /= n;
    }
    return loss / n + 0.5 * l2 * penalty;
  };
}

/** Lower-triangular L with L L^T = a, for a (m, m) symmetric positive definite, row-major. */
export function cholesky(a: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${i} = ${s})`);
        l[i * m + i] = Math.sqrt(s);
      } else {
        l[i * m + j] = s / l[j * m + j];
      }
    }
  }
  return l;
}

/** Solves L L^T x = b in place on b[offset .. offset + m). */
function choleskySolveInPlace(l: Float64Array, m: number, b: Float64Array, offset: number): void {
  for (let i = 0; i < m; i++) {
    let s = b[offset + i];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * b[offset + k];
    b[offset + i] = s / l[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[offset + i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * b[offset + k];
    b[offset + i] = s / l[i * m + i];
  }
}

/** Xa^T Xa / n for Xa = [x, 1] ((d + 1, d + 1), row-major): the Gram matrix the preconditioner is built on. */
export function augmentedGram(data: Dataset): Float64Array {
  const { x, n, d } = data;
  const m = d + 1;
  const g = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    for (let a = 0; a < d; a++) {
      const va = x[xi + a];
      for (let b = 0; b <= a; b++) g[a * m + b] += va * x[xi + b];
      g[d * m + a] += va;
    }
  }
  g[d * m + d] = n;
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) g[b * m + a] = g[a * m + b] /= n;
  return g;
}

/** M = (c Gram + l2 diag(1..1, 0))^-1 applied to each weight row; c = 1/4 (p(1 - p) at p = 1/2). */
function hessianPreconditioner(gram: Float64Array, d: number, classes: number, l2: number): Preconditioner {
  const m = d + 1;
  const h = gram.map((v) => 0.25 * v);
  for (let j = 0; j < m; j++) h[j * m + j] += (j < d ? l2 : 0) + 1e-12 * (1 + h[j * m + j]); // jitter: PD even at l2 = 0
  const l = cholesky(h, m);
  const rows = weightRows(classes);
  return (v) => {
    const out = Float64Array.from(v);
    for (let k = 0; k < rows; k++) choleskySolveInPlace(l, m, out, k * m);
    return out;
  };
}

/** Minimizes the objective at l2 from the start `w0`; `gram` is augmentedGram(data), shared across l2. */
export function fitLogistic(data: Dataset, gram: Float64Array, classes: number, l2: number, w0: Float64Array, maxIterations: number): Float64Array {
  const preconditioner = hessianPreconditioner(gram, data.d, classes, l2);
  return minimizeLbfgs(logisticObjective(data, classes, l2), w0, { maxIterations, preconditioner }).x;
}

/** Correct predictions (argmax of the logits, ties to the lower class). */
export function correctCount(w: Float64Array, data: Dataset, classes: number): number {
  const z = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < data.n; i++) {
    logits(w, data, i, classes, z);
    let best = 0;
    for (let c = 1; c < classes; c++) if (z[c] > z[best]) best = c;
    if (best === data.y[i]) correct++;
  }
  return correct;
}
