import { describe, expect, it } from 'vitest';
import { compareArrays } from '../../kernels/check';
import { Rng } from '../../util/rng';
import { householderR, matmul, matrix, productSingularValues, singularValues, transpose, type Matrix } from './svd';

function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  expect(actual.length, `${name}: length`).toBe(expected.length);
  const c = compareArrays(name, actual, expected, { atol, rtol });
  expect(c.ok, c.report).toBe(true);
}

function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => rng.normal()));
}

/** A random (n, k) matrix with orthonormal columns: modified Gram-Schmidt (twice) on Gaussian columns. */
function randomOrthonormal(n: number, k: number, rng: Rng): Matrix {
  const q = transpose(randomMatrix(n, k, rng)); // rows of q are the columns
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q.data[p * n + i] * q.data[j * n + i];
        for (let i = 0; i < n; i++) q.data[j * n + i] -= d * q.data[p * n + i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q.data[j * n + i] ** 2;
    for (let i = 0; i < n; i++) q.data[j * n + i] /= Math.sqrt(norm);
  }
  return transpose(q);
}

/** U diag(s) V^T with random orthonormal U (rows, k) and V (cols, k), k = s.length: its spectrum is s. */
function withSpectrum(rows: number, cols: number, s: number[], rng: Rng): Matrix {
  const u = randomOrthonormal(rows, s.length, rng);
  const v = randomOrthonormal(cols, s.length, rng);
  for (let i = 0; i < rows; i++) for (let j = 0; j < s.length; j++) u.data[i * s.length + j] *= s[j];
  return matmul(u, transpose(v));
}

const descending = (xs: number[]) => [...xs].sort((a, b) => b - a);
const padded = (s: number[], n: number) => [...descending(s), ...new Array<number>(Math.max(0, n - s.length)).fill(0)];

describe('singularValues (one-sided Jacobi)', () => {
  it('of a diagonal matrix are the absolute diagonal entries, sorted', () => {
    const a = matrix(4, 4, [3, 0, 0, 0, 0, -7, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0]);
    expectClose('diag', singularValues(a), [7, 3, 0.5, 0], 1e-15);
  });

  it('of a 1 x 1 and of a zero matrix', () => {
    expectClose('1x1', singularValues(matrix(1, 1, [-2.5])), [2.5], 0);
    expectClose('zeros', singularValues(matrix(3, 5)), [0, 0, 0], 0);
  });

  it('recover s from U diag(s) V^T: square, tall, wide, 128 x 128', () => {
    const rng = new Rng(11);
    const cases: Array<[number, number, number[]]> = [
      [6, 6, [10, 5, 2, 1, 0.5, 1e-3]],
      [9, 5, [4, 3, 2, 1, 1e-6]], // tall
      [5, 9, [4, 3, 2, 1, 1e-6]], // wide: works on A^T
      [128, 128, Array.from({ length: 128 }, (_, i) => Math.exp(-i / 16))], // smallest ~3.5e-4
    ];
    for (const [rows, cols, s] of cases) {
      const got = singularValues(withSpectrum(rows, cols, s, rng));
      // Relative accuracy near machine precision times the largest value.
      expectClose(`${rows}x${cols}`, got, descending(s), 1e-12 * s[0]);
    }
  });

  it('give exact-rank zeros for rank-deficient matrices', () => {
    const rng = new Rng(12);
    const s = [3, 2, 1];
    const got = singularValues(withSpectrum(10, 8, s, rng)); // rank 3 of 8
    expectClose('rank 3 of (10, 8)', got, padded(s, 8), 1e-13);
    const rank1 = matrix(3, 4, [1, 2, 3, 4, 2, 4, 6, 8, -1, -2, -3, -4]); // rows multiples of (1, 2, 3, 4)
    // ||(1, 2, -1)|| * ||(1, 2, 3, 4)|| = sqrt(6) * sqrt(30) = sqrt(180)
    expectClose('rank 1', singularValues(rank1), [Math.sqrt(180), 0, 0], 1e-13);
  });

  it('agree with the eigenvalues of A^T A on a random matrix (sum of squares = Frobenius^2)', () => {
    const a = randomMatrix(7, 4, new Rng(13));
    const s = singularValues(a);
    const frob2 = a.data.reduce((acc, v) => acc + v * v, 0);
    expect(s.reduce((acc, v) => acc + v * v, 0)).toBeCloseTo(frob2, 12);
  });
});

describe('householderR', () => {
  it('gives R with R^T R = A^T A and zeros below the diagonal, also for a zero column', () => {
    const a = randomMatrix(8, 4, new Rng(14));
    for (let i = 0; i < 8; i++) a.data[i * 4 + 2] = 0; // rank deficient: column 2 is zero
    const r = householderR(a);
    for (let i = 1; i < 4; i++) for (let j = 0; j < i; j++) expect(r.data[i * 4 + j]).toBe(0);
    expectClose('R^T R vs A^T A', matmul(transpose(r), r).data, matmul(transpose(a), a).data, 1e-12, 1e-12);
  });
});

describe('productSingularValues', () => {
  it('equal the top k singular values of the explicit (m, m) product a b^T', () => {
    const rng = new Rng(15);
    const a = randomMatrix(16, 4, rng);
    const b = randomMatrix(16, 4, rng);
    const full = singularValues(matmul(a, transpose(b)));
    const core = productSingularValues(a, b);
    expect(core.length).toBe(4);
    expectClose('core vs full (top 4)', core, full.subarray(0, 4), 1e-12, 1e-12);
    expectClose('full tail is zero', full.subarray(4), new Array(12).fill(0), 1e-12 * full[0]);
  });

  it('recover a known spectrum: a = U diag(s), b = V', () => {
    const rng = new Rng(16);
    const s = [5, 1, 0.01, 0];
    const u = withSpectrum(32, 4, s, rng); // (32, 4), spectrum s: u = U' diag(s) V'^T
    const v = randomOrthonormal(32, 4, rng); // u v^T has the spectrum of u
    expectClose('known', productSingularValues(u, v), s, 1e-13);
  });

  it('fall back to the direct product when m <= k', () => {
    const rng = new Rng(17);
    const a = randomMatrix(3, 5, rng);
    const b = randomMatrix(3, 5, rng);
    expectClose('m <= k', productSingularValues(a, b), singularValues(matmul(a, transpose(b))), 0);
  });
});
