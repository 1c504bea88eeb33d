// The file ResultStore (Node, the sweep CLI): the same contract as IndexedDB's, on a directory.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResults, resultsToJson, type Results } from '../results';
import { defaultSweep } from '../sweep';
import { CHECKPOINT_DIR, checkpointFileName, INDEX_FILE, openFileStore, RESULTS_FILE } from './files';
import { makeResults } from './fixture';
import { PersistError, StoredRecordError } from './types';

const root = mkdtempSync(join(tmpdir(), 'plasticity-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `store-${++n}`);

/** What a store gives back: the document as JSON would (Infinity -> null). */
const asStored = (r: Results): Results => parseResults(JSON.parse(resultsToJson(r)));

describe('file result store', () => {
  const written = makeResults(defaultSweep('tiny'), 3);
  const full = asStored(written);

  it('a sweep written run by run reads back whole after a reopen, and results.json is a valid results file', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await store.saveSweep('sweep-a', { ...written, runs: [] });
    for (const run of [...written.runs].reverse()) await store.saveRun('sweep-a', run);
    const again = await openFileStore(dir);
    expect(again.sweepId).toBe('sweep-a');
    const { sweeps, problems } = await again.loadAll();
    expect(problems).toEqual([]);
    expect(sweeps[0].results).toEqual(full); // runs back in sweep order
    expect(sweeps[0].finished).toBe(true);
    expect(await again.listSweeps()).toEqual([expect.objectContaining({ sweepId: 'sweep-a', runsFinished: full.runs.length, finished: true })]);
    const file = parseResults(JSON.parse(readFileSync(join(dir, RESULTS_FILE), 'utf8')));
    expect({ ...file, runs: file.runs.length }).toEqual({ ...full, runs: full.runs.length });
  });

  it('controls upsert by task and seed; runs replace by id', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await store.saveSweep('s', { ...full, controls: [] });
    await store.saveControl('s', full.controls[0]);
    await store.saveControl('s', { ...full.controls[0], result: { ...full.controls[0].result, status: 'diverged' } });
    await store.saveRun('s', { ...full.runs[0], status: 'failed', error: 'boom' });
    const back = (await (await openFileStore(dir)).loadSweep('s')).results;
    expect(back.controls).toHaveLength(1);
    expect(back.controls[0].result.status).toBe('diverged');
    expect(back.runs[0]).toMatchObject({ status: 'failed', error: 'boom' });
    expect(back.runs).toHaveLength(full.runs.length);
  });

  it('checkpoints round-trip as bytes, are listed per run, and are deleted by phase or all at once', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await store.saveSweep('s', full);
    const bytes = (count: number, fill: number) => new Uint8Array(count).fill(fill).buffer;
    const [a, b] = [full.runs[0].id, full.runs[1].id];
    await store.saveCheckpoint('s', a, 'pretrain', bytes(100, 1), 4);
    await store.saveCheckpoint('s', a, 'pretrain', bytes(100, 2), 8); // replaces
    await store.saveCheckpoint('s', b, 'finetune:ADD-R', bytes(10, 3), 2);
    expect(existsSync(join(dir, CHECKPOINT_DIR, checkpointFileName(b, 'finetune:ADD-R')))).toBe(true);
    expect(checkpointFileName(b, 'finetune:ADD-R')).toMatch(/\.finetune_ADD-R\.bin$/);
    const again = await openFileStore(dir);
    const stored = await again.loadSweep('s');
    expect(stored.lastCheckpoints[a]).toMatchObject({ phase: 'pretrain', step: 8, byteLength: 100 });
    expect(stored.checkpointBytes).toBe(110);
    expect(new Uint8Array((await again.loadCheckpoint('s', a, 'pretrain'))!.bytes)).toEqual(new Uint8Array(100).fill(2));
    expect(await again.loadCheckpoint('s', a, 'base')).toBeUndefined();
    await again.deleteCheckpoints('s', a, 'pretrain');
    expect(await again.loadCheckpoint('s', a, 'pretrain')).toBeUndefined();
    await again.deleteCheckpoints('s', b);
    expect((await again.loadSweep('s')).lastCheckpoints).toEqual({});
    expect(existsSync(join(dir, CHECKPOINT_DIR, checkpointFileName(b, 'finetune:ADD-R')))).toBe(false);
  });

  it('names what is wrong: a missing checkpoint file, a corrupt run, a corrupt document, another sweep, no sweep yet', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await expect(store.saveRun('s', full.runs[0])).rejects.toThrow(StoredRecordError);
    await store.saveSweep('s', full);
    await store.saveCheckpoint('s', full.runs[0].id, 'base', new ArrayBuffer(8), 1);
    rmSync(join(dir, CHECKPOINT_DIR, checkpointFileName(full.runs[0].id, 'base')));
    await expect(store.loadCheckpoint('s', full.runs[0].id, 'base')).rejects.toThrow(/base checkpoint of run .* file is missing/);
    await expect(store.saveSweep('other', full)).rejects.toThrow(PersistError);
    await expect(store.saveSweep('other', full)).rejects.toThrow(/holds sweep s, not other: use another directory/);

    const json = JSON.parse(readFileSync(join(dir, RESULTS_FILE), 'utf8'));
    json.runs[1].status = 'exploded';
    writeFileSync(join(dir, RESULTS_FILE), JSON.stringify(json));
    const { sweeps, problems } = await (await openFileStore(dir)).loadAll();
    expect(sweeps[0].results.runs).toHaveLength(full.runs.length - 1);
    expect(problems[0].message).toMatch(new RegExp(`stored run ${full.runs[1].id} of sweep s is corrupt .*status`));

    writeFileSync(join(dir, RESULTS_FILE), '{"kind": "plasticity-lab-results"');
    await expect((await openFileStore(dir)).loadSweep('s')).rejects.toThrow(/results\.json is not valid JSON/);
    writeFileSync(join(dir, INDEX_FILE), '{"sweepId": 3}');
    await expect(openFileStore(dir)).rejects.toThrow(/store\.json is corrupt/);
  });

  it('refuses to load a sweep with a run that fails the schema, naming the file and the field, rather than drop the run from the next write', async () => {
    const dir = freshDir();
    await (await openFileStore(dir)).saveSweep('s', full);
    const json = JSON.parse(readFileSync(join(dir, RESULTS_FILE), 'utf8'));
    json.runs[1].status = 'exploded';
    writeFileSync(join(dir, RESULTS_FILE), JSON.stringify(json));
    const store = await openFileStore(dir);
    const message = new RegExp(`^${join(dir, RESULTS_FILE)}: stored run ${full.runs[1].id} of sweep s is corrupt \\(run\\.status: .*\\)\\. Nothing was changed`);
    await expect(store.loadSweep('s')).rejects.toThrow(StoredRecordError);
    await expect(store.loadSweep('s')).rejects.toThrow(message);
    await expect(store.saveRun('s', { ...full.runs[0], status: 'failed', error: 'boom' })).rejects.toThrow(message); // saving builds on loadSweep
    await expect(store.saveControl('s', full.controls[0])).rejects.toThrow(message);
    expect(JSON.parse(readFileSync(join(dir, RESULTS_FILE), 'utf8'))).toEqual(json); // the bad run and every other are still there
  });

  it('a first saveSweep killed between store.json and results.json leaves a directory that holds no sweep yet: it resumes, or takes another', async () => {
    const killedAfterIndex = async () => {
      const dir = freshDir();
      const blocker = join(dir, `${RESULTS_FILE}.tmp-${process.pid}`);
      const store = await openFileStore(dir);
      mkdirSync(blocker); // results.json cannot be written: the process "dies" after store.json
      await expect(store.saveSweep('s', full)).rejects.toThrow(/could not write .*results\.json/);
      rmSync(blocker, { recursive: true });
      expect([existsSync(join(dir, INDEX_FILE)), existsSync(join(dir, RESULTS_FILE))]).toEqual([true, false]);
      return dir;
    };
    const dir = await killedAfterIndex();
    const again = await openFileStore(dir);
    expect(again.sweepId).toBeUndefined(); // what the sweep CLI resumes from: nothing, so it starts the sweep
    expect(await again.loadAll()).toEqual({ sweeps: [], problems: [] });
    await again.saveSweep('s', full);
    expect((await (await openFileStore(dir)).loadSweep('s')).results).toEqual(full);

    const other = await openFileStore(await killedAfterIndex());
    await other.saveSweep('t', full); // the half-claimed directory is another sweep's to take
    expect(other.sweepId).toBe('t');
    await expect(other.saveSweep('s', full)).rejects.toThrow(/holds sweep t, not s/);
  });

  it('a checkpoint file replaced before store.json recorded it (a kill in between) loads as the file it is, not as corrupt', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await store.saveSweep('s', full);
    const run = full.runs[0].id;
    await store.saveCheckpoint('s', run, 'pretrain', new Uint8Array(100).fill(1).buffer, 4);
    const blocker = join(dir, `${INDEX_FILE}.tmp-${process.pid}`);
    mkdirSync(blocker); // store.json cannot be written: the process "dies" after the checkpoint's rename
    await expect(store.saveCheckpoint('s', run, 'pretrain', new Uint8Array(120).fill(2).buffer, 8)).rejects.toThrow(/could not write .*store\.json/);
    rmSync(blocker, { recursive: true });
    const again = await openFileStore(dir);
    expect((await again.loadSweep('s')).lastCheckpoints[run]).toMatchObject({ step: 4, byteLength: 100 }); // the index: the save before
    const loaded = await again.loadCheckpoint('s', run, 'pretrain');
    expect(loaded).toMatchObject({ runId: run, phase: 'pretrain', byteLength: 120 });
    expect(new Uint8Array(loaded!.bytes)).toEqual(new Uint8Array(120).fill(2));
  });

  it('deleteSweep empties the directory for another sweep', async () => {
    const dir = freshDir();
    const store = await openFileStore(dir);
    await store.saveSweep('s', full);
    await store.saveCheckpoint('s', full.runs[0].id, 'base', new ArrayBuffer(8), 1);
    await store.deleteSweep('s');
    expect(await store.loadAll()).toEqual({ sweeps: [], problems: [] });
    await store.saveSweep('t', full);
    expect((await (await openFileStore(dir)).loadSweep('t')).results.runs).toHaveLength(full.runs.length);
  });
});
