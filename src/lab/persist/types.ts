// The one interface the lab runner writes results and checkpoints through: IndexedDB in the page
// (indexedDb.ts), files in Node (the CLI). Everything read back is validated with the results schemas; a
// corrupt record is reported by name and skipped, never allowed to break the page.
import type { ControlResult, Results, RunResult } from '../results';

/**
 * Where a checkpoint was taken: 'pretrain' (mid-pretraining, to resume), 'base' (the pretrained model the
 * fine-tunes start from), or 'finetune:<TASK>' (mid-fine-tuning).
 */
export type CheckpointPhase = string;

/** What a checkpoint is, without its bytes (cheap to list at page start). */
export interface CheckpointInfo {
  sweepId: string;
  runId: string;
  phase: CheckpointPhase;
  /** Optimizer updates done in that phase when it was taken. */
  step: number;
  byteLength: number;
  savedAt: string;
}

export interface Checkpoint extends CheckpointInfo {
  bytes: ArrayBuffer;
}

/** A sweep in storage, for a list. */
export interface SweepListing {
  sweepId: string;
  name: string;
  preset: string;
  createdAt: string;
  updatedAt: string;
  runsFinished: number;
  runsTotal: number;
  finished: boolean;
  checkpointBytes: number;
}

export interface StoredSweep {
  sweepId: string;
  /** Runs not yet stored are absent; a finished sweep has every run of sweepRuns in a terminal status. */
  results: Results;
  finished: boolean;
  /** The most recent checkpoint of each run that has one (resume from here). */
  lastCheckpoints: Record<string, CheckpointInfo>;
  /** All of the sweep's checkpoints together. */
  checkpointBytes: number;
}

/** A record that could not be read; sweepId ('?' if unreadable) lets the page offer to delete it. */
export interface StorageProblem {
  sweepId: string;
  message: string;
}

export interface LoadedStorage {
  /** Newest first. */
  sweeps: StoredSweep[];
  /** One per record that could not be read (corrupt, from another version): it was skipped. */
  problems: StorageProblem[];
}

export interface ResultStore {
  /** Creates or replaces a sweep's document (its runs too, those it holds). */
  saveSweep(sweepId: string, results: Results): Promise<void>;
  /** Creates or replaces one run (call at every status change: that is what survives a reload). */
  saveRun(sweepId: string, run: RunResult): Promise<void>;
  /** Creates or replaces one random-init control (same task and seed). */
  saveControl(sweepId: string, control: ControlResult): Promise<void>;
  saveCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase, bytes: ArrayBuffer, step: number): Promise<void>;
  /** undefined when there is none; throws StoredRecordError when it is corrupt. */
  loadCheckpoint(sweepId: string, runId: string, phase: CheckpointPhase): Promise<Checkpoint | undefined>;
  /** Frees a run's checkpoints (all phases, or one). */
  deleteCheckpoints(sweepId: string, runId: string, phase?: CheckpointPhase): Promise<void>;
  /** Throws StoredRecordError when the sweep is missing or corrupt. */
  loadSweep(sweepId: string): Promise<StoredSweep>;
  listSweeps(): Promise<SweepListing[]>;
  /** Everything, for page start: finished sweeps to show, unfinished ones with their last checkpoints. */
  loadAll(): Promise<LoadedStorage>;
  deleteSweep(sweepId: string): Promise<void>;
}

/** Base of the errors a ResultStore throws. */
export class PersistError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersistError';
  }
}

/** The browser's storage quota is used up: the message tells the user what to do. */
export class StorageFullError extends PersistError {
  constructor(what: string, usage?: string, options?: { cause?: unknown }) {
    super(`browser storage is full: could not save ${what}${usage ? ` (${usage})` : ''}. Delete old sweeps or export them (results JSON) and then delete them.`, options);
    this.name = 'StorageFullError';
  }
}

/** A record read back failed validation (or is missing): names the record and the bad fields. */
export class StoredRecordError extends PersistError {
  constructor(message: string) {
    super(message);
    this.name = 'StoredRecordError';
  }
}
