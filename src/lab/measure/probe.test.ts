import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/rng';
import { minimizeLbfgs } from './lbfgs';
import { logisticObjective, type Dataset } from './logistic';
import { fitProbe, stratifiedFolds, type ProbeInput } from './probe';

/** n examples of d features: class c (balanced, shuffled) centred at centres[c], plus N(0, noise^2) per feature. */
function mixture(n: number, d: number, centres: number[][], noise: number, rng: Rng): { X: Float64Array; Y: Int32Array } {
  const X = new Float64Array(n * d);
  const Y = Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i % centres.length)));
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = (centres[Y[i]][j] ?? 0) + noise * rng.normal();
  return { X, Y };
}

function probeInput(n: number, nTest: number, d: number, centres: number[][], noise: number, seed: number): ProbeInput {
  const rng = new Rng(seed);
  const train = mixture(n, d, centres, noise, rng);
  const test = mixture(nTest, d, centres, noise, rng);
  return { trainX: train.X, trainY: train.Y, testX: test.X, testY: test.Y, classes: centres.length, seed };
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('L-BFGS', () => {
  /** f = sum_i scales_i (x_i - 1)^2 / 2: minimum at x = 1, Hessian diag(scales). */
  const quadratic = (scales: Float64Array) => (x: Float64Array, g: Float64Array) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      g[i] = scales[i] * (x[i] - 1);
      f += 0.5 * scales[i] * (x[i] - 1) ** 2;
    }
    return f;
  };

  it('minimizes a quadratic (condition number 1e3) and the Rosenbrock function', () => {
    const scales = Float64Array.from({ length: 20 }, (_, i) => 10 ** ((3 * i) / 19));
    const quad = minimizeLbfgs(quadratic(scales), new Float64Array(20), { gradTol: 1e-8, relTol: 0 });
    expect(quad.converged).toBe(true);
    for (const v of quad.x) expect(Math.abs(v - 1)).toBeLessThanOrEqual(1e-8); // |g_i| = scale_i |x_i - 1| <= 1e-8, scale_i >= 1
    const rosen = minimizeLbfgs((x, g) => {
      g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
      g[1] = 200 * (x[1] - x[0] ** 2);
      return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
    }, Float64Array.from([-1.2, 1]), { gradTol: 1e-9 });
    expect(rosen.x[0]).toBeCloseTo(1, 6);
    expect(rosen.x[1]).toBeCloseTo(1, 6);
  });

  it('with the inverse Hessian as preconditioner, solves a condition-1e6 quadratic in a few steps', () => {
    // Unpreconditioned, this takes thousands of iterations (as scipy's L-BFGS-B does).
    const scales = Float64Array.from({ length: 20 }, (_, i) => 10 ** ((6 * i) / 19));
    const preconditioner = (v: Float64Array) => v.map((x, i) => x / scales[i]);
    const r = minimizeLbfgs(quadratic(scales), new Float64Array(20), { gradTol: 1e-8, preconditioner });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThanOrEqual(3);
    for (const v of r.x) expect(v).toBeCloseTo(1, 10);
  });
});

describe('logistic objective', () => {
  it('has the gradient of its value (central differences), binary and multinomial', () => {
    const rng = new Rng(3);
    for (const classes of [2, 3]) {
      const n = 7;
      const d = 4;
      const data: Dataset = { x: Float64Array.from({ length: n * d }, () => rng.normal()), y: Int32Array.from({ length: n }, (_, i) => i % classes), n, d };
      const f = logisticObjective(data, classes, 0.3);
      const w = Float64Array.from({ length: (classes === 2 ? 1 : classes) * (d + 1) }, () => rng.normal());
      const grad = new Float64Array(w.length);
      f(w, grad);
      const scratch = new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const h = 1e-6;
        const plus = Float64Array.from(w);
        const minus = Float64Array.from(w);
        plus[i] += h;
        minus[i] -= h;
        expect(grad[i], `classes ${classes} param ${i}`).toBeCloseTo((f(plus, scratch) - f(minus, scratch)) / (2 * h), 7);
      }
    }
  });
});

describe('stratifiedFolds', () => {
  it('spread each class evenly over the folds (counts differ by at most 1), seeded', () => {
    const y = Int32Array.from({ length: 103 }, (_, i) => (i % 7 === 0 ? 1 : 0)); // 15 of class 1, 88 of class 0
    const folds = stratifiedFolds(y, 2, 5, 9);
    for (const c of [0, 1]) {
      const counts = [0, 0, 0, 0, 0];
      y.forEach((label, i) => label === c && counts[folds[i]]++);
      expect(Math.max(...counts) - Math.min(...counts), `class ${c}: ${counts}`).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(y, 2, 5, 9)).toEqual(folds);
    expect(stratifiedFolds(y, 2, 5, 10)).not.toEqual(folds);
    // Groups of one example each deal exactly as no groups.
    expect(stratifiedFolds(y, 2, 5, 9, Int32Array.from(y, (_, i) => 1000 + i))).toEqual(folds);
  });

  it('keeps each group (chunks of one file) in one fold, groups of each class spread over the folds', () => {
    // 3 classes x 7 files, 2-9 chunks per file.
    const y: number[] = [];
    const groups: number[] = [];
    for (let file = 0; file < 21; file++) {
      for (let k = 0; k < 2 + (file % 8); k++) {
        y.push(file % 3);
        groups.push(file);
      }
    }
    const folds = stratifiedFolds(y, 3, 5, 4, groups);
    const foldOf = new Map<number, Set<number>>();
    groups.forEach((g, i) => foldOf.set(g, (foldOf.get(g) ?? new Set()).add(folds[i])));
    for (const [g, seen] of foldOf) expect(seen.size, `file ${g} in folds ${[...seen]}`).toBe(1);
    for (let c = 0; c < 3; c++) {
      const perFold = [0, 0, 0, 0, 0];
      for (const [g, seen] of foldOf) if (g % 3 === c) perFold[[...seen][0]]++;
      expect(Math.max(...perFold) - Math.min(...perFold), `class ${c} files per fold: ${perFold}`).toBeLessThanOrEqual(1);
    }
    expect(() => stratifiedFolds([0, 1, 0], 2, 2, 1, [7, 7, 8])).toThrow(/more than one class/);
    expect(() => stratifiedFolds([0, 1, 0, 1], 2, 5, 1, [1, 2, 1, 2])).toThrow(/2 groups for 5 folds/);
  });
});

describe('fitProbe', () => {
  it('fits separable data perfectly (2 and 4 classes), choosing the strongest of the tied L2s', () => {
    const binary = fitProbe(probeInput(200, 100, 16, [[-3], [3]], 0.5, 1));
    expect(binary.accuracy).toBe(1);
    expect(binary.cvAccuracy).toBe(1);
    expect(binary.chosenL2).toBe(1); // every grid point is perfect: ties go to the strongest
    const four = fitProbe(probeInput(400, 200, 12, [[6], [0, 6], [0, 0, 6], [0, 0, 0, 6]], 0.5, 2));
    expect(four.accuracy).toBe(1);
    expect(four.trainAccuracy).toBe(1);
    expect(four.majorityAccuracy).toBeCloseTo(0.25, 1);
  });

  it('is invariant to feature offsets and scales and survives a constant feature (train-fit standardization)', () => {
    const input = probeInput(200, 100, 8, [[-0.8], [0.8]], 1, 3);
    const shifted = (X: Float64Array) => X.map((v, k) => (k % 8 === 7 ? 42 : 1e4 + 1e3 * (1 + (k % 8)) * v));
    const plain = fitProbe(input);
    const moved = fitProbe({ ...input, trainX: shifted(input.trainX as Float64Array), testX: shifted(input.testX as Float64Array) });
    expect(moved.accuracy).toBeGreaterThan(0.7);
    expect(Math.abs(moved.accuracy - plain.accuracy)).toBeLessThanOrEqual(0.02);
  });

  it('reaches the Bayes accuracy Phi(mu) of a Gaussian mixture with means -+mu', () => {
    // Means -+0.5 on feature 0, unit noise, 15 pure-noise features: Bayes rate Phi(0.5) = 0.6915. With 2000
    // test examples the accuracy's sd is sqrt(0.69 * 0.31 / 2000) = 0.0103; 0.04 allows ~4 sd.
    const r = fitProbe(probeInput(2000, 2000, 16, [[-0.5], [0.5]], 1, 4));
    expect(Math.abs(r.accuracy - normalCdf(0.5))).toBeLessThan(0.04);
  });

  it('gives chance accuracy on random labels (within 4 binomial sd)', () => {
    // Labels independent of features: each test prediction is right with probability 1/K whatever was fit,
    // so accuracy ~ Binomial(nTest, 1/K) / nTest, sd = sqrt(p (1 - p) / nTest).
    const nTest = 1000;
    for (const classes of [2, 4]) {
      const centres = Array.from({ length: classes }, () => [0]);
      const r = fitProbe(probeInput(600, nTest, 32, centres, 1, 5));
      const p = 1 / classes;
      expect(Math.abs(r.accuracy - p), `K=${classes}: ${r.accuracy}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / nTest));
      expect(r.cvAccuracy, `K=${classes} cv`).toBeLessThan(p + 0.1);
    }
  });

  it('is deterministic for a seed and reports the CV curve over the grid, l2 ascending', () => {
    const input = probeInput(300, 100, 16, [[-0.4], [0.4]], 1, 6);
    const a = fitProbe(input);
    expect(fitProbe(input)).toEqual(a);
    expect(a.cvCurve.map((c) => c.l2)).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    expect(a.cvCurve.find((c) => c.l2 === a.chosenL2)!.accuracy).toBe(a.cvAccuracy);
    expect(Math.max(...a.cvCurve.map((c) => c.accuracy))).toBe(a.cvAccuracy);
    const custom = fitProbe({ ...input, l2Grid: [0.5, 0.05], folds: 3 });
    expect([0.5, 0.05]).toContain(custom.chosenL2);
  });

  it('fails loudly on inconsistent shapes and labels', () => {
    const input = probeInput(20, 10, 4, [[-1], [1]], 1, 7);
    expect(() => fitProbe({ ...input, trainX: input.trainX.subarray(1) })).toThrow(/trainX/);
    expect(() => fitProbe({ ...input, testX: input.testX.subarray(4) })).toThrow(/testX/);
    expect(() => fitProbe({ ...input, trainY: Int32Array.from(input.trainY, (y) => y * 2) })).toThrow(/label 2/);
    expect(() => fitProbe({ ...input, classes: 1 })).toThrow(/classes/);
    expect(() => fitProbe({ ...input, folds: 1 })).toThrow(/folds/);
  });
});
