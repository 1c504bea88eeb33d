// Small dense linear algebra in float64 for the spectra measurements: singular values by one-sided Jacobi
// (Hestenes), the R factor of a Householder QR, and the singular values of a low-rank product A B^T through
// its k x k core. Sizes here are at most a few hundred; clarity and accuracy come before speed.

/** A row-major dense matrix: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (data && data.length !== rows * cols) throw new Error(`matrix: ${data.length} values for a (${rows}, ${cols}) matrix`);
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

export function transpose(a: Matrix): Matrix {
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** a (m, k) times b (k, n). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: (${a.rows}, ${a.cols}) x (${b.rows}, ${b.cols})`);
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const aip = a.data[i * a.cols + p];
      if (aip === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j] += aip * b.data[p * b.cols + j];
    }
  }
  return out;
}

export interface JacobiOptions {
  /** Sweeps before giving up loudly (default 60; 6-12 is typical at 128 x 128). */
  maxSweeps?: number;
}

/** Dot product of columns p and q of a column-major (m, n) array. */
function columnDot(w: Float64Array, m: number, p: number, q: number): number {
  let s = 0;
  for (let i = 0, a = p * m, b = q * m; i < m; i++) s += w[a + i] * w[b + i];
  return s;
}

/**
 * Rotates columns p and q so that they become orthogonal (the Jacobi rotation that diagonalizes the 2 x 2
 * Gram block [[alpha, gamma], [gamma, beta]]). Returns false when they already are, to working precision.
 */
function orthogonalizePair(w: Float64Array, m: number, p: number, q: number, tol: number): boolean {
  const alpha = columnDot(w, m, p, p);
  const beta = columnDot(w, m, q, q);
  const gamma = columnDot(w, m, p, q);
  if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) return false;
  const zeta = (beta - alpha) / (2 * gamma);
  const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = c * t;
  for (let i = 0, a = p * m, b = q * m; i < m; i++) {
    const x = w[a + i];
    const y = w[b + i];
    w[a + i] = c * x - s * y;
    w[b + i] = s * x + c * y;
  }
  return true;
}

/**
 * Singular values of `a`, descending, min(rows, cols) of them. One-sided Jacobi: rotate pairs of columns
 * until all are mutually orthogonal; the column norms are then the singular values. Works on A^T when A is
 * wide. Accurate for small singular values too (no A^T A is formed), so rank-deficient inputs give zeros to
 * about 1e-15 relative to the largest.
 */
export function singularValues(a: Matrix, options: JacobiOptions = {}): Float64Array {
  const maxSweeps = options.maxSweeps ?? 60;
  // Column-major work array of the tall orientation: (m, n) with m >= n.
  const tall = a.rows >= a.cols;
  const m = tall ? a.rows : a.cols;
  const n = tall ? a.cols : a.rows;
  // Row-major A is column-major A^T: the wide case copies as is.
  const w = tall ? transpose(a).data : a.data.slice();
  const tol = Number.EPSILON * Math.max(m, 1);
  let converged = false;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) if (orthogonalizePair(w, m, p, q, tol)) converged = false;
    }
  }
  if (!converged) throw new Error(`singularValues: one-sided Jacobi did not converge in ${maxSweeps} sweeps (${a.rows} x ${a.cols})`);
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) s[j] = Math.sqrt(columnDot(w, m, j, j));
  return s.sort().reverse();
}

/**
 * The (k, k) upper-triangular R of a thin Householder QR of a (m, k), m >= k: a = Q R with Q (m, k) having
 * orthonormal columns. A zero column leaves a zero on R's diagonal (rank deficiency is fine). R's signs are
 * not normalized: callers use it only through singular values.
 */
export function householderR(a: Matrix): Matrix {
  const { rows: m, cols: k } = a;
  if (m < k) throw new Error(`householderR: needs rows >= cols, got (${m}, ${k})`);
  const w = transpose(a).data; // column-major (m, k): column j at j * m
  const v = new Float64Array(m);
  for (let j = 0; j < k; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += w[j * m + i] ** 2;
    if (norm2 === 0) continue;
    const x0 = w[j * m + j];
    const alpha = (x0 >= 0 ? -1 : 1) * Math.sqrt(norm2); // opposite sign to x0: no cancellation in v0
    for (let i = j; i < m; i++) v[i] = w[j * m + i];
    v[j] -= alpha;
    const vnorm2 = norm2 - x0 * x0 + v[j] * v[j];
    // Apply H = I - 2 v v^T / (v^T v) to columns j..k-1, rows j..m-1.
    for (let c = j; c < k; c++) {
      let d = 0;
      for (let i = j; i < m; i++) d += v[i] * w[c * m + i];
      const f = (2 * d) / vnorm2;
      for (let i = j; i < m; i++) w[c * m + i] -= f * v[i];
    }
  }
  const r = matrix(k, k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r.data[i * k + j] = w[j * m + i];
  return r;
}

/**
 * Singular values of the (m, m) product a b^T for a, b both (m, k), descending. When m > k the product has
 * rank <= k: with a = Qa Ra and b = Qb Rb (thin QR), a b^T = Qa (Ra Rb^T) Qb^T, so its nonzero singular
 * values are those of the (k, k) core Ra Rb^T and the other m - k are exactly zero. Returns the k values of
 * the core then (min(m, k) values in all cases).
 */
export function productSingularValues(a: Matrix, b: Matrix): Float64Array {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`productSingularValues: a (${a.rows}, ${a.cols}) and b (${b.rows}, ${b.cols}) must match`);
  }
  if (a.rows <= a.cols) return singularValues(matmul(a, transpose(b)));
  return singularValues(matmul(householderR(a), transpose(householderR(b))));
}
