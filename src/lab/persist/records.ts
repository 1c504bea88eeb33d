// Stored record shapes (validated on every read) and the pure assembly of stored records into sweeps:
// shared by every ResultStore (IndexedDB in the page, files in Node), so both read back the same way.
import { z } from 'zod';
import { ControlSchema, isFinishedRun, ResultsSchema, RunResultSchema, TERMINAL_STATUSES, type ControlResult, type Results, type RunResult } from '../results';
import { runId, sweepRuns } from '../sweep';
import { PersistError, type CheckpointInfo, type LoadedStorage, type StoredSweep, type SweepListing } from './types';
import { zodIssueLines } from '../../util/zodIssues';

const id = z.string().min(1).max(200);

/** A sweep's document without its runs (each run is its own record, written as it happens). */
export const SweepRecordSchema = z.object({ sweepId: id, savedAt: z.string(), header: ResultsSchema.omit({ runs: true }) });
export const RunRecordSchema = z
  .object({ sweepId: id, runId: id, savedAt: z.string(), run: RunResultSchema })
  .refine((r) => r.run.id === r.runId, { message: 'run.id differs from the record key', path: ['run', 'id'] });
export const CheckpointInfoSchema = z.object({
  sweepId: id,
  runId: id,
  phase: id,
  step: z.number().int().min(0),
  byteLength: z.number().int().min(0),
  savedAt: z.string(),
});
export const CheckpointRecordSchema = CheckpointInfoSchema.extend({ bytes: z.instanceof(ArrayBuffer) }).refine((c) => c.bytes.byteLength === c.byteLength, {
  message: 'byteLength differs from the stored bytes',
  path: ['bytes'],
});

export type SweepRecord = z.infer<typeof SweepRecordSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** As JSON would store it (NaN and Infinity as null, what the schema reads back), validated before it is written. */
function storable<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const plain = JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  const parsed = schema.safeParse(plain);
  if (!parsed.success) throw new PersistError(`${what} was not saved: it would not read back (${describeIssues(parsed.error)})`);
  return parsed.data;
}

export const sweepRecord = (sweepId: string, { runs: _runs, ...header }: Results, savedAt: string): SweepRecord =>
  storable(SweepRecordSchema, { sweepId, savedAt, header }, `sweep ${sweepId}`);
export const runRecord = (sweepId: string, run: RunResult, savedAt: string): RunRecord => storable(RunRecordSchema, { sweepId, runId: run.id, savedAt, run }, `run ${run.id}`);

/** `controls` with `control` replacing the one of the same task and seed (or added). */
export function upsertControl(controls: readonly ControlResult[], control: ControlResult): ControlResult[] {
  const parsed = storable(ControlSchema, control, `control ${control.task} seed ${control.seed}`);
  const rest = controls.filter((c) => !(c.task === parsed.task && c.seed === parsed.seed));
  return [...rest, parsed];
}

/** What is wrong with a record, in one line: the first few bad fields. */
export function describeIssues(error: z.ZodError): string {
  return zodIssueLines(error, 4).join('; ');
}

const keyOf = (raw: unknown, field: string): string => {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : '?';
};


/** Latest checkpoint per run (by time, then step). */
function lastCheckpoints(infos: readonly CheckpointInfo[]): Record<string, CheckpointInfo> {
  const last: Record<string, CheckpointInfo> = {};
  for (const c of infos) {
    const seen = last[c.runId];
    if (!seen || c.savedAt > seen.savedAt || (c.savedAt === seen.savedAt && c.step > seen.step)) last[c.runId] = c;
  }
  return last;
}

/** Runs in the sweep's order (seeds outer, lambdas inner), any others after. */
function orderRuns(results: Omit<Results, 'runs'>, runs: RunResult[]): RunResult[] {
  const order = new Map(sweepRuns(results.sweep).map((k, i) => [runId(k), i]));
  return [...runs].sort((a, b) => (order.get(a.id) ?? order.size) - (order.get(b.id) ?? order.size));
}

export function isFinished(results: Results): boolean {
  const status = new Map(results.runs.map((r) => [r.id, r.status]));
  return sweepRuns(results.sweep).every((k) => TERMINAL_STATUSES.has(status.get(runId(k)) ?? 'pending'));
}

/** Validated sweeps from raw records; corrupt records become problems (named) and are skipped. */
export function assembleSweeps(rawSweeps: readonly unknown[], rawRuns: readonly unknown[], rawInfos: readonly unknown[]): LoadedStorage {
  const problems: LoadedStorage['problems'] = [];
  const runsBySweep = new Map<string, RunResult[]>();
  const lastRunSave = new Map<string, string>(); // a run's save is the sweep's latest activity (saveRun writes no header)
  for (const raw of rawRuns) {
    const parsed = RunRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const sweepId = keyOf(raw, 'sweepId');
      problems.push({ sweepId, message: `stored run ${keyOf(raw, 'runId')} of sweep ${sweepId} is corrupt (${describeIssues(parsed.error)})` });
      continue;
    }
    const { sweepId, savedAt } = parsed.data;
    runsBySweep.set(sweepId, [...(runsBySweep.get(sweepId) ?? []), parsed.data.run]);
    if (savedAt > (lastRunSave.get(sweepId) ?? '')) lastRunSave.set(sweepId, savedAt);
  }
  const infosBySweep = new Map<string, CheckpointInfo[]>();
  for (const raw of rawInfos) {
    const parsed = CheckpointInfoSchema.safeParse(raw);
    if (!parsed.success) continue; // a bad index entry only loses a resume point; loadCheckpoint re-validates
    infosBySweep.set(parsed.data.sweepId, [...(infosBySweep.get(parsed.data.sweepId) ?? []), parsed.data]);
  }
  const sweeps: StoredSweep[] = [];
  for (const raw of rawSweeps) {
    const parsed = SweepRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const sweepId = keyOf(raw, 'sweepId');
      const message = `stored sweep ${sweepId} is corrupt (${describeIssues(parsed.error)})`;
      problems.push({ sweepId, message });
      continue;
    }
    const { sweepId, header } = parsed.data;
    const runSaved = lastRunSave.get(sweepId) ?? '';
    const updatedAt = runSaved > header.updatedAt ? runSaved : header.updatedAt;
    const results: Results = { ...header, updatedAt, runs: orderRuns(header, runsBySweep.get(sweepId) ?? []) };
    const infos = infosBySweep.get(sweepId) ?? [];
    sweeps.push({ sweepId, results, finished: isFinished(results), lastCheckpoints: lastCheckpoints(infos), checkpointBytes: infos.reduce((n, c) => n + c.byteLength, 0) });
  }
  sweeps.sort((a, b) => (a.results.updatedAt < b.results.updatedAt ? 1 : a.results.updatedAt > b.results.updatedAt ? -1 : 0));
  return { sweeps, problems };
}

export function listingOf(stored: StoredSweep): SweepListing {
  const { results } = stored;
  const total = sweepRuns(results.sweep).length;
  return {
    sweepId: stored.sweepId,
    name: results.sweep.name,
    preset: results.sweep.preset,
    createdAt: results.createdAt,
    updatedAt: results.updatedAt,
    runsFinished: results.runs.filter(isFinishedRun).length,
    runsTotal: total,
    finished: stored.finished,
    checkpointBytes: stored.checkpointBytes,
  };
}
