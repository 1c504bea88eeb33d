// The ResultStore on files, for Node (the sweep CLI). One directory holds one sweep:
//   results.json                    the sweep's results: the schema the page imports, rewritten at every change
//   store.json                      { sweepId, checkpoints: CheckpointInfo[] }: which sweep, which checkpoints
//   checkpoints/<run>.<phase>.bin   checkpoint bytes (src/train/checkpoint.ts format)
// Writes are validated before anything is written (records.ts, as IndexedDB does) and replace files through a
// temporary file and a rename, so a crash never leaves half a file. A kill between two of those writes leaves
// a directory that still opens and resumes: store.json without results.json (the first saveSweep stopped
// half way) holds no sweep yet, and a checkpoint file replaced before store.json recorded it is read as the
// file it is (its bytes describe their own length, which decodeCheckpoint checks). Reads are validated the
// same way (assembleSweeps); a corrupt record is reported by name, and loadSweep (what resuming and saving
// build on) refuses a sweep that has one rather than drop it from the next write. One process writes a
// directory at a time (shards of a job array each get their own directory; sweep-merge combines them).
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ControlResult, Results, RunResult } from '../results';
import { resultsToJson } from '../results';
import { assembleSweeps, CheckpointInfoSchema, CheckpointRecordSchema, describeIssues, listingOf, runRecord, sweepRecord, upsertControl, type SweepRecord } from './records';
import {
  PersistError,
  StoredRecordError,
  type Checkpoint,
  type CheckpointPhase,
  type LoadedStorage,
  type ResultStore,
  type StoredSweep,
  type SweepListing,
} from './types';

export const RESULTS_FILE = 'results.json';
export const INDEX_FILE = 'store.json';
export const CHECKPOINT_DIR = 'checkpoints';

const IndexSchema = z.object({ sweepId: z.string().min(1), checkpoints: z.array(CheckpointInfoSchema) });
type StoreIndex = z.infer<typeof IndexSchema>;

/** A file name for a checkpoint: run and phase with anything but [A-Za-z0-9._-] replaced. */
export function checkpointFileName(runId: string, phase: CheckpointPhase): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(runId)}.${safe(phase)}.bin`;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PersistError(`could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    throw new PersistError(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

const now = (): string => new Date().toISOString();

/** Opens (creating) a sweep directory; throws StoredRecordError if store.json is corrupt. */
export async function openFileStore(dir: string): Promise<FileResultStore> {
  await mkdir(join(dir, CHECKPOINT_DIR), { recursive: true });
  const raw = await readIfExists(join(dir, INDEX_FILE));
  const documented = await stat(join(dir, RESULTS_FILE)).then(() => true, () => false);
  let index: StoreIndex | undefined;
  if (raw) {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new StoredRecordError(`${join(dir, INDEX_FILE)} is not valid JSON`);
    }
    const parsed = IndexSchema.safeParse(json);
    if (!parsed.success) throw new StoredRecordError(`${join(dir, INDEX_FILE)} is corrupt (${describeIssues(parsed.error)})`);
    index = parsed.data;
  }
  return new FileResultStore(dir, index, documented);
}

export class FileResultStore implements ResultStore {
  private header: SweepRecord['header'] | undefined;
  private runs = new Map<string, RunResult>();

  /**
   * `documented`: results.json exists. An index without it claims nothing (the sweep's first saveSweep was
   * killed between its two writes): the directory holds no sweep, and another sweep may take it over.
   */
  constructor(readonly dir: string, private index: StoreIndex | undefined, private documented = index !== undefined) {}

  /** The sweep this directory holds (undefined while it holds no sweep document). */
  get sweepId(): string | undefined {
    return this.documented ? this.index?.sweepId : undefined;
  }

  private claim(sweepId: string): StoreIndex {
    if (this.index && this.index.sweepId !== sweepId) {
      if (this.documented) throw new PersistError(`${this.dir} holds sweep ${this.index.sweepId}, not ${sweepId}: use another directory`);
      this.index = undefined; // an unfinished claim: its checkpoints belong to no sweep document
    }
    this.index ??= { sweepId, checkpoints: [] };
    return this.index;
  }

  /** The stored document's header (and runs), read once: saveRun and saveControl need the sweep saved first. */
  private async loadHeader(sweepId: string): Promise<SweepRecord['header']> {
    if (this.header) return this.header;
    const { runs, ...header } = (await this.loadSweep(sweepId)).results;
    this.runs = new Map(runs.map((r) => [r.id, r]));
    this.header = header;
    return header;
  }

  private async writeResults(): Promise<void> {
    const results = { ...this.header!, runs: [...this.runs.values()] } as Results;
    await writeAtomic(join(this.dir, RESULTS_FILE), resultsToJson(results));
    this.documented = true;
  }

  private writeIndex(): Promise<void> {
    return writeAtomic(join(this.dir, INDEX_FILE), JSON.stringify(this.index, null, 1));
  }

  async saveSweep(sweepId: string, results: Results): Promise<void> {
    const { header } = sweepRecord(sweepId, results, now()); // validated before anything is written
    const runs = results.runs.map((r) => runRecord(sweepId, r, now()).run);
    this.claim(sweepId);
    this.header = header;
    this.runs = new Map(runs.map((r) => [r.id, r]));
    await this.writeIndex();
    await this.writeResults();
  }

  async saveRun(sweepId: string, run: RunResult): Promise<void> {
    const record = runRecord(sweepId, run, now());
    await this.loadHeader(sweepId);
    this.runs.set(record.runId, record.run);
    await this.writeResults();
  }

  async saveControl(sweepId: string, control: ControlResult): Promise<void> {
    const header = await this.loadHeader(sweepId);
    this.header = { ...header, controls: upsertControl(header.controls, control), updatedAt: now() };
    await this.writeResults();
  }

  async saveCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase, bytes: ArrayBuffer, step: number): Promise<void> {
    const index = this.claim(sweepId);
    const info = CheckpointInfoSchema.parse({ sweepId, runId, phase, step, byteLength: bytes.byteLength, savedAt: now() });
    await writeAtomic(join(this.dir, CHECKPOINT_DIR, checkpointFileName(runId, phase)), new Uint8Array(bytes));
    index.checkpoints = [...index.checkpoints.filter((c) => !(c.runId === runId && c.phase === phase)), info];
    await this.writeIndex();
  }

  async loadCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase): Promise<Checkpoint | undefined> {
    const info = this.index?.sweepId === sweepId ? this.index.checkpoints.find((c) => c.runId === runId && c.phase === phase) : undefined;
    if (!info) return undefined;
    const file = await readIfExists(join(this.dir, CHECKPOINT_DIR, checkpointFileName(runId, phase)));
    if (!file) throw new StoredRecordError(`the ${phase} checkpoint of run ${runId} is listed in ${INDEX_FILE} but its file is missing; the run must restart`);
    const bytes = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    // The file's own length, not the index's: saveCheckpoint renames the file into place before store.json
    // records it, so after a kill in between the index describes the previous save (its step and savedAt
    // too). The bytes are what resumes, and decodeCheckpoint refuses a truncated or padded file.
    const parsed = CheckpointRecordSchema.safeParse({ ...info, byteLength: bytes.byteLength, bytes });
    if (!parsed.success) throw new StoredRecordError(`the ${phase} checkpoint of run ${runId} (${this.dir}) is corrupt (${describeIssues(parsed.error)}); the run must restart`);
    return parsed.data;
  }

  async deleteCheckpoints(sweepId: string, runId: string, phase?: CheckpointPhase): Promise<void> {
    if (this.index?.sweepId !== sweepId) return;
    const gone = this.index.checkpoints.filter((c) => c.runId === runId && (phase === undefined || c.phase === phase));
    if (!gone.length) return;
    for (const c of gone) await rm(join(this.dir, CHECKPOINT_DIR, checkpointFileName(c.runId, c.phase)), { force: true });
    this.index.checkpoints = this.index.checkpoints.filter((c) => !gone.includes(c));
    await this.writeIndex();
  }

  /** The sweep, whole: a record that fails the schema is refused rather than skipped, because what is
   *  loaded here is written back (resume, saveRun) and a skipped record would be lost. */
  async loadSweep(sweepId: string): Promise<StoredSweep> {
    const { sweeps, problems } = await this.loadAll();
    if (problems.length) {
      const file = join(this.dir, RESULTS_FILE);
      const what = problems.map((p) => p.message).join('; ');
      throw new StoredRecordError(`${what.includes(file) ? '' : `${file}: `}${what}. Nothing was changed: repair that record, or start over in another directory`);
    }
    const found = sweeps.find((s) => s.sweepId === sweepId);
    if (found) return found;
    throw new StoredRecordError(`${this.dir} holds no sweep ${sweepId}`);
  }

  async listSweeps(): Promise<SweepListing[]> {
    return (await this.loadAll()).sweeps.map(listingOf);
  }

  /** The directory's sweep, validated (results.json split into the records assembleSweeps checks). */
  async loadAll(): Promise<LoadedStorage> {
    const sweepId = this.index?.sweepId;
    const raw = await readIfExists(join(this.dir, RESULTS_FILE));
    if (!sweepId || !raw) return { sweeps: [], problems: [] };
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return { sweeps: [], problems: [{ sweepId, message: `${join(this.dir, RESULTS_FILE)} is not valid JSON` }] };
    }
    const { runs, ...header } = json;
    // One document, one time: its runs were saved when it was (they must not read as newer than the header).
    const savedAt = typeof header.updatedAt === 'string' ? header.updatedAt : now();
    const rawRuns = Array.isArray(runs) ? runs.map((run: { id?: unknown }) => ({ sweepId, runId: run?.id, savedAt, run })) : [];
    return assembleSweeps([{ sweepId, savedAt, header }], rawRuns, this.index?.checkpoints ?? []);
  }

  async deleteSweep(sweepId: string): Promise<void> {
    if (this.index?.sweepId !== sweepId) return;
    await rm(join(this.dir, CHECKPOINT_DIR), { recursive: true, force: true });
    await rm(join(this.dir, RESULTS_FILE), { force: true });
    await rm(join(this.dir, INDEX_FILE), { force: true });
    await mkdir(join(this.dir, CHECKPOINT_DIR), { recursive: true });
    [this.index, this.header, this.documented] = [undefined, undefined, false];
    this.runs.clear();
  }
}
