// Page responsiveness while metrics stream in (issue 7: no main-thread task over 50 ms from metric updates):
// `npm run bench:page -- [--seconds N] [--only replay|training] [--json file] [--profile replay.cpuprofile]`.
// Serves the built app with `vite preview` (build first), opens it in Chromium and records every animation
// frame over 50 ms (the Long Animation Frames API, with the scripts that ran in it) in two scenarios:
//
//   replay    the committed 15-run lab-preset results are loaded and their last run is put back in flight;
//             it streams metric batches at the page's flush cadence (every 200 ms; its recorded loss curve)
//             straight into the store, with no training running: the main thread's cost of metric updates
//             alone, as on a machine whose GPU does the training. The run event that puts the run back in
//             flight settles before recording starts, so every frame recorded follows a metric update.
//   training  a real tiny-preset run in the GPU worker, recorded once its first metrics have arrived. On a
//             software adapter SwiftShader burns every core (the renderer is starved), so frames here also
//             measure that starvation and run events (phase changes), not metric updates alone.
//
// Also per update: the latency from the store update to the next task (React has committed the urgent part;
// the charts render as a transition in slices after it). Wall-clock times on this machine's CPU: record the
// CPU with every number (BENCHMARKS.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, servePreview } from '../tools/labBrowser';

const PORT = 4179;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const RESULTS_FILE = 'docs/results/2026-11-26-h200-default-sweep.json';
const TRAINING_URL = '/?v=1&preset=tiny&budget=steps:3000&evalevery=50&seeds=0&tasks=ADD-R:48:24&probes=&control=0&ftepochs=1&ftbatch=16&sigma=0';
const FLUSH_MS = 200; // the page's metric flush interval (runnerSlice METRICS_FLUSH_MS)

interface RecordedRun {
  id: string;
  pretrain: { loss: { x: number[]; y: number[] } };
}

interface ScenarioResult {
  scenario: string;
  seconds: number;
  updates: number;
  /** ms from a metric update to the next task, per update. */
  latencyMs: { p50: number; p95: number; max: number };
  /** Animation frames over 50 ms while recording: duration and the scripts that ran in them. */
  longFrames: { ms: number; scripts: string[] }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

/** Starts recording long animation frames in the page. */
async function observe(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Entry = { duration: number; scripts: Array<{ duration: number; invoker: string; sourceFunctionName: string; sourceCharPosition: number }> };
    const w = window as unknown as { __frames: Array<{ ms: number; scripts: string[] }> };
    w.__frames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Entry[]) {
        w.__frames.push({ ms: Math.round(e.duration), scripts: e.scripts.map((s) => `${s.invoker} ${s.sourceFunctionName}@${s.sourceCharPosition} ${Math.round(s.duration)} ms`) });
      }
    }).observe({ type: 'long-animation-frame', buffered: false });
  });
}

async function collect(page: Page, scenario: string, seconds: number, latencies: number[]): Promise<ScenarioResult> {
  const longFrames = await page.evaluate(() => (window as unknown as { __frames: ScenarioResult['longFrames'] }).__frames);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario,
    seconds,
    updates: latencies.length,
    latencyMs: { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1) ?? NaN },
    longFrames,
  };
}

async function replay(page: Page, seconds: number): Promise<ScenarioResult> {
  await page.goto(`${ORIGIN}/`);
  const text = readFileSync(RESULTS_FILE, 'utf8');
  const inFlight = (JSON.parse(text) as { runs: RecordedRun[] }).runs.at(-1)!;
  await page.evaluate((t) => (window as unknown as { plasticityLab: { getState: () => { importResultsText: (t: string, f: string) => boolean } } }).plasticityLab.getState().importResultsText(t, 'replay.json'), text);
  await page.evaluate(() => {
    type Store = { getState: () => { results: { runs: Array<Record<string, unknown>> }; upsertRun: (r: unknown) => void } };
    const { getState } = (window as unknown as { plasticityLab: Store }).plasticityLab;
    getState().upsertRun({ ...getState().results.runs.at(-1), status: 'pretraining', pretrain: undefined, base: undefined, finetunes: [], events: [] });
  });
  await page.waitForTimeout(2000);
  await observe(page);
  const profiler = arg('--profile') ? await page.context().newCDPSession(page) : undefined;
  await profiler?.send('Profiler.enable');
  await profiler?.send('Profiler.start');
  const latencies = await page.evaluate(
    async ({ ticks, flushMs, id, loss }) => {
      const store = (window as unknown as { plasticityLab: { getState: () => { appendMetrics: (b: unknown) => void } } }).plasticityLab;
      const perTick = Math.max(1, Math.ceil(loss.x.length / ticks));
      const out: number[] = [];
      for (let t = 0; t < ticks; t++) {
        const x = loss.x.slice(t * perTick, (t + 1) * perTick);
        const y = loss.y.slice(t * perTick, (t + 1) * perTick);
        const progress = { phase: 'pretrain', step: x.at(-1) ?? loss.x.at(-1)!, steps: loss.x.at(-1)!, tokensPerSecond: 4e6 };
        const start = performance.now();
        store.getState().appendMetrics([{ runId: id, series: x.length ? { 'pretrain.loss': { x, y } } : {}, progress }]);
        await new Promise((r) => setTimeout(r, 0));
        out.push(performance.now() - start);
        await new Promise((r) => setTimeout(r, flushMs));
      }
      return out;
    },
    { ticks: Math.round((seconds * 1000) / FLUSH_MS), flushMs: FLUSH_MS, id: inFlight.id, loss: inFlight.pretrain.loss },
  );
  if (profiler) writeFileSync(arg('--profile')!, JSON.stringify((await profiler.send('Profiler.stop')).profile));
  return collect(page, 'replay', seconds, latencies);
}

async function training(page: Page, seconds: number): Promise<ScenarioResult> {
  await page.goto(`${ORIGIN}${TRAINING_URL}`);
  await page.waitForSelector('[data-testid=device-panel][data-status=ready]', { timeout: 180_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForSelector('[data-testid=chart-live][data-points]:not([data-points="0"])', { timeout: 300_000 });
  await observe(page);
  const latencies = await page.evaluate(async (ms) => {
    type Store = { subscribe: (listener: (s: { live: unknown }, prev: { live: unknown }) => void) => () => void };
    const store = (window as unknown as { plasticityLab: Store }).plasticityLab;
    const out: number[] = [];
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.live === prev.live) return;
      const start = performance.now();
      setTimeout(() => out.push(performance.now() - start), 0);
    });
    await new Promise((r) => setTimeout(r, ms));
    unsubscribe();
    return out;
  }, seconds * 1000);
  return collect(page, 'training', seconds, latencies);
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds') ?? 30);
  const only = arg('--only');
  const stop = await servePreview(PORT);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // tsx (esbuild, keepNames) wraps named functions in __name(); functions passed to page.evaluate need it too.
    await page.addInitScript('globalThis.__name = (f) => f');
    const results: ScenarioResult[] = [];
    if (only !== 'training') results.push(await replay(page, seconds));
    if (only !== 'replay') results.push(await training(page, seconds));
    const cpu = `${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}`;
    console.log(`CPU: ${cpu}; Chromium ${browser.version()}`);
    console.log('scenario | seconds | metric updates | latency ms p50 / p95 / max | frames > 50 ms | worst frame');
    for (const r of results) {
      const worst = Math.max(0, ...r.longFrames.map((f) => f.ms));
      console.log(`${r.scenario} | ${r.seconds} | ${r.updates} | ${r.latencyMs.p50.toFixed(1)} / ${r.latencyMs.p95.toFixed(1)} / ${r.latencyMs.max.toFixed(1)} | ${r.longFrames.length} | ${worst} ms`);
      for (const f of [...r.longFrames].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`    ${f.ms} ms: ${f.scripts.join('; ')}`);
    }
    const json = arg('--json');
    if (json) writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), cpu, chromium: browser.version(), results }, null, 2));
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
