import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { exportResultsJson } from '../lab/exportImport';
import { openIndexedDbStore } from '../lab/persist';
import { makeResults } from '../lab/persist/fixture';
import { parseResults, resultsToJson, type Results } from '../lab/results';
import { defaultSweep } from '../lab/sweep';
import type { StoredSweep } from '../lab/persist';
import type { CorpusSlice } from './corpusSlice';
import { addsToOpenResults, DEFAULT_SINGLE_RUN, interruptedSweep, LIVE_POINTS, LIVE_SERIES, mergeMetricBatches, otherDeviceOfOpenResults, runTrainReplaces, type LiveRun, type MetricBatch } from './labModel';
import { createLabSlice, selectViewedResults, type LabSlice } from './labSlice';

const newStore = () => createStore<LabSlice>()(createLabSlice);
const results = (): Results => parseResults(JSON.parse(resultsToJson(makeResults(defaultSweep('lab'), 2))));
const points = (from: number, n: number) => ({ x: Array.from({ length: n }, (_, i) => from + i), y: Array.from({ length: n }, (_, i) => 5 - (from + i) / 1000) });

describe('lab slice', () => {
  it('starts from the default sweep with no results, selection or notice (no URL in Node)', () => {
    const s = newStore().getState();
    expect(s.sweep).toEqual(defaultSweep('lab'));
    expect(s.singleRun).toEqual(DEFAULT_SINGLE_RUN);
    expect([s.results, s.shared, s.notice, s.selectedRunIds, s.live]).toEqual([undefined, undefined, undefined, [], {}]);
  });

  it('sweep and single-run edits are validated; a bad one keeps the old value and says why', () => {
    const store = newStore();
    expect(store.getState().setSweep({ ...defaultSweep('lab'), lambdas: [0, 0.5] })).toBe(true);
    expect(store.getState().sweep.lambdas).toEqual([0, 0.5]);
    expect(store.getState().setSweep({ ...defaultSweep('lab'), seeds: [1, 1] })).toBe(false);
    expect(store.getState().sweep.lambdas).toEqual([0, 0.5]);
    expect(store.getState().notice).toEqual({ kind: 'error', message: expect.stringMatching(/seeds: seeds must be distinct/) });
    expect(store.getState().setSingleRun({ lambda: 1.5 })).toBe(true);
    expect(store.getState().setSingleRun({ seed: -1 })).toBe(false);
    expect(store.getState().singleRun).toEqual({ lambda: 1.5, seed: 0 });
    store.getState().resetSweep('tiny');
    expect(store.getState().sweep).toEqual(defaultSweep('tiny'));
  });

  it('metric batches: one store update per call, other runs untouched, long series thinned', () => {
    const store = newStore();
    store.getState().appendMetrics({ runId: 'wd0-s0', series: { [LIVE_SERIES.pretrainLoss]: points(0, 10) } });
    const before = store.getState().live['wd0-s0'];
    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    const batches: MetricBatch[] = [
      { runId: 'wd0.1-s0', series: { [LIVE_SERIES.pretrainLoss]: points(0, 100) }, progress: { phase: 'pretrain', step: 100, steps: 3965 } },
      { runId: 'wd0.1-s0', series: { [LIVE_SERIES.pretrainLoss]: points(100, 100), [LIVE_SERIES.pretrainValBitsPerChar]: { x: [200], y: [2.5] } } },
      { runId: 'wd0.3-s0', series: { [LIVE_SERIES.finetuneLoss('KV')]: { x: [1, 2], y: [1] } } }, // malformed: skipped
    ];
    store.getState().appendMetrics(batches);
    unsubscribe();
    expect(updates).toBe(1);
    const { live } = store.getState();
    expect(live['wd0-s0']).toBe(before);
    expect(live['wd0.1-s0'].series['pretrain.loss'].x).toHaveLength(200);
    expect(live['wd0.1-s0'].progress).toEqual({ phase: 'pretrain', step: 100, steps: 3965 });
    expect(live['wd0.3-s0'].series).toEqual({});
    for (let k = 0; k < 30; k++) store.getState().appendMetrics({ runId: 'wd0-s0', series: { 'pretrain.loss': points(10 + 100 * k, 100) } });
    const loss = store.getState().live['wd0-s0'].series['pretrain.loss'];
    expect(loss.x.length).toBeLessThanOrEqual(2 * LIVE_POINTS);
    expect([loss.x[0], loss.x.at(-1)]).toEqual([0, 3009]);
  });

  /** Streams steps [from, to) of one run's pretraining loss, `chunk` points per batch, as the worker does. */
  const stream = (live: Record<string, LiveRun>, from: number, to: number, chunk = 40) => {
    for (let s = from; s < to; s += chunk) {
      const x = Array.from({ length: Math.min(chunk, to - s) }, (_, i) => s + i);
      live = mergeMetricBatches(live, [{ runId: 'r', series: { [LIVE_SERIES.pretrainLoss]: { x, y: x.map((v) => 5 - v / 1e4) } } }]);
    }
    return live;
  };
  const increasing = (x: readonly number[]) => x.every((v, i) => i === 0 || v > x[i - 1]);

  it('a long live series stays evenly spread over steps: thinned by step stride, not by position', () => {
    for (const steps of [3948, 20_000, 100_000]) {
      const { x } = stream({}, 0, steps).r.series[LIVE_SERIES.pretrainLoss];
      const firstHalf = x.filter((v) => v < steps / 2).length;
      const secondHalf = x.length - firstHalf;
      expect(x.length, `${steps} steps`).toBeLessThanOrEqual(2 * LIVE_POINTS);
      expect(x.length, `${steps} steps`).toBeGreaterThan(LIVE_POINTS / 2);
      expect(firstHalf / secondHalf, `${steps} steps: ${firstHalf} points in the first half, ${secondHalf} in the second`).toBeGreaterThan(0.5);
      expect(firstHalf / secondHalf, `${steps} steps: ${firstHalf} points in the first half, ${secondHalf} in the second`).toBeLessThan(2);
      expect([x[0], x.at(-1), increasing(x)]).toEqual([0, steps - 1, true]); // the live end is always drawn
    }
  });

  it('a replay from a checkpoint (device-loss recovery) cuts the series back to before it, never runs backwards', () => {
    let live = stream({}, 0, 1600);
    live = stream(live, 1200, 1300);
    const short = live.r.series[LIVE_SERIES.pretrainLoss].x;
    expect([short.length, short.at(-1), increasing(short)]).toEqual([1300, 1299, true]);
    // After thinning too: a replay of a long run keeps the earlier points and the stride.
    live = stream(stream({}, 0, 20_000), 16_000, 17_000);
    const long = live.r.series[LIVE_SERIES.pretrainLoss].x;
    expect([long[0], long.at(-1), increasing(long)]).toEqual([0, 16_999, true]);
    expect(long.filter((v) => v < 8000).length).toBeGreaterThan(0.5 * long.filter((v) => v >= 8000).length);
    // A replay inside one batch (it starts mid-batch) is cut the same way.
    live = mergeMetricBatches(stream({}, 0, 100), [{ runId: 'r', series: { [LIVE_SERIES.pretrainLoss]: { x: [100, 101, 50, 51], y: [1, 1, 2, 2] } } }]);
    expect(live.r.series[LIVE_SERIES.pretrainLoss].x.slice(-3)).toEqual([49, 50, 51]);
  });

  it('run results replace their run, clear its live series when final, and keep other runs identical', () => {
    const store = newStore();
    const doc = results();
    store.getState().upsertRun(doc.runs[0]);
    expect(store.getState().notice?.message).toMatch(/no sweep open/);
    store.getState().loadResults(doc, 'sweep-1');
    store.getState().appendMetrics({ runId: doc.runs[1].id, series: { 'pretrain.loss': points(0, 5) } });
    store.getState().upsertRun({ ...doc.runs[1], status: 'finetuning' });
    expect(store.getState().live[doc.runs[1].id]).toBeDefined(); // still training
    store.getState().upsertRun({ ...doc.runs[1], status: 'done' });
    const after = store.getState().results!;
    expect(store.getState().live[doc.runs[1].id]).toBeUndefined();
    expect(after.runs[0]).toBe(doc.runs[0]);
    expect(after.runs).toHaveLength(15);
    expect(store.getState().sweepId).toBe('sweep-1');
  });

  it('selection toggles and forgets runs the next results lack', () => {
    const store = newStore();
    const doc = results();
    store.getState().loadResults(doc);
    store.getState().toggleRunSelected('wd0-s0');
    store.getState().toggleRunSelected('wd1-s1');
    store.getState().toggleRunSelected('wd0-s0');
    expect(store.getState().selectedRunIds).toEqual(['wd1-s1']);
    store.getState().setSelectedRuns(['wd1-s1', 'wd3-s2', 'wd3-s2']);
    expect(store.getState().selectedRunIds).toEqual(['wd1-s1', 'wd3-s2']);
    store.getState().loadResults({ ...doc, runs: doc.runs.filter((r) => r.id !== 'wd3-s2') });
    expect(store.getState().selectedRunIds).toEqual(['wd1-s1']);
  });

  it('share links: shareUrl then applyUrl opens the shared view beside own results; a bad link says why', () => {
    const store = newStore();
    const doc = results();
    store.getState().loadResults(doc);
    store.getState().setSweep({ ...doc.sweep, lambdas: [0, 10] }); // edited after running: the link carries the results' sweep
    const url = store.getState().shareUrl('https://lab.example/', new Date('2026-12-01T00:00:00Z'));
    const other = newStore();
    other.getState().applyUrl(url);
    const s = other.getState();
    expect(s.notice).toBeUndefined();
    expect(s.sweep).toEqual(doc.sweep);
    expect(s.shared).toMatchObject({ device: doc.device.adapter, date: '2026-12-01T00:00:00.000Z' });
    expect(selectViewedResults(s)?.runs).toHaveLength(15);
    other.getState().leaveShared();
    expect(selectViewedResults(other.getState())).toBeUndefined();
    other.getState().applyUrl('https://lab.example/?v=1&wd=zero');
    expect(other.getState().notice).toEqual({ kind: 'error', message: expect.stringMatching(/wd: "zero" is not a number.*default sweep/) });
    expect(other.getState().sweep).toEqual(defaultSweep('lab'));
  });

  it('leaving a shared view: the editor shows the own sweep again, and the selection keeps only own runs', () => {
    const own = results();
    const mine = { ...own, sweep: { ...own.sweep, lambdas: [0] }, runs: own.runs.filter((r) => r.lambda === 0) };
    const store = newStore();
    store.getState().loadResults(mine);
    const link = (() => {
      const sharer = newStore();
      sharer.getState().loadResults(own);
      return sharer.getState().shareUrl('https://lab.example/', new Date('2026-12-01T00:00:00Z'));
    })();
    store.getState().applyUrl(link);
    const sharedOnly = own.runs.find((r) => r.lambda !== 0)!.id;
    store.getState().setSelectedRuns([sharedOnly, mine.runs[0].id]);
    store.getState().leaveShared();
    expect(store.getState().sweep).toEqual(mine.sweep);
    expect(store.getState().sweepFromLink).toBe(false);
    expect(store.getState().selectedRunIds).toEqual([mine.runs[0].id]);
  });

  it("Train's seed follows the sweep's seeds: editing them to 3, 4 moves it to 3 (Train must not add seed 0 back)", () => {
    const store = newStore();
    expect(store.getState().setSweep({ ...defaultSweep('lab'), seeds: [3, 4] })).toBe(true);
    expect(store.getState().singleRun.seed).toBe(3);
    expect(store.getState().setSweep({ ...defaultSweep('lab'), seeds: [5, 4, 3] })).toBe(true);
    expect(store.getState().singleRun.seed).toBe(3); // still in the grid: kept
  });

  it('import: a good file is shown, a bad one names the field', () => {
    const store = newStore();
    const doc = results();
    const bad = JSON.parse(exportResultsJson(doc));
    bad.runs[0].seed = 'one';
    expect(store.getState().importResultsText(JSON.stringify(bad), 'bad.json')).toBe(false);
    expect(store.getState().notice?.message).toMatch(/bad\.json[\s\S]*runs\.0\.seed/);
    expect(store.getState().importResultsText(exportResultsJson(doc), 'good.json')).toBe(true);
    expect(store.getState().results).toEqual(doc);
    expect(store.getState().notice).toEqual({ kind: 'info', message: 'Imported good.json: 15 runs of "lab: weight decay sweep".' });
  });

  it('storage: restores the newest sweep, reports unreadable records, deletes', async () => {
    const persist = await openIndexedDbStore({ name: 'slice-test' });
    const doc = results();
    await persist.saveSweep('old', { ...doc, updatedAt: '2026-01-01T00:00:00.000Z' });
    await persist.saveSweep('new', { ...doc, runs: doc.runs.slice(0, 4), updatedAt: '2026-12-01T00:00:00.000Z' });
    const store = newStore();
    await store.getState().restoreSaved(persist);
    let s = store.getState();
    expect(s.storageStatus).toBe('ready');
    expect(s.storedSweeps.map((x) => [x.sweepId, x.finished])).toEqual([['new', false], ['old', true]]);
    expect([s.sweepId, s.results?.runs.length]).toEqual(['new', 4]);
    store.getState().openSaved('old');
    expect(store.getState().sweepId).toBe('old');
    await store.getState().deleteSaved('old', persist);
    s = store.getState();
    expect([s.results, s.sweepId, s.storedSweeps.map((x) => x.sweepId)]).toEqual([undefined, undefined, ['new']]);
    const corrupt = { ...persist, loadAll: async () => ({ sweeps: [], problems: [{ sweepId: 'x', message: 'stored sweep x is corrupt (header.kind: ...)' }] }) };
    await store.getState().restoreSaved(corrupt);
    expect(store.getState().notice).toEqual({ kind: 'warning', message: expect.stringMatching(/could not be read.*stored sweep x is corrupt/) });
    expect(store.getState().storageProblems.map((p) => p.sweepId)).toEqual(['x']);
    const broken = { ...persist, loadAll: () => Promise.reject(new Error('browser storage is unavailable (denied)')) };
    await store.getState().restoreSaved(broken);
    expect(store.getState().storageStatus).toBe('unavailable');
    expect(store.getState().notice?.message).toMatch(/unavailable/);
    persist.close();
  });

  it("storage: a link's settings stay in the editor beside the restored results", async () => {
    const persist = await openIndexedDbStore({ name: 'slice-test-link' });
    const doc = results();
    await persist.saveSweep('stored', doc);
    const store = newStore();
    store.getState().applyUrl('https://lab.example/?v=1&preset=tiny&wd=0,1');
    const linked = store.getState().sweep;
    expect([linked.preset, store.getState().sweepFromLink]).toEqual(['tiny', true]);
    await store.getState().restoreSaved(persist);
    expect([store.getState().sweepId, store.getState().sweep]).toEqual(['stored', linked]);
    const plain = newStore();
    await plain.getState().restoreSaved(persist);
    expect(plain.getState().sweep).toEqual(doc.sweep);
    persist.close();
  });
});

describe('interruptedSweep (what a reload resumes)', () => {
  const stored = (sweepId: string, doc: Results): StoredSweep => ({ sweepId, results: doc, finished: false, lastCheckpoints: {}, checkpointBytes: 0 });
  const event = (kind: string) => ({ time: '2026-11-26T07:00:00.000Z', kind, message: kind });
  const doc = results();
  const oneRunning = { ...doc, runs: [doc.runs[0], { ...doc.runs[1], status: 'pretraining' as const, events: [event('start')] }] };

  it('resumes the runs its document asked for (Train: one run of a larger grid), not the whole grid', () => {
    expect(doc.sweep.lambdas.length * doc.sweep.seeds.length).toBe(15);
    const found = interruptedSweep([stored('a', oneRunning)]);
    expect(found?.sweepId).toBe('a');
    expect(found?.runs).toEqual(oneRunning.runs.map(({ lambda, seed }) => ({ lambda, seed })));
  });

  it('skips finished sweeps and one the user cancelled (its last event), and older ones behind it', () => {
    expect(interruptedSweep([stored('done', doc)])).toBeUndefined();
    const cancelled = { ...oneRunning, runs: [doc.runs[0], { ...oneRunning.runs[1], events: [event('start'), event('cancelled')] }] };
    expect(interruptedSweep([stored('c', cancelled), stored('a', oneRunning)])).toBeUndefined();
    const restarted = { ...cancelled, runs: [doc.runs[0], { ...cancelled.runs[1], events: [...cancelled.runs[1].events, event('start')] }] };
    expect(interruptedSweep([stored('done', doc), stored('c', restarted)])?.sweepId).toBe('c');
  });

  it('skips a sweep an error stopped (a reload would only meet it again), until a run starts again', () => {
    const failed = { ...oneRunning, runs: [doc.runs[0], { ...oneRunning.runs[1], error: 'out of memory', events: [event('start'), event('error')] }] };
    expect(interruptedSweep([stored('e', failed)])).toBeUndefined();
    const retried = { ...failed, runs: [doc.runs[0], { ...failed.runs[1], events: [...failed.runs[1].events, event('start')] }] };
    expect(interruptedSweep([stored('e', retried)])?.sweepId).toBe('e');
  });
});

describe('runTrainReplaces and addsToOpenResults (what Train and Sweep add to, and the hints)', () => {
  const doc = results();
  const here = doc.device.adapter;
  const first = doc.runs[0];
  const key = { lambda: first.lambda, seed: first.seed };

  it('names the finished run at the single run\'s lambda and seed, only while Train would join this sweep', () => {
    expect(runTrainReplaces(doc, doc.sweep, key, here)?.id).toBe(first.id);
    expect(runTrainReplaces(doc, { ...doc.sweep, lambdas: [0.5], seeds: [7] }, key, here)?.id).toBe(first.id); // grids may differ
    expect(runTrainReplaces(doc, { ...doc.sweep, preset: 'tiny' }, key, here)).toBeUndefined(); // a new sweep: nothing replaced
    expect(runTrainReplaces(doc, doc.sweep, { lambda: 12.5, seed: first.seed }, here)).toBeUndefined();
    expect(runTrainReplaces(undefined, doc.sweep, key, here)).toBeUndefined();
  });

  it('ignores a run that has not finished', () => {
    const unfinished = { ...doc, runs: [{ ...first, status: 'pretraining' as const }, ...doc.runs.slice(1)] };
    expect(runTrainReplaces(unfinished, doc.sweep, key, here)).toBeUndefined();
  });

  it('never adds this device\'s runs to results another device made (the reference sweep), unless they hold no run', () => {
    const elsewhere = 'nvidia / hopper (NVIDIA H200)';
    expect(here).not.toBe(elsewhere);
    expect(addsToOpenResults(doc, doc.sweep, here)).toBe(true);
    expect(addsToOpenResults(doc, doc.sweep, elsewhere)).toBe(false);
    expect(runTrainReplaces(doc, doc.sweep, key, elsewhere)).toBeUndefined(); // Train starts a new sweep instead
    expect(otherDeviceOfOpenResults(doc, doc.sweep, elsewhere)).toBe(here);
    expect(otherDeviceOfOpenResults(doc, doc.sweep, here)).toBeUndefined();
    expect(otherDeviceOfOpenResults(doc, { ...doc.sweep, preset: 'tiny' }, elsewhere)).toBeUndefined(); // a new sweep anyway
    expect(addsToOpenResults({ ...doc, runs: [] }, doc.sweep, elsewhere)).toBe(true);
  });
});

describe('corpus slice', () => {
  it('keeps what the panel shows of the verified corpus (file sizes), not its tens of MB of bytes', async () => {
    vi.resetModules();
    vi.doMock('../data/load', () => ({
      loadCorpus: async (options: { onProgress?: (p: { receivedBytes: number; totalBytes: number; fromCache: boolean }) => void }) => {
        options.onProgress?.({ receivedBytes: 3200, totalBytes: 3200, fromCache: true });
        return { manifest: {}, files: { train: new Uint8Array(3000), validation: new Uint8Array(200) } };
      },
    }));
    try {
      const { createCorpusSlice } = await import('./corpusSlice');
      const store = createStore<CorpusSlice>()(createCorpusSlice);
      await store.getState().loadCorpus();
      const state = store.getState();
      expect([state.corpusStatus, state.corpusProgress.fromCache]).toEqual(['ready', true]);
      expect(state.corpusFiles).toEqual([
        { name: 'train', bytes: 3000 },
        { name: 'validation', bytes: 200 },
      ]);
      const holdsBytes = (v: unknown): boolean => ArrayBuffer.isView(v) || (typeof v === 'object' && v !== null && Object.values(v).some(holdsBytes));
      expect(holdsBytes(state)).toBe(false);
    } finally {
      vi.doUnmock('../data/load');
      vi.resetModules();
    }
  });
});
