// What `npm run train` reads and writes in its --out directory (src/cli/train.ts runs the training):
//   checkpoint.bin  the run's last checkpoint (src/train/checkpoint.ts format), replaced at every checkpoint
//   metrics.jsonl   one JSON object a line: config, step, eval, result (appended to when resuming)
//   result.json     the run's outcome
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
  if (resume && resolve(dirname(resume)) === resolve(out)) {
    if (finished && existsSync(join(out, RESULT_FILE))) {
      throw new Error(`--resume ${resume} is the end of a finished run: its result is ${join(out, RESULT_FILE)}; nothing was changed. ` +
        'To train it further, start a new run with more --steps.');
    }
    return;
  }
  const held = runFilesIn(out);
  if (!held.length) return;
  const what = `--out ${out} already holds a run (${held.join(', ')}); nothing was changed.`;
  if (resume) throw new Error(`${what} Drop --out to continue the run in ${dirname(resume)}, or choose an empty --out.`);
  const checkpoint = join(out, CHECKPOINT_FILE);
  const resumeIt = held.includes(CHECKPOINT_FILE) ? `To continue that run, add --resume ${checkpoint}; to` : 'To';
  throw new Error(`${what} ${resumeIt} train a new run, choose another --out (or delete that directory).`);
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
