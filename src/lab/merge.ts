// Merging the results of one sweep run in pieces (shards of a job array, or several sessions): the union of
// the runs and controls, in the sweep's order, so a merged sweep reads exactly like one run in one piece.
// Every input must hold the same sweep definition; a run present in several inputs keeps the most finished
// record (a terminal status beats an unfinished one; between equals, the first input's).
import { isFinishedRun, type Results, type RunResult } from './results';
import { canonicalOrder, sweepDifference } from './resultsBook';
import { runId, sweepRuns } from './sweep';

export interface MergeInput {
  /** Where the results came from (a file or directory), for messages. */
  where: string;
  results: Results;
}

export interface MergeOutcome {
  results: Results;
  /** What the merge noticed but did not refuse: duplicates, missing runs, mixed devices. */
  notes: string[];
}

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

const finished = isFinishedRun;

export function mergeResults(inputs: readonly MergeInput[]): MergeOutcome {
  if (!inputs.length) throw new MergeError('nothing to merge: give at least one results file or directory');
  const [first] = inputs;
  for (const input of inputs.slice(1)) {
    const diff = sweepDifference(input.results.sweep, first.results.sweep);
    if (diff) {
      throw new MergeError(`${input.where} holds a different sweep than ${first.where} (they differ in ${diff}): only shards of one sweep definition merge`);
    }
  }
  const notes: string[] = [];
  const runs = new Map<string, { run: RunResult; where: string }>();
  for (const { where, results } of inputs) {
    for (const run of results.runs) {
      const seen = runs.get(run.id);
      if (!seen || (finished(run) && !finished(seen.run))) runs.set(run.id, { run, where });
      if (seen && finished(run) && finished(seen.run)) notes.push(`run ${run.id} is finished in both ${seen.where} and ${where}: kept ${seen.where}'s`);
    }
  }
  const controls = new Map<string, Results['controls'][number]>();
  for (const { results } of inputs) for (const c of results.controls) if (!controls.has(`${c.task}/${c.seed}`)) controls.set(`${c.task}/${c.seed}`, c);

  const devices = [...new Set(inputs.map((i) => i.results.device.adapter))];
  if (devices.length > 1) notes.push(`the inputs ran on ${devices.length} devices (${devices.join('; ')}): each run records its own`);
  const missing = sweepRuns(first.results.sweep).map(runId).filter((id) => !runs.get(id) || !finished(runs.get(id)!.run));
  if (missing.length) notes.push(`${missing.length} of ${sweepRuns(first.results.sweep).length} runs are not finished: ${missing.join(', ')}`);

  const times = (pick: (r: Results) => string) => inputs.map((i) => pick(i.results)).sort();
  const results: Results = {
    ...first.results,
    createdAt: times((r) => r.createdAt)[0],
    updatedAt: times((r) => r.updatedAt).at(-1)!,
    runs: [...runs.values()].map((r) => r.run),
    controls: [...controls.values()],
  };
  return { results: canonicalOrder(results), notes };
}
