// The WebGPU engine: the same steps as the CPU spec (cpu.ts), in the same order, with the GPU kernels.
// Work is queued into one command encoder and submitted in batches of many steps: no readback inside a
// step. Each step's inputs are staged in a ring and copied in by one copy command; each step's loss and
// gradient norm are copied to result rings that are read back when the batch is flushed. A flush happens
// when a ring fills, when a result is awaited (a zero-delay timer), or before any read of parameters.
import type { Gpu } from '../gpu/adapter';
import { createBuffer } from '../gpu/buffers';
import { encodeDispatches, type Dispatch } from '../gpu/dispatch';
import { GpuFaultError, withErrorScope } from '../gpu/faults';
import { readF32 } from '../gpu/readback';
import { adamwStep, writeAdamwSchedule, type AdamwOptimizer, type TensorRange } from '../kernels/adamw';
import { attentionBackwardKernel, attentionForwardKernel, prepareAttention } from '../kernels/attention';
import { allKernels } from '../kernels/index';
import { matmulConfigsFor, matmulKernels, prepareMatmul } from '../kernels/matmul';
import { reduceNorm, type Reduction } from '../kernels/reduce';
import type { ModelConfig } from '../model/config';
import { paramTable, type ParamTable } from '../model/params';
import { checkBatch, type Batch, type Engine, type StepHyper } from './types';
import { buildShapePlan, inputLayout, type ShapePlan } from './webgpuPlan';

/** Steps (or evaluations) per submit at most: the result rings' and the AdamW schedule's capacity. */
export const STEPS_PER_SUBMIT = 64;
/** Batch rows an engine is prepared for by default (tokens = rows x context). */
export const DEFAULT_MAX_ROWS = 64;

type Waiter = { slot: number; resolve: (value: number) => void; reject: (error: Error) => void };

/** The table as AdamW's tensor ranges: contiguous over the flat buffer, alignment padding not decayed. */
export function decayRanges(table: ParamTable): TensorRange[] {
  const ranges: TensorRange[] = [];
  let at = 0;
  for (const s of table.specs) {
    if (s.offset > at) ranges.push({ offset: at, length: s.offset - at, decay: false });
    ranges.push({ offset: s.offset, length: s.size, decay: s.decay });
    at = s.offset + s.size;
  }
  if (at < table.total) ranges.push({ offset: at, length: table.total - at, decay: false });
  return ranges;
}

export class WebGpuEngine implements Engine {
  readonly table: ParamTable;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly gradNorm: GPUBuffer;
  private readonly results: GPUBuffer; // [loss per slot | grad norm per slot]
  private readonly gradNormSum: Reduction;
  private readonly optimizer: AdamwOptimizer;
  private readonly plans = new Map<string, ShapePlan>();
  private encoder: GPUCommandEncoder | null = null;
  /** faults.list's length when this batch's first work was queued: its shape plans are built after it, so a
   *  buffer or bind group that fails to be created is this batch's fault (the root cause, not what it broke). */
  private batchMark = 0;
  private slot = 0; // results written this batch
  private schedule: StepHyper[] = [];
  private waiters: Waiter[] = [];
  private last: ShapePlan | null = null; // plan of the last forward (for backward / readLogits)
  private canBackward = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Dispatches and submits so far: at this scale a step costs dispatches, not FLOPs (architecture.md). */
  readonly counters = { dispatches: 0, submits: 0, steps: 0 };

  private constructor(
    readonly gpu: Gpu,
    readonly config: ModelConfig,
    /** The largest batch (B*T tokens) whose pipelines were prepared. */
    readonly maxTokens: number,
  ) {
    this.table = paramTable(config);
    const bytes = this.table.total * 4;
    [this.params, this.grads, this.m, this.v] = ['params', 'grads', 'adam_m', 'adam_v'].map((n) => createBuffer(gpu, n, bytes));
    this.gradNorm = createBuffer(gpu, 'grad_norm', 4);
    this.results = createBuffer(gpu, 'step_results', 2 * STEPS_PER_SUBMIT * 4);
    this.gradNormSum = reduceNorm(gpu, this.gradNorm, this.grads, this.table.total);
    this.optimizer = adamwStep(gpu, this.params, this.m, this.v, this.grads, this.gradNorm, decayRanges(this.table), this.table.total, {
      capacity: STEPS_PER_SUBMIT,
    });
  }

  /** Compiles every pipeline the model uses (errors name the kernel), then builds the engine. */
  static async create(gpu: Gpu, config: ModelConfig, { maxTokens = DEFAULT_MAX_ROWS * config.T } = {}): Promise<WebGpuEngine> {
    // Matmul and attention are prepared below at the overrides this model uses, not at their defaults.
    const tuned = new Set([...matmulKernels, attentionForwardKernel, attentionBackwardKernel]);
    for (const kernel of allKernels) if (!tuned.has(kernel)) await gpu.pipelines.prepare(kernel);
    const { C, F, V } = config;
    await prepareMatmul(gpu, matmulConfigsFor([[C, 3 * C], [C, C], [C, 2 * F], [F, C], [C, V]], maxTokens, gpu.adapter.limits.maxComputeWorkgroupStorageSize));
    await prepareAttention(gpu, config.T, config.HS);
    // Parameter-sized buffers that cannot be allocated (out of memory, over a limit) fail here, naming the buffer.
    let engine: WebGpuEngine | undefined;
    try {
      return await withErrorScope(gpu.device, gpu.faults, 'WebGpuEngine', () => (engine = new WebGpuEngine(gpu, config, maxTokens)));
    } catch (error) {
      engine?.dispose();
      throw error;
    }
  }

  /** Bytes of GPU memory the engine holds now (parameters, gradients, moments, activations, scratch). */
  get bytesInUse(): number {
    let bytes = 4 * this.params.size + this.results.size;
    for (const plan of this.plans.values()) bytes += plan.bytes;
    return bytes;
  }

  private plan(B: number, T: number): ShapePlan {
    const key = `${B}x${T}`;
    let plan = this.plans.get(key);
    if (!plan) {
      if (B * T > this.maxTokens) throw new Error(`WebGpuEngine: a ${B}x${T} batch exceeds the ${this.maxTokens} tokens this engine was prepared for (WebGpuEngine.create option maxTokens)`);
      plan = buildShapePlan(this.gpu, this.config, this.table, this.params, this.grads, B, T, STEPS_PER_SUBMIT);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** The batch's encoder; creating it starts the batch (and its fault mark). */
  private enc(): GPUCommandEncoder {
    if (!this.encoder) {
      this.batchMark = this.gpu.faults.list.length;
      this.encoder = this.gpu.device.createCommandEncoder({ label: 'train-steps' });
    }
    return this.encoder;
  }

  private pass(label: string, list: readonly Dispatch[]): void {
    const pass = this.enc().beginComputePass({ label });
    encodeDispatches(pass, list);
    pass.end();
    this.counters.dispatches += list.length;
  }

  /** A result slot of this batch, resolved when the batch is read back. Flushes first if the rings are full. */
  private result(offset: number): Promise<number> {
    const slot = offset + this.slot;
    const promise = new Promise<number>((resolve, reject) => this.waiters.push({ slot, resolve, reject }));
    this.flushTimer ??= setTimeout(() => void this.flush(), 0);
    return promise;
  }

  /** Queues a forward pass; its loss lands in result slot `this.slot`. */
  private queueForward(batch: Batch): Promise<number> {
    checkBatch(batch, this.config);
    if (this.slot >= STEPS_PER_SUBMIT) this.flush();
    this.enc(); // before the plan: its creation errors belong to this batch
    const plan = this.plan(batch.B, batch.T);
    const BT = batch.B * batch.T;
    const io = inputLayout(BT);
    const data = new ArrayBuffer(io.bytes);
    new Uint32Array(data, io.tokens, BT).set(batch.tokens);
    new Uint32Array(data, io.targets, BT).set(batch.targets);
    new Float32Array(data, io.weights, BT).set(batch.weights);
    // Ordered after every earlier submit and before this batch's: the step reads exactly these inputs.
    this.gpu.device.queue.writeBuffer(plan.inputRing, this.slot * io.bytes, data);
    this.enc().copyBufferToBuffer(plan.inputRing, this.slot * io.bytes, plan.inputs, 0, io.bytes);
    this.pass('forward', plan.forward);
    this.enc().copyBufferToBuffer(plan.loss, 0, this.results, this.slot * 4, 4);
    this.last = plan;
    return this.result(0);
  }

  /** async: a refused batch is a rejected promise, as on the CPU engine. */
  async forward(batch: Batch): Promise<number> {
    const loss = this.queueForward(batch);
    this.canBackward = true;
    this.slot++;
    return loss;
  }

  async evalLoss(batch: Batch): Promise<number> {
    const loss = this.queueForward(batch);
    this.canBackward = false;
    this.slot++;
    return loss;
  }

  async backward(): Promise<void> {
    if (!this.canBackward || !this.last) throw new Error('WebGpuEngine.backward: needs forward() first (evalLoss() discards activations)');
    this.canBackward = false;
    this.enc().clearBuffer(this.last.dres);
    this.pass('backward', this.last.backward);
  }

  /** Global gradient norm and the clipped AdamW update; resolves to the pre-clip norm of this step. */
  step(hp: StepHyper): Promise<number> {
    if (this.schedule.length >= STEPS_PER_SUBMIT) this.flush();
    this.schedule.push(hp);
    this.pass('adamw', [...this.gradNormSum.dispatches, ...this.optimizer.dispatches]);
    // The step's forward took slot - 1; its gradient norm goes beside its loss.
    const slot = Math.max(0, this.slot - 1);
    this.enc().copyBufferToBuffer(this.gradNorm, 0, this.results, (STEPS_PER_SUBMIT + slot) * 4, 4);
    this.counters.steps++;
    const promise = new Promise<number>((resolve, reject) => this.waiters.push({ slot: STEPS_PER_SUBMIT + slot, resolve, reject }));
    this.flushTimer ??= setTimeout(() => void this.flush(), 0);
    return promise;
  }

  /**
   * Submits everything queued and reads this batch's losses and norms back (one map for the whole batch).
   * Returns when the GPU has finished the batch; a GPU error rejects every pending result with its label.
   */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.encoder) return this.flushing;
    const { device } = this.gpu;
    if (this.schedule.length) writeAdamwSchedule(this.gpu, this.optimizer, this.schedule);
    const readback = device.createBuffer({ label: 'step_results:readback', size: this.results.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.encoder.copyBufferToBuffer(this.results, 0, readback, 0, this.results.size);
    const mark = this.batchMark;
    device.queue.submit([this.encoder.finish()]);
    this.counters.submits++;
    const waiters = this.waiters;
    this.encoder = null;
    this.waiters = [];
    this.schedule = [];
    this.slot = 0;
    this.flushing = readback.mapAsync(GPUMapMode.READ).then(
      () => {
        const values = new Float32Array(readback.getMappedRange().slice(0));
        readback.destroy();
        const fault = this.gpu.faults.list[mark];
        for (const w of waiters) {
          if (fault) w.reject(new GpuFaultError(fault));
          else w.resolve(values[w.slot]);
        }
      },
      (error: Error) => {
        readback.destroy();
        waiters.forEach((w) => w.reject(error));
      },
    );
    return this.flushing;
  }

  async readLogits(): Promise<Float32Array> {
    if (!this.last) throw new Error('WebGpuEngine.readLogits: no forward() or evalLoss() yet');
    await this.flush();
    return readF32(this.gpu, this.last.logits, this.last.B * this.last.T * this.config.V);
  }

  /** res0..resL of the last forward or evalLoss (the residual-stream buffers its plan keeps). */
  async readHiddenStates(): Promise<Float32Array[]> {
    const plan = this.last;
    if (!plan) throw new Error('WebGpuEngine.readHiddenStates: no forward() or evalLoss() yet');
    await this.flush();
    return Promise.all(plan.res.map((buffer) => readF32(this.gpu, buffer, plan.B * plan.T * this.config.C)));
  }

  async readParams(): Promise<Float32Array> {
    await this.flush();
    return readF32(this.gpu, this.params, this.table.total);
  }

  async readGrads(): Promise<Float32Array> {
    await this.flush();
    return readF32(this.gpu, this.grads, this.table.total);
  }

  /** Both Adam moments (checkpoints). */
  async readMoments(): Promise<{ m: Float32Array; v: Float32Array }> {
    await this.flush();
    return { m: await readF32(this.gpu, this.m, this.table.total), v: await readF32(this.gpu, this.v, this.table.total) };
  }

  async writeParams(params: Float32Array): Promise<void> {
    if (params.length !== this.table.total) throw new Error(`WebGpuEngine.writeParams: ${params.length} floats, the table has ${this.table.total}`);
    await this.flush();
    this.gpu.device.queue.writeBuffer(this.params, 0, params);
    const zeros = new Float32Array(this.table.total);
    this.gpu.device.queue.writeBuffer(this.m, 0, zeros);
    this.gpu.device.queue.writeBuffer(this.v, 0, zeros);
  }

  /** Restores parameters and both moments (resuming from a checkpoint). */
  async writeState(params: Float32Array, m: Float32Array, v: Float32Array): Promise<void> {
    await this.writeParams(params);
    this.gpu.device.queue.writeBuffer(this.m, 0, m);
    this.gpu.device.queue.writeBuffer(this.v, 0, v);
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const plan of this.plans.values()) plan.release();
    this.plans.clear();
    this.gradNormSum.release();
    this.optimizer.release();
    for (const b of [this.params, this.grads, this.m, this.v, this.gradNorm, this.results]) b.destroy();
  }
}
