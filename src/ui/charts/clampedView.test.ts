// The plasticity views as shown (page and report) have each 95% band cut to what its quantity can be (clampedView), while the view from
// data.ts keeps the whole interval.
import { describe, expect, it } from 'vitest';
import { chartLambdas, lambdaAxis, plasticityData, type PlasticityView } from './data';
import { fixtureResults } from './data.fixture';
import { clampedView } from './verdict';
import { optimumVerdict } from './verdict';

const results = fixtureResults();
const tasks = plasticityData(results.runs, lambdaAxis(chartLambdas(results)));

/** A view with the intervals three seeds gave on the H200 sweep: wider than the quantity allows. */
function wide(view: PlasticityView): PlasticityView {
  const [lo, hi] = view.unit === '%' ? [-40, 130] : [-0.759, 2.09];
  return {
    ...view,
    rows: view.rows.map((r) => ({ ...r, ftBand: [lo, hi], gainBand: [-150, 120], baseBand: [-0.2, 2.4], vsReference: { mean: 27.3, band: [-187.5, 142], n: 3 } })),
    optimum: { ft: { best: [0.1], vsBase: [{ lambda: 0.1, diff: { mean: 27.3, band: [-87.5, 142], n: 3 } }] }, gain: { best: [0.1], vsBase: [{ lambda: 0.1, diff: { mean: 27.3, band: [-187.5, 242], n: 3 } }] } },
    control: { mean: 0.4, band: [-0.3, 1.1], n: 3 },
  };
}

describe('plasticity chart: bands cut to what the quantity can be', () => {
  it('answer NLL (nats/char) and base bits/char stop at 0; differences of NLL are left whole', () => {
    const view = wide(tasks[0].nll!);
    const shown = clampedView(view);
    expect(shown.rows.every((r) => r.ftBand![0] === 0 && r.ftBand![1] === 2.09)).toBe(true);
    expect(shown.rows.every((r) => r.baseBand![0] === 0 && r.baseBand![1] === 2.4)).toBe(true);
    expect(shown.control!.band).toEqual([0, 1.1]);
    expect(shown.rows[0].vsReference!.band).toEqual([-187.5, 142]);
    expect(view.rows[0].ftBand).toEqual([-0.759, 2.09]); // the data view is not changed
  });

  it('percentages stay in [0, 100], gains and paired differences in [-100, 100], a difference of gains in [-200, 200]', () => {
    const shown = clampedView(wide(tasks[1].score!));
    expect(shown.rows[0].ftBand).toEqual([0, 100]);
    expect(shown.rows[0].gainBand).toEqual([-100, 100]);
    expect(shown.rows[0].vsReference).toEqual({ mean: 27.3, band: [-100, 100], n: 3 });
    expect(shown.control!.band).toEqual([0, 1.1]);
    expect(optimumVerdict(shown, 'ft')[1]).toBe('vs the base optimum, paired by seed (+ = better): +27.3 pts (95% CI −87.5 – +100)');
    expect(optimumVerdict(shown, 'gain')[1]).toBe('vs the base optimum, paired by seed (+ = better): +27.3 pts (95% CI −188 – +200)');
  });

  it('a gain in bits/char can be negative: its band is left whole', () => {
    const shown = clampedView(wide(tasks[3].score!));
    expect(shown.unit).toBe('bpc');
    expect(shown.rows[0].gainBand).toEqual([-150, 120]);
    expect(shown.rows[0].ftBand).toEqual([0, 2.09]);
  });
});
