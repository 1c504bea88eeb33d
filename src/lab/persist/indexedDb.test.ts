import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseResults, resultsToJson, type Results } from '../results';
import { defaultSweep } from '../sweep';
import { makeResults } from './fixture';
import { DB_NAME, isQuotaError, openIndexedDbStore } from './indexedDb';
import { StorageFullError, StoredRecordError, type ResultStore } from './types';

let dbCount = 0;
const open: { close(): void }[] = [];
async function freshStore(name = `test-${++dbCount}`): Promise<ResultStore & { close(): void }> {
  const store = await openIndexedDbStore({ name });
  open.push(store);
  return store;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  vi.restoreAllMocks();
});

/** What IndexedDB gives back: the document as JSON would (Infinity -> null, as the runner writes it). */
const asStored = (r: Results): Results => parseResults(JSON.parse(resultsToJson(r)));

/** Raw access for planting corrupt records. */
function rawPut(dbName: string, storeName: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction(storeName, 'readwrite');
      tx.objectStore(storeName).put(value);
      tx.oncomplete = () => (req.result.close(), resolve());
      tx.onerror = () => reject(tx.error);
    };
  });
}

describe('IndexedDB result store', () => {
  const written = makeResults(defaultSweep('lab'), 5); // tau/T is Infinity at lambda 0, as the runner writes it
  const full = asStored(written);

  it('a sweep written run by run reads back whole and finished after a reopen (page reload)', async () => {
    const name = `reload-${++dbCount}`;
    const store = await freshStore(name);
    await store.saveSweep('sweep-a', { ...written, runs: [] });
    for (const run of [...written.runs].reverse()) await store.saveRun('sweep-a', run);
    store.close();

    const again = await freshStore(name);
    const { sweeps, problems } = await again.loadAll();
    expect(problems).toEqual([]);
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0].finished).toBe(true);
    const { updatedAt, ...rest } = sweeps[0].results;
    expect(rest).toEqual({ ...full, updatedAt: undefined }); // runs back in sweep order
    expect(updatedAt > full.updatedAt).toBe(true); // the last run's save, later than the fixture's header
    expect(await again.listSweeps()).toEqual([expect.objectContaining({ sweepId: 'sweep-a', runsFinished: 15, runsTotal: 15, finished: true, checkpointBytes: 0 })]);
    expect(DB_NAME).toBe('plasticity-lab');
  });

  it('a run saved later makes its sweep the newest: listed first, with that time (restore and resume pick it)', async () => {
    const store = await freshStore();
    const clock = vi.spyOn(Date.prototype, 'toISOString');
    clock.mockReturnValue('2026-11-26T07:00:00.000Z');
    await store.saveSweep('older', { ...written, runs: [], updatedAt: '2026-11-26T07:00:00.000Z' });
    clock.mockReturnValue('2026-11-26T08:00:00.000Z');
    await store.saveSweep('newer', { ...written, runs: [], updatedAt: '2026-11-26T08:00:00.000Z' });
    expect((await store.loadAll()).sweeps.map((s) => s.sweepId)).toEqual(['newer', 'older']);
    clock.mockReturnValue('2026-11-26T09:00:00.000Z');
    await store.saveRun('older', written.runs[0]);
    const { sweeps } = await store.loadAll();
    expect(sweeps.map((s) => [s.sweepId, s.results.updatedAt])).toEqual([['older', '2026-11-26T09:00:00.000Z'], ['newer', '2026-11-26T08:00:00.000Z']]);
  });

  it('an unfinished sweep lists the last checkpoint of each run; checkpoints round-trip as bytes', async () => {
    const store = await freshStore();
    const partial: Results = { ...full, runs: [full.runs[0], { ...full.runs[1], status: 'pretraining', pretrain: null, base: null, finetunes: [] }] };
    await store.saveSweep('s', partial);
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill).buffer;
    await store.saveCheckpoint('s', full.runs[1].id, 'pretrain', bytes(1000, 1), 100);
    await new Promise((r) => setTimeout(r, 5));
    await store.saveCheckpoint('s', full.runs[1].id, 'pretrain', bytes(1000, 2), 200); // replaces the first
    await store.saveCheckpoint('s', full.runs[0].id, 'base', bytes(64, 3), 3000);
    await new Promise((r) => setTimeout(r, 5));
    await store.saveCheckpoint('s', full.runs[0].id, 'finetune:ADD-R', bytes(64, 4), 10);

    const [sweep] = (await store.loadAll()).sweeps;
    expect(sweep.finished).toBe(false);
    expect(sweep.lastCheckpoints[full.runs[1].id]).toMatchObject({ phase: 'pretrain', step: 200, byteLength: 1000 });
    expect(sweep.lastCheckpoints[full.runs[0].id]).toMatchObject({ phase: 'finetune:ADD-R', step: 10 });
    expect(sweep.checkpointBytes).toBe(1000 + 64 + 64);

    const back = await store.loadCheckpoint('s', full.runs[1].id, 'pretrain');
    expect(back?.step).toBe(200);
    expect(new Uint8Array(back!.bytes)).toEqual(new Uint8Array(1000).fill(2));
    expect(await store.loadCheckpoint('s', full.runs[1].id, 'base')).toBeUndefined();

    await store.deleteCheckpoints('s', full.runs[0].id);
    expect(await store.loadCheckpoint('s', full.runs[0].id, 'base')).toBeUndefined();
    expect(Object.keys((await store.loadSweep('s')).lastCheckpoints)).toEqual([full.runs[1].id]);
  });

  it('controls are added one by one; deleteSweep removes the sweep, its runs and checkpoints', async () => {
    const store = await freshStore();
    await store.saveSweep('keep', full);
    await store.saveSweep('drop', { ...full, controls: [] });
    for (const c of full.controls.slice(0, 3)) await store.saveControl('drop', c);
    await store.saveControl('drop', full.controls[0]); // same task and seed: replaced, not added
    expect((await store.loadSweep('drop')).results.controls).toHaveLength(3);
    await store.saveCheckpoint('drop', full.runs[0].id, 'base', new ArrayBuffer(8), 1);

    await store.deleteSweep('drop');
    expect((await store.listSweeps()).map((s) => s.sweepId)).toEqual(['keep']);
    expect(await store.loadCheckpoint('drop', full.runs[0].id, 'base')).toBeUndefined();
    await expect(store.loadSweep('drop')).rejects.toThrow(/no stored sweep drop/);
    await expect(store.saveControl('drop', full.controls[0])).rejects.toThrow(/not stored/);
  });

  it('a run that would not read back is refused when written, naming the field', async () => {
    const store = await freshStore();
    await expect(store.saveRun('s', { ...full.runs[0], base: { ...full.runs[0].base!, probes: [{ ...full.runs[0].base!.probes[0], accuracy: NaN }] } })).rejects.toThrow(
      /run wd0-s0 was not saved: it would not read back \(run\.base\.probes\.0\.accuracy/,
    );
  });

  it('a full quota is reported as such, with what to do', async () => {
    const store = await freshStore();
    await store.saveSweep('s', { ...full, runs: [] });
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const saving = store.saveCheckpoint('s', full.runs[0].id, 'base', new ArrayBuffer(3 * 2 ** 20), 1);
    await expect(saving).rejects.toBeInstanceOf(StorageFullError);
    await expect(store.saveRun('s', full.runs[0])).rejects.toThrow(/^browser storage is full: could not save run wd0-s0\. Delete old sweeps or export them/);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
  });

  it('corrupt records are named and skipped; the rest still loads', async () => {
    const name = `corrupt-${++dbCount}`;
    const store = await freshStore(name);
    await store.saveSweep('good', full);
    await store.saveSweep('bad-header', full);
    store.close();
    const badRun = { ...full.runs[4], lambda: 'oops' };
    await rawPut(name, 'runs', { sweepId: 'good', runId: badRun.id, savedAt: 'x', run: badRun });
    await rawPut(name, 'sweeps', { sweepId: 'bad-header', savedAt: 'x', header: { kind: 'something else' } });
    await rawPut(name, 'checkpoints', { sweepId: 'good', runId: 'wd0-s0', phase: 'base', step: 1, byteLength: 4, savedAt: 'x', bytes: 'not bytes' });

    const again = await freshStore(name);
    const { sweeps, problems } = await again.loadAll();
    expect(sweeps.map((s) => s.sweepId)).toEqual(['good']);
    expect(sweeps[0].results.runs).toHaveLength(14);
    expect(sweeps[0].finished).toBe(false); // the unreadable run must be run again
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.sweepId === 'good')?.message).toMatch(new RegExp(`stored run ${badRun.id} of sweep good is corrupt \\(run\\.lambda`));
    expect(problems.find((p) => p.sweepId === 'bad-header')?.message).toMatch(/stored sweep bad-header is corrupt.*header\.kind/);
    await expect(again.loadCheckpoint('good', 'wd0-s0', 'base')).rejects.toBeInstanceOf(StoredRecordError);
    await expect(again.loadCheckpoint('good', 'wd0-s0', 'base')).rejects.toThrow(/base checkpoint of run wd0-s0 \(sweep good\) is corrupt \(bytes/);
  });
});
