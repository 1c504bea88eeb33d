// TensorFlow.js on WebGPU for the benchmarks: the one startup (loadTfjsWebgpu; the training peer in
// tfjsTrain.ts uses it too) and the matmul peer: tf.matMul on the `webgpu` backend, on the same Dawn adapter
// (navigator.gpu is pointed at the Dawn instance the benchmark uses), timed by wall clock over many
// back-to-back calls and one submit + onSubmittedWorkDone. (Not tf.time: its per-program timestamps are
// quantized by Dawn, and on Dawn/NVIDIA some timed programs left a pass open: validation errors.)
// WEBGPU_CPU_FORWARD is off so small products run on the GPU too. Failures become a reason, not a crash.
import type { MatmulMode } from '../src/kernels/matmul';

export interface MatmulShape {
  mode: MatmulMode;
  M: number;
  K: number;
  N: number;
}

export interface TfPeer {
  version: string;
  /** Median ms of one tf.matMul at this layout and shape. */
  timeMatmul(shape: MatmulShape, reps: number, targetMs: number): Promise<{ ms: number; method: string }>;
}

export type Tf = typeof import('@tensorflow/tfjs-core');

function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

/** The operands and transpose flags that make tf.matMul compute the same product as matmul_<mode>. */
function operands(tf: Tf, { mode, M, K, N }: MatmulShape) {
  const u = (rows: number, cols: number) => tf.randomUniform([rows, cols], -1, 1, 'float32', 1);
  if (mode === 'forward') return { a: u(M, K), b: u(N, K), ta: false, tb: true };
  if (mode === 'backward_input') return { a: u(M, N), b: u(N, K), ta: false, tb: false };
  return { a: u(M, N), b: u(M, K), ta: true, tb: false };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The parts of TF.js's WebGPUBackend used to flush its queued work (it batches dispatches into passes). */
interface WebGpuBackendInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Wall ms of `calls` back-to-back products, through the submit of TF.js's open pass and onSubmittedWorkDone. */
async function wallMs(tf: Tf, run: () => void, calls: number): Promise<number> {
  const backend = tf.backend() as unknown as WebGpuBackendInternals;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) run();
  backend.endComputePassEncoder();
  if (backend.commandEncoder) backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function timeOne(tf: Tf, shape: MatmulShape, reps: number, targetMs: number): Promise<{ ms: number; method: string }> {
  const { a, b, ta, tb } = operands(tf, shape);
  const run = () => tf.tidy(() => void tf.matMul(a, b, ta, tb));
  try {
    const once = await wallMs(tf, run, 1); // warm-up: compiles the program
    const calls = reps > 1 ? Math.min(200, Math.max(1, Math.ceil(targetMs / Math.max(await wallMs(tf, run, 1), once / 100, 1e-3)))) : 1;
    const samples: number[] = [];
    for (let r = 0; r < reps; r++) samples.push((await wallMs(tf, run, calls)) / calls);
    return { ms: median(samples), method: `wall clock over submit + onSubmittedWorkDone, ${calls} calls per sample` };
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * TF.js on its `webgpu` backend over `gpu` (a Dawn GPU object, installed as navigator.gpu before the backend
 * loads: it registers only where it sees one), WEBGPU_CPU_FORWARD off; or why it could not start. The one
 * setup for every TF.js peer (matmul here, training in tfjsTrain.ts).
 */
export async function loadTfjsWebgpu(gpu: GPU): Promise<Tf | string> {
  try {
    installNavigatorGpu(gpu);
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients'); // tfjs-core alone registers no gradients
    await import('@tensorflow/tfjs-backend-webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    if (!tf.findBackendFactory('webgpu')) return 'the webgpu backend did not register (navigator.gpu not seen)';
    if (!(await tf.setBackend('webgpu'))) return 'tf.setBackend("webgpu") failed (see the warning above)';
    await tf.ready();
    return tf;
  } catch (error) {
    return `TF.js failed to start: ${String((error as Error)?.message ?? error)}`;
  }
}

/** Starts the matmul peer over `gpu`, or returns why it could not. */
export async function startTfjs(gpu: GPU): Promise<TfPeer | string> {
  const tf = await loadTfjsWebgpu(gpu);
  if (typeof tf === 'string') return tf;
  return { version: tf.version_core, timeMatmul: (shape, reps, targetMs) => timeOne(tf, shape, reps, targetMs) };
}
