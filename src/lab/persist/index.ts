// Persistence of sweeps, runs and checkpoints behind one interface (types.ts). The page's implementation is
// IndexedDB (indexedDb.ts); a Node one (files) implements the same ResultStore and can reuse records.ts to
// validate and assemble what it reads back.
export * from './types';
export { assembleSweeps, CheckpointInfoSchema, CheckpointRecordSchema, describeIssues, isFinished, listingOf, runRecord, sweepRecord, upsertControl } from './records';
export { DB_NAME, isQuotaError, openIndexedDbStore } from './indexedDb';
