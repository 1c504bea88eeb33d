import { describe, expect, it } from 'vitest';
import { lossCurves, weightNormCurves, type CurveView } from './data';
import { fixtureResults, fixtureRun } from './data.fixture';
import { curveSummary } from './summary';

const line = (lambda: number, seed: number, ys: (number | null)[], x0 = 0) => ({ id: `${lambda}-${seed}`, lambda, seed, name: '', color: '', data: ys.map((y, k) => ({ x: x0 + 10 * k, y })) });
const view = (lines: CurveView['lines']): CurveView => ({ key: 'pretrain', label: 'Pretraining loss', yLabel: 'loss', lines, points: 0 });

describe('curve summaries (the charts’ accessible descriptions)', () => {
  it('gives each lambda its first and last value, the mean over its seeds, in lambda order', () => {
    const v = view([line(0.1, 0, [4, 3, 2]), line(0, 0, [5, 3, 1.5]), line(0.1, 1, [4.2, 3, 2.2]), line(0, 1, [5, 2, 2.5])]);
    expect(curveSummary(v)).toBe("4 runs over step 0–20. First → last, mean over each λ's 2 runs: λ 0 5 → 2; λ 0.1 4.1 → 2.1.");
  });

  it('skips gaps (diverged or missing points) and runs with nothing plotted; one run reads plainly', () => {
    const v = view([line(1, 0, [null, 3, 2, null], 1000), line(3, 0, [null, null])]);
    expect(curveSummary(v, 'step')).toBe('1 run over step 1,010–1,020. First → last: λ 1 3 → 2.');
    expect(curveSummary(view([]))).toBe('No points plotted.');
  });

  it('says when lambdas have different numbers of runs', () => {
    expect(curveSummary(view([line(0, 0, [2, 1]), line(0, 1, [2, 1]), line(0.3, 0, [2, 1.2])]))).toContain("First → last, mean over each λ's runs: λ 0 2 → 1; λ 0.3 2 → 1.2.");
  });

  it('summarises the sweep’s loss and weight-norm curves from the points drawn, short enough to listen to', () => {
    const results = fixtureResults();
    const [pre] = lossCurves(results.runs, 50);
    const text = curveSummary(pre);
    expect(text).toMatch(/^15 runs over step 0–3,980\. First → last, mean over each λ's 3 runs: λ 0 [\d.]+ → [\d.]+; λ 0\.1 /);
    expect(text.split('; ')).toHaveLength(5);
    expect(text.length).toBeLessThan(200);
    const [norms] = weightNormCurves(results.runs);
    // Larger lambda holds the norms down: the last value falls with lambda.
    const last = [...curveSummary(norms).matchAll(/→ (\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
    expect(last).toHaveLength(5);
    for (let i = 1; i < last.length; i++) expect(last[i]).toBeLessThan(last[i - 1]);
    expect(curveSummary(lossCurves([fixtureRun(0.3, 2, results.sweep)])[0])).toMatch(/^1 run over step 0–3,980\. First → last: λ 0\.3 /);
  });
});
