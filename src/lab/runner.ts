// The experiment runner: a sweep (data) in, results out, the same code in the page's worker and the CLI.
// Each (lambda, seed) run is an independent unit, a flat list of phases:
//
//   pretrain  -> base model        pretrain.ts   (checkpoints 'pretrain' along the way, 'base' at the end)
//   measure   -> base measurements measureBase.ts
//   fine-tune -> one result a task finetune.ts   (checkpoints 'finetune:<TASK>' along the way)
//
// then, per seed, a random-init control per task (sweep.randomInitControl). Every status change of a run is
// written to the store and emitted; every phase resumes from the store's checkpoints (segments.ts), so a
// reload, a crash or a cancel loses at most one checkpoint interval, and resuming gives the same numbers as
// not stopping. Runs already finished in options.resume are skipped; shards (options.runs) merge into the
// sweep's results (merge.ts). Divergence ends a run as 'diverged' with the reason and the sweep moves on. A
// cancel returns the results so far. Any other error is recorded in the run (which stays resumable) and
// rethrown: the worker recovers a lost device and resumes; the CLI exits and a rerun resumes.
import type { Engine } from '../engine/types';
import { initParams } from '../model/init';
import type { PhaseControl } from '../train/control';
import { checkTrainingMemory, maxFittingBatchOf, type MemoryLimits } from '../train/memory';
import { finetuneTask } from './finetune';
import { measureBase, validationBitsPerChar } from './measureBase';
import { loadBase, pretrainRun } from './pretrain';
import { TERMINAL_STATUSES, type FinetuneResult, type Results, type RunResult } from './results';
import { ResultsBook, sweepDifference } from './resultsBook';
import { createContext, RunCancelled, type RunContext, type RunnerHost } from './runnerContext';
import { batchShapes, checkSweepRunnable, runSeeds } from './runnerPlan';
import { runId, runModel, SweepError, sweepRuns, type RunKey, type SweepDefinition, type TaskSpec } from './sweep';
import { fullTestLimit, scoreTask } from './taskScores';

export type { RunnerEvent, RunnerHost } from './runnerContext';
export { checkSweepRunnable, maxBatchTokens, requiredDataFiles } from './runnerPlan';

export interface SweepOptions {
  sweepId: string;
  /** Which runs (default: all of sweepRuns); a shard's, or the one run Train adds. */
  runs?: RunKey[];
  signal?: AbortSignal;
  control?: PhaseControl;
  /** Earlier results of this sweep: finished runs are skipped, unfinished ones resume from checkpoints. */
  resume?: Results;
}


function checkRequest(sweep: SweepDefinition, keys: readonly RunKey[], resume?: Results): void {
  const outside = keys.filter((k) => !sweep.lambdas.includes(k.lambda) || !sweep.seeds.includes(k.seed));
  if (outside.length) throw new SweepError(`runs ${outside.map(runId).join(', ')} are not in sweep "${sweep.name}" (lambdas ${sweep.lambdas.join(', ')}; seeds ${sweep.seeds.join(', ')})`);
  const diff = resume && sweepDifference(resume.sweep, sweep);
  if (diff) throw new SweepError(`the results to resume are from another sweep definition ("${resume.sweep.name}", differs in ${diff}): start a new sweep instead`);
}

/** A host that may know the device's memory limits before any engine exists (the worker and CLI do). */
export type SweepHost = RunnerHost & {
  /** The device's buffer limits and, where the host knows one, a total budget (MemoryLimits.budgetBytes). */
  memoryLimits?: MemoryLimits;
};

/** The device's buffer limits, where the engine has a device (WebGpuEngine); the CPU engine has none. */
function deviceLimits(engine: Engine): MemoryLimits | undefined {
  return (engine as { gpu?: { adapter?: { limits?: MemoryLimits } } }).gpu?.adapter?.limits;
}

/** Refuses a sweep whose batches do not fit the device, saying what to change: the batch fields over the
 *  largest batch that fits (batchShapes: [0] pretraining, [1] fine-tuning; the evaluation rows are the preset's). */
function checkMemory(limits: MemoryLimits | undefined, sweep: SweepDefinition): void {
  if (!limits) return;
  const [model, shapes] = [runModel(sweep), batchShapes(sweep)];
  const check = checkTrainingMemory(model, shapes, limits);
  if (check.fits) return;
  const cap = maxFittingBatchOf(model, shapes, limits, [0, 1]);
  const over = ([['pretrain.batch', sweep.pretrain.batch], ['finetune.batch', sweep.finetune.batch]] as const).filter(([, B]) => B > cap);
  const fix = cap > 0 && over.length ? `lower ${over.map(([field]) => `${field} to ${cap} or less`).join(' and ')}` : 'choose a smaller preset';
  throw new SweepError(`sweep "${sweep.name}" does not fit this GPU: ${check.problems.join('; ')}. To run it here, ${fix}.`);
}

export async function runSweep(host: SweepHost, sweep: SweepDefinition, options: SweepOptions): Promise<Results> {
  const keys = options.runs ?? sweepRuns(sweep);
  checkRequest(sweep, keys, options.resume);
  checkSweepRunnable(sweep, host.corpus);
  // Before the engine: creating one compiles every pipeline and allocates the parameter-sized buffers.
  checkMemory(host.memoryLimits, sweep);
  const engine = await host.createEngine(runModel(sweep));
  const book = new ResultsBook(host, options.sweepId, sweep, options.resume);
  try {
    // A host that did not say its limits: the engine's device's (after creating it, as nothing else knows them).
    if (!host.memoryLimits) checkMemory(deviceLimits(engine), sweep);
    await book.start(keys);
    const ctx = createContext(host, sweep, options.sweepId, engine, options);
    for (const key of keys) {
      const status = book.find(key)?.status ?? 'pending';
      if (TERMINAL_STATUSES.has(status)) {
        ctx.log(`${runId(key)}: already ${status}, skipped`);
        continue;
      }
      await ctx.proceed(`the start of run ${runId(key)}`).catch((error: unknown) => recordCancel(book, key, error));
      await runOne(ctx, book, key);
    }
    const controlSeeds = sweep.randomInitControl ? sweep.seeds.filter((s) => keys.some((k) => k.seed === s && k.lambda === sweep.lambdas[0])) : [];
    for (const seed of controlSeeds) for (const spec of sweep.tasks) if (!book.hasControl(seed, spec.name)) await runControl(ctx, book, seed, spec);
    ctx.live.flush();
  } catch (error) {
    if (!(error instanceof RunCancelled)) throw error;
    host.emit({ type: 'log', message: `sweep ${error.message}: finished runs are kept; running it again resumes from the last checkpoints` });
  } finally {
    engine.dispose();
  }
  return book.results;
}

/** A cancel between runs lands on the run that was next, as one inside a run does: a reload must not resume it. */
async function recordCancel(book: ResultsBook, key: RunKey, error: unknown): Promise<never> {
  const run = book.find(key);
  if (error instanceof RunCancelled && run) {
    const event = { time: new Date().toISOString(), kind: 'cancelled', message: error.message };
    await book.saveRun({ ...run, events: [...run.events, event] }).catch(() => {}); // the cancel matters more
  }
  throw error;
}

/** One run, phase after phase; each phase is skipped when the results (or the store) already hold it. */
async function runOne(ctx: RunContext, book: ResultsBook, key: RunKey): Promise<void> {
  let run = book.find(key)!;
  const save = async (patch: Partial<RunResult>, event?: [kind: string, message: string]) => {
    const events = event ? [...run.events, { time: new Date().toISOString(), kind: event[0], message: event[1] }] : run.events;
    run = { ...run, ...patch, events };
    await book.saveRun(run);
  };
  try {
    await save({ device: ctx.host.device.adapter, error: undefined }, ['start', run.status === 'pending' ? 'started' : `resumed while ${run.status}`]);
    let base = await loadBase(ctx, key);
    if (!base) {
      await save({ status: 'pretraining' });
      base = await pretrainRun(ctx, key);
    }
    // The outcome is saved before the checkpoints go: a kill in between must not lose the run's work.
    if (base.status === 'diverged') {
      await save({ status: 'diverged', error: base.reason, pretrain: base.pretrain }, ['diverged', `pretraining diverged: ${base.reason}`]);
      // By phase first: a store may keep pretraining apart from the run's other phases (calibrate's shared bases).
      await ctx.host.store.deleteCheckpoints(ctx.sweepId, run.id, 'pretrain');
      await ctx.host.store.deleteCheckpoints(ctx.sweepId, run.id);
      return;
    }
    const params = base.params!;
    await save({ status: 'measuring', pretrain: base.pretrain }, ['phase', 'pretrained']);
    if (!run.base) await save({ base: await measureBase(ctx, key, params, base.pretrain.steps) }, ['phase', 'measured']);
    for (const spec of ctx.sweep.tasks) {
      if (run.finetunes.some((f) => f.task === spec.name)) continue;
      await ctx.proceed(`${run.id} fine-tuning`);
      await save({ status: 'finetuning' });
      const before = run.base!.zeroShot.find((z) => z.task === spec.name)?.score;
      if (!before) throw new Error(`${run.id}: no zero-shot score of ${spec.name} in its base measurements`);
      // The result is stored before the fine-tune's checkpoint is freed (finetuneTask's `save`).
      const store = async (result: FinetuneResult) => {
        const finetunes = [...run.finetunes, result].sort((a, b) => taskIndex(ctx, a.task) - taskIndex(ctx, b.task));
        await save({ finetunes }, ['phase', `fine-tuned ${spec.name} (${result.status})`]);
      };
      await finetuneTask(ctx, { ownerId: run.id, seed: key.seed, spec, startParams: params, before, valBitsBefore: run.base!.valBitsPerChar, liveId: run.id, save: store });
    }
    await save({ status: 'done' }, ['done', 'done']);
    await ctx.host.store.deleteCheckpoints(ctx.sweepId, run.id);
  } catch (error) {
    const [kind, message] = error instanceof RunCancelled ? ['cancelled', error.message] : ['error', (error as Error)?.message ?? String(error)];
    await save(kind === 'error' ? { error: message } : {}, [kind, message]).catch(() => {}); // the original error matters more
    throw error;
  }
}

const taskIndex = (ctx: RunContext, task: string) => ctx.sweep.tasks.findIndex((t) => t.name === task);

/** Fine-tunes the seed's untrained model on a task: does the task measure anything beyond trainability? */
async function runControl(ctx: RunContext, book: ResultsBook, seed: number, spec: TaskSpec): Promise<void> {
  const { engine, model, sizes } = ctx;
  await ctx.proceed(`control ${spec.name} seed ${seed}`);
  ctx.log(`control: fine-tuning the untrained model of seed ${seed} on ${spec.name}`);
  const startParams = initParams(engine.table, model, runSeeds(seed).init);
  await engine.writeParams(startParams);
  const task = ctx.task(spec.name, seed);
  const before = await scoreTask(engine, task, { rows: sizes.rows, limit: fullTestLimit(task, spec.testSize, model.T), answerNll: true });
  const valBitsBefore = spec.name === 'DOMAIN' ? await validationBitsPerChar(ctx) : null;
  const save = (result: FinetuneResult) => book.saveControl({ task: spec.name, seed, result });
  await finetuneTask(ctx, { ownerId: `control-s${seed}`, seed, spec, startParams, before, valBitsBefore, save });
}
