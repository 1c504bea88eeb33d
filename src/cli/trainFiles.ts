// What `npm run train` reads and writes in its --out directory (src/cli/train.ts runs the training):
//   checkpoint.bin  the run's last checkpoint (src/train/checkpoint.ts format), replaced at every checkpoint
//   metrics.jsonl   one JSON object a line, by `type`: config (one per session: model, phase, timescale,
//                   adapter, resumedAt), step (loss, lr, gradNorm), eval (valLoss, valBitsPerChar), result (the
//                   PhaseResult of the session's end). Resumed in its own directory it keeps the records up to
//                   the checkpoint's step, without result records, so no step is recorded twice, then appends;
//                   resumed into another --out it starts empty
//   result.json     the run's outcome: preset, seed, model, phase, timescale, result (status completed, cancelled
//                   or diverged)
// A directory that already holds a run is never written into by a new run (it would be destroyed); files are
// replaced through a temporary file and a rename, so a crash never leaves half a checkpoint.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { PRESETS, type PresetName } from '../model/config';
import { decodeCheckpoint, type Checkpoint } from '../train/checkpoint';
import { zodIssueLines } from '../util/zodIssues';

export const CHECKPOINT_FILE = 'checkpoint.bin';
export const METRICS_FILE = 'metrics.jsonl';
export const RESULT_FILE = 'result.json';

/** Replaces `path` whole or not at all: a temporary file beside it, then a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the write's error is the one to report
    }
    throw new Error(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The files of an earlier run in `out`: checkpoint.bin, result.json, a non-empty metrics.jsonl. */
export function runFilesIn(out: string): string[] {
  const nonEmpty = (name: string) => existsSync(join(out, name)) && statSync(join(out, name)).size > 0;
  return [CHECKPOINT_FILE, RESULT_FILE, METRICS_FILE].filter((name) => (name === METRICS_FILE ? nonEmpty(name) : existsSync(join(out, name))));
}

/**
 * Throws, naming --resume and --out, unless the run may write to `out`: it holds no earlier run, or it is
 * the directory of the checkpoint being resumed and that run has no result yet (`finished`: the checkpoint
 * is at its phase's last step; resuming it there would replace the run's result with a zero-step one).
 */
export function assertOutFree(out: string, resume?: string, finished = false): void {
  const further = 'To train it further, start a new run with more --steps.';
  if (resume && resolve(dirname(resume)) === resolve(out)) {
    if (finished && existsSync(join(out, RESULT_FILE))) {
      throw new Error(`--resume ${resume} is the end of a finished run: its result is ${join(out, RESULT_FILE)}; nothing was changed. ${further}`);
    }
    return;
  }
  if (resume && finished) {
    throw new Error(`--resume ${resume} is the end of a finished run: resuming it into --out ${out} would only write a zero-step result there; ` +
      `nothing was changed. ${further}`);
  }
  const held = runFilesIn(out);
  if (!held.length) return;
  const what = `--out ${out} already holds a run (${held.join(', ')}); nothing was changed.`;
  const checkpoint = join(out, CHECKPOINT_FILE);
  if (resume) {
    const there = held.includes(CHECKPOINT_FILE) ? ` To continue the run in ${out}, give --resume ${checkpoint} without --out.` : '';
    throw new Error(`${what} Drop --out to continue the run in ${dirname(resume)}, or choose an empty --out.${there}`);
  }
  const resumeIt = held.includes(CHECKPOINT_FILE) ? `To continue that run, add --resume ${checkpoint}; to` : 'To';
  throw new Error(`${what} ${resumeIt} train a new run, choose another --out (or delete that directory).`);
}

/** The step a metrics record belongs to (step and eval records: step). */
const recordStep = (record: Record<string, unknown>): number | undefined => (typeof record.step === 'number' ? record.step : undefined);

/**
 * Whether a metrics record stays when a run resumes from a checkpoint at `step`: what the run had recorded up to
 * it. The steps after it, which a crash cut off after they were recorded, are trained and recorded again; so is
 * everything from step 0 (a phase resumed at 0 evaluates at 0 again). A `result` record goes (the run goes on:
 * its result comes at the end, once); so does the `config` record of a session that started at `step` or later
 * (everything it recorded is cut: the resumed session's own config record replaces it).
 */
function keptAt(record: Record<string, unknown>, step: number): boolean {
  if (record.type === 'result') return false;
  if (record.type === 'config') return (typeof record.resumedAt === 'number' ? record.resumedAt : 0) < step; // null: the first session, from 0
  const at = recordStep(record);
  return at === undefined || at < step || (at === step && step > 0);
}

/**
 * Rewrites `path` (atomically) keeping the records a run resumed from a checkpoint at `step` has already
 * recorded (keptAt). A line that is not a JSON object (the torn last line of a killed write) is dropped; a
 * missing file stays missing. Returns how many lines were dropped.
 */
export function keepMetricsUpTo(path: string, step: number): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return false;
    }
    return typeof record === 'object' && record !== null && !Array.isArray(record) && keptAt(record as Record<string, unknown>, step);
  });
  if (kept.length !== lines.length || !text.endsWith('\n')) writeFileAtomic(path, kept.map((line) => line + '\n').join(''));
  return lines.length - kept.length;
}

const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

/** What `npm run train` records in a checkpoint's meta (valBatches: since resumed runs are checked against it). */
const TrainMetaSchema = z.object({
  preset: z.enum(PRESET_NAMES),
  seed: z.number().int().min(0),
  lambda: z.number(),
  valBatches: z.number().int().min(1).optional(),
});

export type TrainMeta = z.infer<typeof TrainMetaSchema>;

export interface TrainCheckpoint {
  ckpt: Checkpoint;
  meta: TrainMeta;
}

/** Reads a checkpoint `npm run train` wrote (a pretraining one with its meta); the error names the file. */
export function readTrainCheckpoint(path: string): TrainCheckpoint {
  let ckpt: Checkpoint;
  try {
    ckpt = decodeCheckpoint(new Uint8Array(readFileSync(path)));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`--resume ${path}: cannot read it (${why})`, { cause: error });
  }
  if (ckpt.phase.kind !== 'pretrain' || ckpt.sampler.kind !== 'window-sampler') {
    throw new Error(`--resume ${path} is a ${ckpt.phase.kind} checkpoint, not pretraining`);
  }
  const parsed = z.object({ meta: TrainMetaSchema }).safeParse({ meta: ckpt.meta });
  if (!parsed.success) throw new Error(`--resume ${path} is not a checkpoint of npm run train (${zodIssueLines(parsed.error, 4).join('; ')})`);
  return { ckpt, meta: parsed.data.meta };
}
