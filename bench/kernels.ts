// Kernel benchmark runner (Node + Dawn): `npm run bench -- [--full] [--sweep] [--json file] [--filter regex]
// [--no-tfjs] [--dawn-features a,b]`. Times every registered KernelBench with timeDispatches (many
// repetitions in one compute pass), prints ms, GFLOP/s or GB/s and the fraction of the ceilings measured in
// the same run (the largest copy_forward for bandwidth: device memory, not cache; the best matmul for compute),
// and TF.js's tf.matMul beside ours.
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { acquireGpu, describeAdapter, requestLabAdapter, type AdapterSummary, type Gpu } from '../src/gpu/adapter';
import { findNodeAdapter, SWIFTSHADER_ICD } from '../src/gpu/node';
import { timeDispatches } from '../src/gpu/timing';
import { releaseDispatches } from '../src/gpu/dispatch';
import { MAX_EXECUTIONS, type KernelBench } from '../src/kernels/bench';
import { matmulSweepBenches, type MatmulBench } from '../src/kernels/matmul.bench';
import { normSweepBenches } from '../src/kernels/norm.bench';
import { helpText, wantsHelp } from '../src/util/cli';
import { datasheetPeak, peakLine } from './peaks';
import { kernelBenches } from './registry';
import { fmt, formatTable } from './table';
import { startTfjs, type TfPeer } from './tfjs';

interface Args {
  full: boolean;
  sweep: boolean;
  json?: string;
  filter?: string;
  tfjs: boolean;
  dawnFeatures: string[];
}

export interface Row {
  kernel: string;
  shape: string;
  ms?: number;
  method?: string;
  /** Repetitions per timed pass. */
  inner?: number;
  gflops?: number;
  gbps?: number;
  /** Bytes moved per execution (bandwidth-bound kernels). */
  bytes?: number;
  /** Of the ceiling measured in this run (compute for flops, bandwidth for bytes). */
  fraction?: number;
  tfjsMs?: number;
  tfjsMethod?: string;
  skipped?: string;
  error?: string;
}

/** Largest work a software adapter runs without --full (512^3 matmul; 64 MiB moved). */
const SOFTWARE_MAX_FLOPS = 2 * 512 ** 3;
const SOFTWARE_MAX_BYTES = 64 * 2 ** 20;
/** Each timed pass aims at this many ms (repetitions in one pass amortize the dispatch overhead and the
 *  timestamps' coarseness: 65.5 us steps on an H200, a 3 us kernel needs thousands of repetitions). */
const TARGET_PASS_MS = 25;
/** The probe grows its repetitions tenfold until a pass lasts this long, so the estimate is not a timestamp step. */
const PROBE_PASS_MS = 2;
const MAX_INNER = 10_000;
const REPS = 5;
/** Untimed work per benchmark before its timed passes (GPU clocks ramp up under load). */
const WARMUP_MS = 300;

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    full: argv.includes('--full'),
    sweep: argv.includes('--sweep'),
    json: value('--json'),
    filter: value('--filter'),
    tfjs: !argv.includes('--no-tfjs'),
    dawnFeatures: (value('--dawn-features') ?? '').split(',').filter(Boolean),
  };
}

export function isSoftwareAdapter(a: AdapterSummary): boolean {
  return a.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software|cpu/i.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
}

/** The machine's Vulkan driver (also when VK_ICD_FILENAMES names it), else SwiftShader; Dawn features on request. */
async function openGpu(dawnFeatures: string[]): Promise<{ gpu: Gpu; instance: GPU; source: string }> {
  Object.assign(globalThis, globals);
  const icd = process.env.VK_ICD_FILENAMES;
  if (dawnFeatures.length || (icd && icd !== SWIFTSHADER_ICD)) {
    const instance = create(dawnFeatures.length ? [`enable-dawn-features=${dawnFeatures.join(',')}`] : []);
    const adapter = await requestLabAdapter(instance);
    if (adapter) return { gpu: await acquireGpu(adapter, 'bench'), instance, source: icd ?? 'system' };
  }
  const { adapter, source } = await findNodeAdapter();
  return { gpu: await acquireGpu(adapter, 'bench'), instance: create([]), source };
}

function tooBigForSoftware(bench: KernelBench): boolean {
  return (bench.flops ?? 0) > SOFTWARE_MAX_FLOPS || (bench.bytes ?? 0) > SOFTWARE_MAX_BYTES;
}

/**
 * Software adapters: one warm-up and one timed pass (their numbers only show that the kernel runs). A GPU: a
 * probe sizes the repetitions per pass to TARGET_PASS_MS, about WARMUP_MS of untimed passes, then REPS timed
 * passes; never more than MAX_EXECUTIONS executions of the case in all (AdamW's schedule holds that many steps).
 */
async function measure(gpu: Gpu, bench: KernelBench, software: boolean): Promise<Row> {
  const run = await bench.setup(gpu);
  let executions = 0;
  const time = (reps: number, inner: number) => {
    executions += (reps + 1) * inner; // timeDispatches runs one untimed pass first
    return timeDispatches(gpu, run.dispatches, reps, inner);
  };
  try {
    let inner = 1;
    if (!software) {
      let probe = await time(1, inner);
      while (probe.ms * inner < PROBE_PASS_MS && inner < MAX_INNER) {
        inner = Math.min(MAX_INNER, inner * 10);
        probe = await time(1, inner);
      }
      inner = Math.min(MAX_INNER, Math.max(1, Math.ceil(TARGET_PASS_MS / Math.max(probe.ms, 1e-4))));
      const spare = Math.floor((MAX_EXECUTIONS - executions) / inner) - 2 * (REPS + 1);
      const warmPasses = Math.min(Math.ceil(WARMUP_MS / (probe.ms * inner)), spare);
      // Untimed passes first: an H200 ran a large matmul 3x slower for its first ~150 ms after the small kernels.
      if (warmPasses > 0) await time(warmPasses, inner);
    }
    const { ms, method } = await time(software ? 1 : REPS, inner);
    if (executions > MAX_EXECUTIONS) throw new Error(`bench ran ${executions} executions, more than MAX_EXECUTIONS (${MAX_EXECUTIONS})`);
    const row: Row = { kernel: bench.kernel, shape: bench.shape, ms, method, inner };
    if (bench.flops) row.gflops = bench.flops / ms / 1e6;
    if (bench.bytes) Object.assign(row, { bytes: bench.bytes, gbps: bench.bytes / ms / 1e6 });
    return row;
  } finally {
    run.release();
    releaseDispatches(run.dispatches);
  }
}

async function addPeer(row: Row, bench: KernelBench, tf: TfPeer, reps: number): Promise<void> {
  const shape = (bench as Partial<MatmulBench>).matmul;
  if (!shape || shape.plan) return;
  try {
    const { ms, method } = await tf.timeMatmul(shape, reps, TARGET_PASS_MS);
    row.tfjsMs = ms;
    row.tfjsMethod = method;
  } catch (error) {
    row.tfjsMethod = `failed: ${String((error as Error)?.message ?? error)}`;
  }
}

/**
 * Fills in each row's fraction of the ceilings measured in this run; returns them. The bandwidth ceiling is
 * the largest copy's (device memory), not the fastest: a smaller copy may run from cache.
 */
function applyCeilings(rows: Row[]): { gflops: number; gbps: number } {
  const gflops = Math.max(0, ...rows.filter((r) => r.kernel.startsWith('matmul_')).map((r) => r.gflops ?? 0));
  const copies = rows.filter((r) => r.kernel === 'copy_forward' && r.gbps !== undefined).sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0));
  const gbps = copies[0]?.gbps ?? 0;
  for (const r of rows) {
    if (r.gflops !== undefined && gflops > 0) r.fraction = r.gflops / gflops;
    else if (r.gbps !== undefined && gbps > 0) r.fraction = r.gbps / gbps;
  }
  return { gflops, gbps };
}

function printRows(rows: Row[]): void {
  const header = ['kernel', 'shape', 'ms', 'GFLOP/s', 'GB/s', 'of ceiling', 'TF.js ms', 'TF.js/ours', 'note'];
  const cells = rows.map((r) => {
    const fraction = r.fraction === undefined ? '' : `${(100 * r.fraction).toFixed(0)}%`;
    const ratio = r.tfjsMs && r.ms ? `${(r.tfjsMs / r.ms).toFixed(2)}x` : '';
    const note = r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : r.tfjsMethod?.startsWith('failed') ? `TF.js ${r.tfjsMethod}` : '';
    return [r.kernel, r.shape, fmt(r.ms), fmt(r.gflops), fmt(r.gbps), fraction, fmt(r.tfjsMs), ratio, note];
  });
  console.log(formatTable(header, cells));
}

function gitCommit(): string {
  if (process.env.GIT_COMMIT) return process.env.GIT_COMMIT;
  try {
    return execSync('git rev-parse HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

const HELP = helpText(
  'usage: npm run bench -- [--full] [--sweep] [--filter <regex>] [--no-tfjs] [--json <file>]',
  'Times every kernel at the model\'s shapes and matmul at 1024^3-4096^3 (timestamp queries, many repetitions in one\n' +
    'compute pass): ms, GFLOP/s or GB/s, the fraction of this run\'s measured ceilings and of the datasheet peak, TF.js beside.',
  [
    { flag: '--full', help: 'on a software adapter, run the sizes it skips (above 512^3 FLOPs or 64 MiB); a GPU runs them anyway' },
    { flag: '--sweep', help: 'add the tuning rows: matmul tile configs and split counts, norm rows per workgroup, norm at 65536 x 768' },
    { flag: '--filter <regex>', help: 'only the rows whose "kernel shape" matches' },
    { flag: '--no-tfjs', help: 'skip the TensorFlow.js peer (default: on)' },
    { flag: '--json <file>', help: 'write every row, the ceilings and the adapter info as JSON' },
    { flag: '--dawn-features <a,b>', help: 'enable Dawn toggles (e.g. for A/B timing)' },
  ],
  [],
  'exit codes: 0 done, 1 error',
);

async function main(): Promise<void> {
  if (wantsHelp(process.argv.slice(2))) return console.log(HELP);
  const args = parseArgs(process.argv.slice(2));
  const { gpu, instance, source } = await openGpu(args.dawnFeatures);
  const software = isSoftwareAdapter(gpu.adapter);
  console.log(`adapter: ${describeAdapter(gpu.adapter)} [${source}]${args.dawnFeatures.length ? ` dawn features: ${args.dawnFeatures}` : ''}`);
  const warning = software
    ? 'SOFTWARE ADAPTER: these timings say nothing about GPU speed (software drivers are 10-100x slower); ' +
      (args.full ? '--full: running every size.' : `sizes above 512^3 flops / 64 MiB are skipped (pass --full to run them).`)
    : '';
  if (warning) console.log(warning);
  const all = [...kernelBenches, ...(args.sweep ? [...matmulSweepBenches(!software || args.full), ...normSweepBenches] : [])];
  const pattern = args.filter ? new RegExp(args.filter) : undefined;
  const benches = all.filter((b) => !pattern || pattern.test(`${b.kernel} ${b.shape}`));
  const tf = args.tfjs ? await startTfjs(instance) : 'disabled (--no-tfjs)';
  console.log(typeof tf === 'string' ? `TF.js peer: ${tf}` : `TF.js peer: tfjs-core ${tf.version} on webgpu (WEBGPU_CPU_FORWARD=false)`);
  const rows: Row[] = [];
  for (const bench of benches) {
    if (software && !args.full && tooBigForSoftware(bench)) {
      rows.push({ kernel: bench.kernel, shape: bench.shape, skipped: 'software adapter (--full runs it)' });
      continue;
    }
    const row = await measure(gpu, bench, software).catch((e: unknown): Row => ({ kernel: bench.kernel, shape: bench.shape, error: String((e as Error)?.message ?? e) }));
    if (typeof tf !== 'string' && !row.error) await addPeer(row, bench, tf, software ? 1 : REPS);
    rows.push(row);
    console.log(`  ${row.kernel} ${row.shape}: ${row.error ?? `${fmt(row.ms)} ms`}`);
  }
  const ceilings = applyCeilings(rows);
  printRows(rows);
  console.log(`ceilings measured in this run: compute ${fmt(ceilings.gflops)} GFLOP/s (best matmul), bandwidth ${fmt(ceilings.gbps)} GB/s (copy_forward, read + write)`);
  const peak = software ? undefined : datasheetPeak(gpu.adapter);
  if (!software) console.log(peakLine(peak, ceilings));
  console.log(`timing: ours ${rows.find((r) => r.method)?.method ?? 'none'}, repeated in one compute pass; TF.js ${rows.find((r) => r.tfjsMethod)?.tfjsMethod ?? 'not run'}`);
  if (warning) console.log(warning);
  if (args.json) {
    const report = { adapter: gpu.adapter, source, software, date: new Date().toISOString(), commit: gitCommit(), args, ceilings, datasheetPeak: peak ?? null, tfjs: typeof tf === 'string' ? tf : tf.version, rows };
    writeFileSync(args.json, JSON.stringify(report, null, 2));
    console.log(`wrote ${args.json}`);
  }
  gpu.device.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
