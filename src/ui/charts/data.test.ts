import { describe, expect, it } from 'vitest';
import { parseResults, type RunResult } from '../../lab/results';
import { lambdaColor, lambdaFromPosition, lambdaPosition } from './colors';
import { bestLambdas, chartLambdas, controlStat, lambdaAxis, lossCurves, plasticityData, plasticityView, stat, weightNormCurves, type PlasticityView } from './data';
import { optimumVerdict } from './verdict';
import { fixtureResults, fixtureRun } from './data.fixture';
import { probeData, rankData, scalarData } from './mechanismData';
import { runRows } from './runRows';

const results = fixtureResults();
const axis = lambdaAxis(chartLambdas(results));

describe('chart data: shared pieces', () => {
  it('the fixture is valid results', () => {
    expect(() => parseResults(JSON.parse(JSON.stringify(results)))).not.toThrow();
  });

  it('summarizes across seeds with a 95% t band, and none for one seed or no finite value', () => {
    const s = stat([1, 2, 3, null, NaN])!;
    expect(s.mean).toBe(2);
    expect(s.n).toBe(3);
    // t(0.975, 2) = 4.303, std 1: half-width 4.303 / sqrt(3) = 2.484
    expect(s.band![1] - 2).toBeCloseTo(2.484, 3);
    expect(stat([5])).toEqual({ mean: 5, band: null, n: 1 });
    expect(stat([null, NaN, Infinity])).toBeNull();
  });

  it('lambda axes are ordinal over the shared grid, labelled as people write lambda', () => {
    const a = lambdaAxis([1, 0, 0.1, 1e-4, 0.1]);
    expect(a.lambdas).toEqual([0, 1e-4, 0.1, 1]);
    expect(a.x(0.1)).toBe(2);
    expect(a.ticks.map(a.label)).toEqual(['0', '1e-4', '0.1', '1']);
    expect(chartLambdas({ sweep: { ...results.sweep, lambdas: [0.3, 10] }, runs: results.runs })).toEqual([0, 0.1, 0.3, 1, 3, 10]);
  });

  it('one colour per lambda everywhere: defined at 0, monotone position, distinct across the lab grid', () => {
    expect(lambdaPosition(0)).toBe(0);
    expect(lambdaPosition(10)).toBeCloseTo(1, 12);
    expect(lambdaFromPosition(lambdaPosition(0.3))).toBeCloseTo(0.3, 12);
    const grid = [0, 1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 1, 3, 10];
    for (let i = 1; i < grid.length; i++) expect(lambdaPosition(grid[i])).toBeGreaterThan(lambdaPosition(grid[i - 1]));
    const colors = [0, 0.1, 0.3, 1, 3].map(lambdaColor);
    expect(new Set(colors).size).toBe(5);
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(lambdaColor(100)).toBe(lambdaColor(10));
  });

  it('finds the best lambda in either direction, skipping missing means', () => {
    const rows = [{ lambda: 0, mean: 2 }, { lambda: 0.3, mean: 1 }, { lambda: 1, mean: null }, { lambda: 3, mean: 3 }];
    expect(bestLambdas(rows, 'lower')).toEqual([0.3]);
    expect(bestLambdas(rows, 'higher')).toEqual([3]);
    expect(bestLambdas([], 'higher')).toEqual([]);
  });

  it('reports ties: every lambda at the best mean (100% and 100%, up to float rounding), not the smallest', () => {
    const rows = [{ lambda: 0.1, mean: 100 }, { lambda: 0, mean: (0.7 + 0.1 + 0.2) * 100 }, { lambda: 0.3, mean: 33.9 }];
    expect(bestLambdas(rows, 'higher')).toEqual([0, 0.1]);
    expect(bestLambdas([{ lambda: 0, mean: 2.675 }, { lambda: 0.1, mean: 2.656 }, { lambda: 0.3, mean: 2.657 }], 'lower')).toEqual([0.1]);
  });
});

describe('chart data: curves', () => {
  it('gives one line per run for pretraining, validation and each fine-tuned task, coloured by lambda', () => {
    const views = lossCurves(results.runs, 50);
    expect(views.map((v) => v.key)).toEqual(['pretrain', 'val', 'ft:ADD-R', 'ft:KV', 'ft:SENT', 'ft:DOMAIN']);
    const pre = views[0];
    expect(pre.lines).toHaveLength(15);
    expect(pre.lines[0]).toMatchObject({ lambda: 0, seed: 0, color: lambdaColor(0) });
    expect(pre.lines.every((l) => l.data.length === 50)).toBe(true); // downsampled from 200
    expect(pre.points).toBe(15 * 50);
    expect(views[1].lines[0].data).toHaveLength(17); // short curves are kept whole
  });

  it('draws non-finite losses as gaps (null) and does not count them as points', () => {
    const run = fixtureRun(0.1, 0, results.sweep);
    run.pretrain!.loss = { x: [0, 1, 2], y: [4, NaN, null] };
    const [pre] = lossCurves([run]);
    expect(pre.lines[0].data.map((p) => p.y)).toEqual([4, null, null]);
    expect(pre.points).toBe(1);
  });

  it('draws a run in flight from its live series until its final curve arrives', () => {
    const run = { ...fixtureRun(1, 2, results.sweep, { finetuned: false }), pretrain: null, base: null };
    const live = { [run.id]: { series: { 'pretrain.loss': { x: [0, 10, 20], y: [4.8, 4.1, 3.7] }, 'finetune.KV.loss': { x: [0], y: [2] } } } };
    const views = lossCurves([run], 300, live);
    expect(views.map((v) => v.key)).toEqual(['pretrain', 'ft:KV']);
    expect(views[0].lines[0].data.map((p) => p.y)).toEqual([4.8, 4.1, 3.7]);
    const done = fixtureRun(1, 2, results.sweep);
    expect(lossCurves([done], 300, live)[0].lines[0].data).toHaveLength(200); // the final curve wins
  });

  it('has no views without runs, and only pretraining views before fine-tuning', () => {
    expect(lossCurves([])).toEqual([]);
    const run = fixtureRun(0.3, 1, results.sweep, { finetuned: false });
    expect(lossCurves([run]).map((v) => v.key)).toEqual(['pretrain', 'val']);
  });

  it('weight norms: all parameters (root sum of squares), the embeddings, each layer and the head', () => {
    const views = weightNormCurves(results.runs, 20);
    expect(views.map((v) => [v.key, v.label])).toEqual([
      ['all', 'All parameters'], ['0', 'Embeddings'], ['1', 'Layer 0'], ['2', 'Layer 1'], ['3', 'Head (final norm, wlm)'],
    ]);
    const run = results.runs[0];
    const rows = run.pretrain!.weightNorms.layers;
    expect(views[0].lines[0].data[0].y).toBeCloseTo(Math.hypot(...rows.map((r) => r[0])), 12);
    expect(views[2].lines[0].data[0].y).toBe(rows[1][0]);
    expect(views[0].lines[0].data).toHaveLength(20);
  });
});

describe('chart data: plasticity', () => {
  const tasks = plasticityData(results.runs, axis);

  it('has a view per fine-tuned task, and an answer-NLL view only for exact-match tasks', () => {
    expect(tasks.map((t) => t.task)).toEqual(['ADD-R', 'KV', 'SENT', 'DOMAIN']);
    expect(tasks.map((t) => t.nll !== null)).toEqual([true, true, false, false]);
    expect(tasks[0].score).toMatchObject({ kind: 'exact', unit: '%', direction: 'higher', referenceLambda: 0.1 });
    expect(tasks[3].score).toMatchObject({ kind: 'bpc', unit: 'bpc', direction: 'lower' });
    expect(tasks[0].nll).toMatchObject({ unit: 'nats/char', direction: 'lower' });
  });

  it('summarizes the fine-tuned score across seeds per lambda, in percent, with a band', () => {
    const view = tasks[0].score!;
    expect(view.rows.map((r) => r.lambda)).toEqual([0, 0.1, 0.3, 1, 3]);
    expect(view.points).toBe(5);
    const at = (l: number) => results.runs.filter((r) => r.lambda === l).map((r) => 100 * r.finetunes[0].score.value!);
    const row = view.rows[2];
    expect(row.ft).toBeCloseTo(at(0.3).reduce((a, b) => a + b) / 3, 10);
    expect(row.ftBand![0]).toBeLessThan(row.ft!);
    expect(row.ftBand![1]).toBeGreaterThan(row.ft!);
    expect(row.n).toBe(3);
    expect(view.seeds).toHaveLength(15);
  });

  it('puts base validation bits/char on the same rows and shows the trade-off: best base lambda < best fine-tuned lambda', () => {
    const view = tasks[0].score!;
    const base0 = results.runs.filter((r) => r.lambda === 0).map((r) => r.base!.valBitsPerChar!);
    expect(view.rows[0].base).toBeCloseTo(base0.reduce((a, b) => a + b) / 3, 10);
    expect(view.bestBase).toEqual([0]);
    expect(view.optimum.ft.best).toEqual([0.3]);
    expect(tasks[3].score!.optimum.ft.best).toEqual([0.3]); // DOMAIN: lowest bits/char
  });

  it('the largest gain is its own optimum: the lambda with the highest mean gain, for every unit', () => {
    for (const view of tasks.map((t) => t.score).filter((v) => v !== null)) {
      const top = Math.max(...view.rows.filter((r) => r.gain !== null).map((r) => r.gain!));
      expect(view.rows.find((r) => r.lambda === view.optimum.gain!.best[0])?.gain).toBeCloseTo(top, 10);
    }
  });

  it('gain uses the zero-shot score, else the stored gain; positive is better for bits/char too', () => {
    const addr = tasks[0].score!;
    // fixture zero-shot ADD-R exact match is 0: gain equals the score
    expect(addr.rows[1].gain).toBeCloseTo(addr.rows[1].ft!, 10);
    const domain = tasks[3].score!;
    const run = results.runs[0];
    const f = run.finetunes.find((x) => x.task === 'DOMAIN')!;
    expect(domain.seeds[0].gain).toBeCloseTo(f.gain!, 10);
    expect(domain.rows.filter((r) => r.lambda <= 1).every((r) => r.gain! > 0)).toBe(true); // bits/char fell
  });

  it('compares each lambda with the reference paired by seed, + = better in every unit', () => {
    const view = tasks[0].score!;
    expect(view.rows.find((r) => r.lambda === 0.1)!.vsReference).toBeNull();
    type Ft = RunResult['finetunes'][number];
    const meanDiff = (task: number, lambda: number, pick: (f: Ft) => number) => {
      const at = (l: number, seed: number) => pick(results.runs.find((r) => r.lambda === l && r.seed === seed)!.finetunes[task]);
      return [0, 1, 2].reduce((acc, seed) => acc + at(lambda, seed) - at(0.1, seed), 0) / 3;
    };
    expect(view.rows[2].vsReference!.mean).toBeCloseTo(meanDiff(0, 0.3, (f) => 100 * f.score.value!), 10);
    // bits/char and NLL: lower is better, so the difference is reference minus lambda, and its band flips too
    const domain = tasks[3].score!.rows[4].vsReference!;
    expect(domain.mean).toBeCloseTo(-meanDiff(3, 3, (f) => f.score.value!), 10);
    expect(domain.mean).toBeLessThan(0); // lambda 3 ends worse than 0.1 on DOMAIN
    expect(domain.band![0]).toBeLessThan(domain.band![1]);
    expect(tasks[0].nll!.rows[2].vsReference!.mean).toBeCloseTo(-meanDiff(0, 0.3, (f) => f.score.answerNll!), 10);
  });

  it('leaves out diverged fine-tunes and counts them; keeps base-only lambdas as rows without a score', () => {
    const runs: RunResult[] = structuredClone(results.runs);
    runs[0].finetunes[0] = { ...runs[0].finetunes[0], status: 'diverged', score: { metric: 'exact', value: null } };
    runs.push(fixtureRun(10, 0, results.sweep, { finetuned: false }));
    const view = plasticityView(runs, lambdaAxis(chartLambdas({ sweep: results.sweep, runs })), 'ADD-R', 'score')!;
    expect(view.excluded).toBe(1);
    expect(view.rows[0].n).toBe(2);
    const last = view.rows[view.rows.length - 1];
    expect(last).toMatchObject({ lambda: 10, ft: null, n: 0 });
    expect(last.base).not.toBeNull();
    expect(view.points).toBe(5);
  });

  it('with one seed there are points but no bands; without fine-tunes there is no view', () => {
    const one = fixtureResults([0, 1], [7]);
    const view = plasticityData(one.runs, lambdaAxis([0, 1]))[0].score!;
    expect(view.rows.map((r) => r.ftBand)).toEqual([null, null]);
    expect(view.referenceLambda).toBe(0);
    expect(plasticityData([fixtureRun(0, 0, one.sweep, { finetuned: false })], lambdaAxis([0]))).toEqual([]);
  });
});

describe('chart data: optimum, ties and the random-init control', () => {
  const view = (best: number[], vsBase: PlasticityView['optimum']['ft']['vsBase'], bestBase = [0]) => ({ optimum: { ft: { best, vsBase }, gain: null }, bestBase, unit: '%' as const });

  it('names a tie and whether it includes the base optimum', () => {
    expect(optimumVerdict(view([0, 0.1], []))).toEqual(['Best λ after fine-tuning: λ 0 and 0.1 tie, including the base optimum (0)']);
    expect(optimumVerdict(view([0], []))).toEqual(['Best λ after fine-tuning: 0, same as the base optimum (0)']);
    expect(optimumVerdict(view([], []))).toEqual(['No fine-tuned score yet']);
    expect(optimumVerdict(view([0.1], []), 'gain')).toEqual(['No gain over base for this metric']);
  });

  it('reads the paired interval against the base optimum: contains 0, above or below it, or no interval with one seed', () => {
    const v = (band: [number, number] | null, n = 3) => optimumVerdict(view([0.1], [{ lambda: 0.1, diff: { mean: 27.3, band, n } }]));
    expect(v([-87.5, 142])).toEqual([
      'Best λ after fine-tuning: 0.1, larger than the base optimum (0)',
      'vs the base optimum, paired by seed (+ = better): +27.3 pts (95% CI −87.5 – +142)',
      'Not distinguishable from the base optimum (the interval contains 0)',
    ]);
    expect(v([2, 50]).slice(1)).toEqual(['vs the base optimum, paired by seed (+ = better): +27.3 pts (95% CI +2 – +50)', 'Better than the base optimum (the interval is above 0)']);
    expect(v([-50, -2])[2]).toBe('Worse than the base optimum (the interval is below 0)');
    expect(v(null, 1).slice(1)).toEqual(['vs the base optimum, paired by seed (+ = better): +27.3 pts', 'One seed: no interval available']);
    expect(optimumVerdict(view([0.1], [{ lambda: 0.1, diff: null }]))[1]).toBe('No seed in common with the base optimum');
    const tie = optimumVerdict(view([0.3, 1], [{ lambda: 0.3, diff: { mean: 1, band: [-1, 3], n: 3 } }, { lambda: 1, diff: { mean: 1, band: [0.5, 1.5], n: 3 } }]));
    expect(tie[0]).toBe('Best λ after fine-tuning: λ 0.3 and 1 tie, larger than the base optimum (0)');
    expect(tie.slice(1).filter((_, i) => i % 2 === 0)).toEqual(['λ 0.3 vs the base optimum, paired by seed (+ = better): +1 pts (95% CI −1 – +3)', 'λ 1 vs the base optimum, paired by seed (+ = better): +1 pts (95% CI +0.5 – +1.5)']);
  });

  it('computes the paired difference of the best lambda against the base optimum from the seeds (+ = better)', () => {
    const domain = plasticityData(results.runs, axis)[3].score!;
    const at = (l: number, seed: number) => results.runs.find((r) => r.lambda === l && r.seed === seed)!.finetunes[3].score.value!;
    const [{ lambda, diff }] = domain.optimum.ft.vsBase;
    expect(lambda).toBe(0.3);
    expect(diff!.mean).toBeCloseTo([0, 1, 2].reduce((a, seed) => a + at(0, seed) - at(0.3, seed), 0) / 3, 10);
    const one = fixtureResults([0, 1], [7]);
    const single = optimumVerdict(plasticityData(one.runs, lambdaAxis([0, 1]))[0].score!);
    expect(single[0]).toBe('Best λ after fine-tuning: 1, larger than the base optimum (0)');
    expect(single[2]).toBe('One seed: no interval available');
  });

  it('answer NLL has no gain over base (the zero-shot NLL measures calibration, not plasticity)', () => {
    const nll = plasticityData(results.runs, axis)[0].nll!;
    expect(nll.optimum.gain).toBeNull();
    expect(nll.rows.every((r) => r.gain === null) && nll.seeds.every((p) => p.gain === null)).toBe(true);
    expect(plasticityData(results.runs, axis)[0].score!.optimum.gain).not.toBeNull();
  });

  it('summarizes the random-init controls per task in the view’s units (one per seed, finished only); none without controls', () => {
    const ft = (task: 'ADD-R' | 'DOMAIN', seed: number) => fixtureRun(0, seed, results.sweep).finetunes.find((f) => f.task === task)!;
    const controls = [0, 1, 2].flatMap((seed) => [{ task: 'ADD-R' as const, seed, result: ft('ADD-R', seed) }, { task: 'DOMAIN' as const, seed, result: ft('DOMAIN', seed) }]);
    controls.push({ task: 'ADD-R', seed: 3, result: { ...ft('ADD-R', 3), status: 'diverged', score: { metric: 'exact', value: null } } });
    controls.push({ task: 'ADD-R', seed: 0, result: ft('ADD-R', 9) }); // a second control for seed 0: not counted
    const data = plasticityData(results.runs, axis, controls);
    const addr = data[0].score!.control!;
    expect(addr.n).toBe(3);
    expect(addr.mean).toBeCloseTo((100 * [0, 1, 2].reduce((a, seed) => a + ft('ADD-R', seed).score.value!, 0)) / 3, 10);
    expect(addr.band).not.toBeNull();
    expect(data[0].nll!.control!.mean).toBeCloseTo([0, 1, 2].reduce((a, seed) => a + ft('ADD-R', seed).score.answerNll!, 0) / 3, 10);
    expect(data[3].score!.control!.mean).toBeCloseTo([0, 1, 2].reduce((a, seed) => a + ft('DOMAIN', seed).score.value!, 0) / 3, 10);
    expect(data[1].score!.control).toBeNull(); // KV: no control
    expect(controlStat([{ task: 'SENT', seed: 0, result: { ...ft('ADD-R', 0), task: 'SENT', score: { metric: 'accuracy', value: 0.6 } } }], 'SENT', 'nll', 1)).toBeNull(); // no NLL recorded
    expect(plasticityData(results.runs, axis).every((t) => t.score!.control === null)).toBe(true);
  });

  it('counts a finished fine-tune whatever its run’s status, once per lambda and seed', () => {
    const runs: RunResult[] = structuredClone(results.runs);
    runs[0] = { ...runs[0], status: 'failed' };
    runs.push({ ...structuredClone(runs[1]), id: 'duplicate' });
    const v = plasticityView(runs, axis, 'ADD-R', 'score')!;
    expect(v.rows.map((r) => r.n)).toEqual([3, 3, 3, 3, 3]);
    expect(v.excluded).toBe(1); // the duplicate
  });
});

describe('chart data: mechanisms', () => {
  it('probe accuracy per layer by lambda (percent), with the untrained baseline and chance', () => {
    const views = probeData(results.runs);
    expect(views.map((v) => v.key)).toEqual(['sentiment/last', 'genre/last']);
    const s = views[0];
    expect(s.layers).toEqual([0, 1, 2]);
    expect(s.lines.map((l) => l.lambda)).toEqual([0, 0.1, 0.3, 1, 3]);
    expect(s.lines[0].data).toHaveLength(3);
    expect(s.baseline).toHaveLength(3);
    expect(s.baseline[0].y).toBeGreaterThan(50);
    expect(s.chance).toBe(50);
    expect(s.points).toBe(15);
  });

  it('QK pseudo-rank falls with lambda while VO stays near full rank, for each epsilon', () => {
    const views = rankData(results.runs, axis, 16);
    expect(views.map((v) => v.measure)).toEqual(['pseudoRank2', 'pseudoRank3', 'effectiveRank']);
    const rows = views[0].rows;
    expect(rows[0].mean).toBeGreaterThan(rows[3].mean);
    expect(rows[3].vo!).toBeGreaterThan(15);
    expect(views[0].fullRank).toBe(16);
    expect(views[0].seeds).toHaveLength(30);
    // A rank cannot pass the head size: a band that would is cut there (VO sits near full rank).
    const capped = rankData(results.runs, axis, 15)[0].rows;
    expect(rankData(results.runs, axis, 16)[0].rows.some((r) => r.voBand![1] > 15)).toBe(true);
    expect(capped.every((r) => r.voBand![1] <= 15 && r.band![1] <= 15 && r.band![0] >= 0)).toBe(true);
    expect(rankData([fixtureRun(0, 0, results.sweep, { finetuned: false })].map((r) => ({ ...r, base: { ...r.base!, spectra: [] } })), axis, 16)).toEqual([]);
  });

  it('scalar measurements against lambda: the gap shrinks; views without data are left out', () => {
    const views = scalarData(results.runs, axis);
    expect(views.map((v) => v.key)).toEqual(['gap', 'domain', 'perturbation', 'forgetting']);
    const gap = views[0].rows;
    expect(gap[0].mean).toBeGreaterThan(gap[4].mean);
    const bare = results.runs.map((r) => ({ ...r, finetunes: [], base: { ...r.base!, perturbation: null, domainBitsPerChar: undefined } }));
    expect(scalarData(bare, axis).map((v) => v.key)).toEqual(['gap']);
  });
});

describe('runs table rows', () => {
  it('one row per run in sweep order with val bpc and task scores in display units', () => {
    const { rows, tasks } = runRows(results);
    expect(tasks).toEqual(['ADD-R', 'KV', 'SENT', 'DOMAIN']);
    expect(rows.map((r) => r.id).slice(0, 3)).toEqual(['wd0-s0', 'wd0.1-s0', 'wd0.3-s0']);
    const r = rows[1];
    expect(r).toMatchObject({ status: 'done', phase: 'done', step: 3948, totalSteps: 3948, device: 'NVIDIA H100 (fixture)' });
    expect(r.valBpc).toBe(results.runs[1].base!.valBitsPerChar);
    expect(r.scores['ADD-R']!.unit).toBe('%');
    expect(r.scores['ADD-R']!.value).toBeCloseTo(100 * results.runs[1].finetunes[0].score.value!, 10);
    expect(r.scores.DOMAIN!.unit).toBe('bpc');
  });

  it('a run in flight shows the runner’s live phase, step and throughput', () => {
    const run = { ...fixtureRun(1, 0, results.sweep), status: 'pretraining' as const, base: null, finetunes: [] };
    const { rows } = runRows({ sweep: results.sweep, runs: [run] }, { [run.id]: { progress: { phase: 'pretrain', step: 120, steps: 3948, tokensPerSecond: 31_000 } } });
    expect(rows[0]).toMatchObject({ phase: 'pretraining', step: 120, totalSteps: 3948, tokensPerSecond: 31_000 });
    const ft = runRows({ sweep: results.sweep, runs: [{ ...run, status: 'finetuning' }] }, { [run.id]: { progress: { phase: 'finetune.KV', step: 5, steps: 90 } } });
    expect(ft.rows[0]).toMatchObject({ phase: 'fine-tuning KV', step: 5, totalSteps: 90 });
    expect(rows[0].valBpc).toBe(run.pretrain!.valBitsPerChar.y.at(-1));
  });

  it('an unfinished run that an error or a cancel stopped says so in words, not as still running', () => {
    const event = (kind: string) => ({ time: '2026-11-26T07:00:00.000Z', kind, message: kind });
    const run = { ...fixtureRun(1, 0, results.sweep), status: 'finetuning' as const, finetunes: [] };
    const failed = { ...run, error: 'GPU out of memory', events: [event('start'), event('error')] };
    expect(runRows({ sweep: results.sweep, runs: [failed] }).rows[0]).toMatchObject({ stopped: 'error', phase: 'stopped while fine-tuning: GPU out of memory' });
    const cancelled = { ...run, status: 'pending' as const, events: [event('cancelled')] };
    expect(runRows({ sweep: results.sweep, runs: [cancelled] }).rows[0]).toMatchObject({ stopped: 'cancelled', phase: 'cancelled before it started' });
    const live = { [run.id]: { progress: { phase: 'finetune.KV', step: 5, steps: 90 } } };
    expect(runRows({ sweep: results.sweep, runs: [failed] }, live).rows[0]).toMatchObject({ stopped: undefined, phase: 'fine-tuning KV' });
    expect(runRows({ sweep: results.sweep, runs: [{ ...run, events: [event('start')] }] }).rows[0].stopped).toBeUndefined();
  });
});
