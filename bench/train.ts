// Training throughput (Node + Dawn): `npm run bench:train -- [--steps N] [--presets a,b] [--json file] [--no-tfjs]`.
// For each preset, times N full training steps (forward, backward, clipped AdamW) on the WebGPU engine,
// queued STEPS_PER_SUBMIT at a time as the training loop does, and prints tokens/s, achieved GFLOP/s
// (napkin math: 6 FLOPs per parameter per token plus causal attention), dispatches and submits per step,
// and GPU memory held. Then the TF.js peer (bench/tfjsTrain.ts: the same model, init, batches, warm-up and
// step count on TF.js's webgpu backend, same adapter) and our/TF.js ratio; --no-tfjs skips it. Dispatches
// per step are the same on every adapter; times only mean something on a real GPU. Batches are random
// tokens: throughput does not depend on the text.
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { create } from 'webgpu';
import { acquireGpu, describeAdapter } from '../src/gpu/adapter';
import { findNodeAdapter } from '../src/gpu/node';
import { ADAMW_DEFAULTS, lossWeights, type Batch, type StepHyper } from '../src/engine/types';
import { WebGpuEngine } from '../src/engine/webgpu';
import { PRESETS, paramCount, type PresetName } from '../src/model/config';
import { initParams } from '../src/model/init';
import { Rng } from '../src/util/rng';
import { helpText, wantsHelp } from '../src/util/cli';
import { datasheetPeak } from './peaks';
import { loadTfjsWebgpu, type Tf } from './tfjs';
import { timeTfjsTraining, type TfjsTiming, type TrainRun } from './tfjsTrain';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Training FLOPs per token: 6 per parameter (forward 2, backward 4) plus causal attention's QK^T and AV,
 *  forward and backward: 6 · L · C · T per token averaged over positions (half of 12·L·C·T, causal). */
function flopsPerToken(presetName: PresetName): number {
  const { model } = PRESETS[presetName];
  return 6 * paramCount(model) + 6 * model.L * model.C * model.T;
}

function randomBatch(rng: Rng, B: number, T: number, V: number): Batch {
  const tokens = Uint32Array.from({ length: B * T }, () => rng.int(V));
  const targets = Uint32Array.from({ length: B * T }, () => rng.int(V));
  return { B, T, tokens, targets, weights: lossWeights(new Array(B * T).fill(1)) };
}

/** The TF.js peer's row fields for one preset (bench/tfjsTrain.ts times it), printed beside ours; a failure
 *  becomes tfjsError rather than ending the run. */
async function tfjsColumns(
  tf: Tf, run: TrainRun, ours: { tokensPerSecond: number; finalLoss?: number },
): Promise<{ tfjsMsPerStep: number; tfjsTokensPerSecond: number; tfjsFinalLoss: number; oursOverTfjs: number } | { tfjsError: string }> {
  let timing: TfjsTiming;
  try {
    timing = await timeTfjsTraining(tf, run);
  } catch (error) {
    const tfjsError = String((error as Error)?.message ?? error);
    console.log(`  TF.js peer failed: ${tfjsError}`);
    return { tfjsError };
  }
  const oursOverTfjs = ours.tokensPerSecond / timing.tokensPerSecond;
  console.log(
    `  TF.js ${tf.version_core} webgpu: ${timing.msPerStep.toFixed(2)} ms/step  ${Math.round(timing.tokensPerSecond).toLocaleString('en-US')} tok/s  ` +
      `(wall clock, one read at the end)  ours/TF.js ${oursOverTfjs.toFixed(2)}x  final loss ${timing.finalLoss.toFixed(5)} (ours ${ours.finalLoss?.toFixed(5)})`,
  );
  return { tfjsMsPerStep: timing.msPerStep, tfjsTokensPerSecond: timing.tokensPerSecond, tfjsFinalLoss: timing.finalLoss, oursOverTfjs };
}

const HELP = helpText(
  'usage: npm run bench:train -- [--presets tiny,lab,overtrained,tpp20] [--steps N] [--no-tfjs] [--json <file>]',
  'Full training steps (forward, backward, clipped AdamW) on random tokens, 64 per submit as the lab trains:\n' +
    'ms/step, tokens/s, GFLOP/s, MFU against the datasheet FP32 peak, dispatches and submits per step, GPU memory; TF.js beside.',
  [
    { flag: '--presets <a,b>', help: 'which presets (default: tiny, lab, overtrained, tpp20)' },
    { flag: '--steps <N>', help: 'timed steps per preset after 8 warm-up steps (default 200; 4 on a software adapter)' },
    { flag: '--no-tfjs', help: 'skip the TensorFlow.js training peer (default: on)' },
    { flag: '--json <file>', help: 'write every row and the adapter info as JSON' },
  ],
  [],
  'exit codes: 0 done, 1 error',
);

async function main(): Promise<void> {
  if (wantsHelp(process.argv.slice(2))) return console.log(HELP);
  const { adapter, source } = await findNodeAdapter();
  const gpu = await acquireGpu(adapter, 'bench-train');
  const software = source === 'swiftshader' || gpu.adapter.isFallbackAdapter;
  const presets = (arg('--presets')?.split(',') ?? ['tiny', 'lab', 'overtrained', 'tpp20']) as PresetName[];
  const steps = Number(arg('--steps') ?? (software ? 4 : 200));
  console.log(`adapter: ${describeAdapter(gpu.adapter)} [${source}]`);
  if (software) console.log('software adapter: the timings below say nothing about speed (dispatch counts and memory still hold).');
  // TF.js gets its own device from a Dawn instance made after findNodeAdapter chose the driver: the same adapter.
  const tf: Tf | string = process.argv.includes('--no-tfjs') ? 'disabled (--no-tfjs)' : await loadTfjsWebgpu(create([]));
  console.log(typeof tf === 'string' ? `TF.js peer: ${tf}` : `TF.js peer: tfjs-core ${tf.version_core} on webgpu (WEBGPU_CPU_FORWARD=false)`);
  // MFU against the datasheet FP32 peak (the kernel benchmark also gives it against the measured matmul ceiling).
  const peak = software ? undefined : datasheetPeak(gpu.adapter);
  if (!software) console.log(peak ? `MFU below: of ${peak.fp32Tflops} TFLOP/s FP32, the ${peak.name} datasheet peak` : 'datasheet peak: not known for this adapter (bench/peaks.ts)');
  const rows = [];
  for (const name of presets) {
    const { model, train } = PRESETS[name];
    const engine = await WebGpuEngine.create(gpu, model);
    const params = initParams(engine.table, model, 1);
    await engine.writeParams(params);
    const rng = new Rng(1);
    const batches = Array.from({ length: 8 }, () => randomBatch(rng, train.B, model.T, model.V));
    const hp = (step: number): StepHyper => ({ ...ADAMW_DEFAULTS, lr: train.peakLr, weightDecay: 0.1, step });
    const warmup = Math.min(steps, 8);
    const runSteps = async (n: number, from: number) => {
      const losses: Promise<number>[] = [];
      for (let t = 0; t < n; t++) {
        losses.push(engine.forward(batches[t % batches.length]));
        await engine.backward();
        void engine.step(hp(from + t));
      }
      return Promise.all(losses);
    };
    await runSteps(warmup, 1); // warm-up: pipelines, plans, first submits
    const before = { ...engine.counters };
    const t0 = performance.now();
    const losses = await runSteps(steps, 100);
    const seconds = (performance.now() - t0) / 1000;
    const tokens = steps * train.B * model.T;
    const row = {
      preset: name,
      model,
      peakLr: train.peakLr,
      params: paramCount(model),
      B: train.B,
      T: model.T,
      steps,
      msPerStep: (seconds * 1000) / steps,
      tokensPerSecond: tokens / seconds,
      gflops: (tokens * flopsPerToken(name)) / seconds / 1e9,
      mfuOfDatasheet: peak ? (tokens * flopsPerToken(name)) / seconds / 1e12 / peak.fp32Tflops : null,
      dispatchesPerStep: (engine.counters.dispatches - before.dispatches) / steps,
      submitsPerStep: (engine.counters.submits - before.submits) / steps,
      gpuBytes: engine.bytesInUse,
      finalLoss: losses.at(-1),
    };
    console.log(
      `${name.padEnd(12)} ${String(row.params).padStart(9)} params  B=${row.B} T=${row.T}  ${row.msPerStep.toFixed(2)} ms/step  ` +
        `${Math.round(row.tokensPerSecond).toLocaleString('en-US')} tok/s  ${row.gflops.toFixed(1)} GFLOP/s  ` +
        (row.mfuOfDatasheet === null ? '' : `MFU ${(100 * row.mfuOfDatasheet).toFixed(1)}%  `) +
        `${row.dispatchesPerStep} dispatches/step  ${row.submitsPerStep.toFixed(3)} submits/step  ${(row.gpuBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    engine.dispose();
    const peer = typeof tf === 'string' ? {} : await tfjsColumns(tf, { model, params, batches, hp, warmup, steps }, row);
    rows.push({ ...row, ...peer });
  }
  const json = arg('--json');
  if (json) {
    let commit = process.env.GIT_COMMIT ?? '';
    try {
      commit ||= execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      commit ||= 'unknown';
    }
    writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), commit, adapter: gpu.adapter, source, datasheetPeak: peak ?? null, tfjs: typeof tf === 'string' ? tf : tf.version_core, rows }, null, 2));
    console.log(`wrote ${json}`);
  }
  gpu.device.destroy();
}

await main();
