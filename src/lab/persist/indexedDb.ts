// The page's ResultStore: IndexedDB (through `idb`). Four object stores: sweeps (the document without its
// runs), runs (one record per run, rewritten at each status change), checkpointInfo (what each checkpoint
// is, listed cheaply at page start) and checkpoints (the bytes, read only to resume). Writes that hit the
// quota throw StorageFullError; reads are validated (records.ts) and corrupt records reported by name.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ControlResult, Results, RunResult } from '../results';
import { assembleSweeps, CheckpointRecordSchema, describeIssues, listingOf, runRecord, SweepRecordSchema, sweepRecord, upsertControl, type RunRecord, type SweepRecord } from './records';
import {
  PersistError,
  StorageFullError,
  StoredRecordError,
  type Checkpoint,
  type CheckpointInfo,
  type CheckpointPhase,
  type LoadedStorage,
  type ResultStore,
  type StoredSweep,
  type SweepListing,
} from './types';

export const DB_NAME = 'plasticity-lab';
const DB_VERSION = 1;

type RunKey = [string, string];
type CheckpointKey = [string, string, string];

interface LabDb extends DBSchema {
  sweeps: { key: string; value: SweepRecord };
  runs: { key: RunKey; value: RunRecord; indexes: { bySweep: string } };
  checkpointInfo: { key: CheckpointKey; value: CheckpointInfo; indexes: { bySweep: string; byRun: RunKey } };
  checkpoints: { key: CheckpointKey; value: Checkpoint; indexes: { bySweep: string; byRun: RunKey } };
}

type Db = IDBPDatabase<LabDb>;

/** Quota errors as the browsers name them (Chrome/Safari: QuotaExceededError; old Firefox: NS_ERROR_DOM_QUOTA_REACHED). */
export function isQuotaError(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return !!e && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22 || e.code === 1014);
}

async function usageText(): Promise<string | undefined> {
  try {
    const estimate = await globalThis.navigator?.storage?.estimate?.();
    if (!estimate?.usage || !estimate.quota) return undefined;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    return `${mb(estimate.usage)} of ${mb(estimate.quota)} used`;
  } catch {
    return undefined;
  }
}

/** Runs a write; a quota error becomes StorageFullError, anything else a PersistError naming what was written. */
async function guardWrite(what: string, write: () => Promise<unknown>, verb: 'save' | 'delete' = 'save'): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (isQuotaError(error)) throw new StorageFullError(what, await usageText(), { cause: error });
    if (error instanceof PersistError) throw error;
    throw new PersistError(`could not ${verb} ${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

const now = (): string => new Date().toISOString();

function upgrade(db: Db): void {
  db.createObjectStore('sweeps', { keyPath: 'sweepId' });
  db.createObjectStore('runs', { keyPath: ['sweepId', 'runId'] }).createIndex('bySweep', 'sweepId');
  for (const name of ['checkpointInfo', 'checkpoints'] as const) {
    const store = db.createObjectStore(name, { keyPath: ['sweepId', 'runId', 'phase'] });
    store.createIndex('bySweep', 'sweepId');
    store.createIndex('byRun', ['sweepId', 'runId']);
  }
}

export interface IndexedDbStoreOptions {
  /** Database name (tests use their own). */
  name?: string;
}

/** Opens (creating or upgrading) the lab's database; throws PersistError when the browser has no storage. */
export async function openIndexedDbStore(options: IndexedDbStoreOptions = {}): Promise<ResultStore & { close(): void }> {
  let db: Db;
  try {
    db = await openDB<LabDb>(options.name ?? DB_NAME, DB_VERSION, {
      upgrade: (database) => upgrade(database),
      blocking: () => db.close(), // another tab upgrades: let it
    });
  } catch (error) {
    throw new PersistError(`browser storage is unavailable (${(error as Error)?.message ?? error}): results will not survive a reload; export them`, { cause: error });
  }
  return new IndexedDbResultStore(db);
}

/** Reads fail as PersistError naming what was read (the page shows the message). */
async function guardRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PersistError) throw error;
    throw new PersistError(`could not read ${what} from browser storage: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

class IndexedDbResultStore implements ResultStore {
  constructor(private readonly db: Db) {}

  close(): void {
    this.db.close();
  }

  saveSweep(sweepId: string, results: Results): Promise<void> {
    return guardWrite(`sweep "${results.sweep.name}"`, async () => {
      const savedAt = now();
      const sweep = sweepRecord(sweepId, results, savedAt); // validated before anything is written
      const runs = results.runs.map((r) => runRecord(sweepId, r, savedAt));
      const tx = this.db.transaction(['sweeps', 'runs'], 'readwrite');
      await Promise.all([tx.objectStore('sweeps').put(sweep), ...runs.map((r) => tx.objectStore('runs').put(r)), tx.done]);
    });
  }

  saveRun(sweepId: string, run: RunResult): Promise<void> {
    return guardWrite(`run ${run.id}`, async () => {
      const record = runRecord(sweepId, run, now());
      const tx = this.db.transaction('runs', 'readwrite');
      await Promise.all([tx.store.put(record), tx.done]);
    });
  }

  saveControl(sweepId: string, control: ControlResult): Promise<void> {
    return guardWrite(`control ${control.task} seed ${control.seed}`, async () => {
      const tx = this.db.transaction('sweeps', 'readwrite');
      const parsed = SweepRecordSchema.safeParse(await tx.store.get(sweepId));
      if (!parsed.success) throw new StoredRecordError(`cannot add a control to sweep ${sweepId}: it is not stored or is corrupt`);
      const header = { ...parsed.data.header, controls: upsertControl(parsed.data.header.controls, control), updatedAt: now() };
      await Promise.all([tx.store.put({ ...parsed.data, header, savedAt: now() }), tx.done]);
    });
  }

  saveCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase, bytes: ArrayBuffer, step: number): Promise<void> {
    return guardWrite(`the ${phase} checkpoint of run ${runId} (${(bytes.byteLength / 2 ** 20).toFixed(1)} MB)`, async () => {
      const info: CheckpointInfo = { sweepId, runId, phase, step, byteLength: bytes.byteLength, savedAt: now() };
      const tx = this.db.transaction(['checkpoints', 'checkpointInfo'], 'readwrite');
      await Promise.all([tx.objectStore('checkpoints').put({ ...info, bytes }), tx.objectStore('checkpointInfo').put(info), tx.done]);
    });
  }

  async loadCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase): Promise<Checkpoint | undefined> {
    const raw = await guardRead(`the ${phase} checkpoint of run ${runId}`, () => this.db.get('checkpoints', [sweepId, runId, phase]));
    if (raw === undefined) return undefined;
    const parsed = CheckpointRecordSchema.safeParse(raw);
    if (!parsed.success) throw new StoredRecordError(`the ${phase} checkpoint of run ${runId} (sweep ${sweepId}) is corrupt (${describeIssues(parsed.error)}); the run must restart`);
    return parsed.data;
  }

  deleteCheckpoints(sweepId: string, runId: string, phase?: CheckpointPhase): Promise<void> {
    return guardWrite(`the checkpoints of run ${runId}`, () => this.deleteCheckpointRecords(sweepId, runId, phase), 'delete');
  }

  private async deleteCheckpointRecords(sweepId: string, runId: string, phase?: CheckpointPhase): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'checkpointInfo'], 'readwrite');
    for (const name of ['checkpoints', 'checkpointInfo'] as const) {
      const store = tx.objectStore(name);
      const keys = phase === undefined ? await store.index('byRun').getAllKeys([sweepId, runId]) : [[sweepId, runId, phase] as CheckpointKey];
      for (const key of keys) await store.delete(key);
    }
    await tx.done;
  }

  async loadSweep(sweepId: string): Promise<StoredSweep> {
    const { sweeps, problems } = await guardRead(`sweep ${sweepId}`, async () => {
      const tx = this.db.transaction(['sweeps', 'runs', 'checkpointInfo']);
      const [sweep, runs, infos] = await Promise.all([
        tx.objectStore('sweeps').get(sweepId),
        tx.objectStore('runs').index('bySweep').getAll(sweepId),
        tx.objectStore('checkpointInfo').index('bySweep').getAll(sweepId),
      ]);
      return assembleSweeps(sweep ? [sweep] : [], runs, infos);
    });
    if (sweeps[0]) return sweeps[0];
    throw new StoredRecordError(problems.find((p) => p.sweepId === sweepId)?.message ?? `no stored sweep ${sweepId}`);
  }

  async listSweeps(): Promise<SweepListing[]> {
    return (await this.loadAll()).sweeps.map(listingOf);
  }

  loadAll(): Promise<LoadedStorage> {
    return guardRead('the stored sweeps', async () => {
      const tx = this.db.transaction(['sweeps', 'runs', 'checkpointInfo']);
      const [sweeps, runs, infos] = await Promise.all([tx.objectStore('sweeps').getAll(), tx.objectStore('runs').getAll(), tx.objectStore('checkpointInfo').getAll()]);
      return assembleSweeps(sweeps, runs, infos);
    });
  }

  deleteSweep(sweepId: string): Promise<void> {
    return guardWrite(`sweep ${sweepId}`, () => this.deleteSweepRecords(sweepId), 'delete');
  }

  private async deleteSweepRecords(sweepId: string): Promise<void> {
    const tx = this.db.transaction(['sweeps', 'runs', 'checkpointInfo', 'checkpoints'], 'readwrite');
    await tx.objectStore('sweeps').delete(sweepId);
    const runs = tx.objectStore('runs');
    for (const key of await runs.index('bySweep').getAllKeys(sweepId)) await runs.delete(key);
    for (const name of ['checkpointInfo', 'checkpoints'] as const) {
      const store = tx.objectStore(name);
      for (const key of await store.index('bySweep').getAllKeys(sweepId)) await store.delete(key);
    }
    await tx.done;
  }
}
