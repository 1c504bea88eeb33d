// The lab slice's storage part: what is in the browser's storage (sweeps, finished or resumable, and
// records that could not be read), restoring it at page start, opening and deleting stored sweeps.
// Storage errors become notices, never exceptions in the page.
import type { StateCreator } from 'zustand';
import { openIndexedDbStore, type ResultStore, type StorageProblem, type StoredSweep } from '../lab/persist';
import { messageOf } from './labModel';
import type { LabSlice } from './labSlice';

export type StorageStatus = 'idle' | 'loading' | 'ready' | 'unavailable';

export interface LabStorageSlice {
  storageStatus: StorageStatus;
  /** Newest first; unfinished ones carry the last checkpoint of each run (resume from there). */
  storedSweeps: StoredSweep[];
  /** Records skipped as unreadable (each names its sweep, which can be deleted). */
  storageProblems: StorageProblem[];
  /** Reads storage; shows the newest stored sweep when nothing is open (a link's settings stay in the editor).
   *  Call at page start and after a run. */
  restoreSaved: (store?: ResultStore) => Promise<void>;
  openSaved: (sweepId: string) => void;
  deleteSaved: (sweepId: string, store?: ResultStore) => Promise<void>;
}

let pageStore: Promise<ResultStore> | undefined;

/** The page's IndexedDB store, opened once (a failed open is retried next time). */
export function labResultStore(): Promise<ResultStore> {
  pageStore ??= openIndexedDbStore().catch((error: unknown) => {
    pageStore = undefined;
    throw error;
  });
  return pageStore;
}

export const createLabStorageSlice: StateCreator<LabSlice, [], [], LabStorageSlice> = (set, get) => ({
  storageStatus: 'idle',
  storedSweeps: [],
  storageProblems: [],

  async restoreSaved(store) {
    set({ storageStatus: 'loading' });
    try {
      const { sweeps, problems } = await (store ?? (await labResultStore())).loadAll();
      const known = new Set(get().storageProblems.map((p) => p.message));
      set({ storageStatus: 'ready', storedSweeps: sweeps, storageProblems: problems });
      const newest = sweeps[0];
      if (!get().results && newest) {
        const { sweep, sweepFromLink } = get();
        get().loadResults(newest.results, newest.sweepId);
        if (sweepFromLink) set({ sweep }); // the link's settings stay in the editor beside the stored results
      }
      // Only new problems are news: after a run, its own notice (an error, "Cancelled") must stay in view.
      if (problems.some((p) => !known.has(p.message))) set({ notice: { kind: 'warning', message: `Some stored results could not be read and were skipped (delete them under "Saved in this browser", or re-import their results): ${problems.map((p) => p.message).join('; ')}` } });
    } catch (error) {
      set({ storageStatus: 'unavailable', notice: { kind: 'error', message: messageOf(error) } });
    }
  },

  openSaved(sweepId) {
    const stored = get().storedSweeps.find((s) => s.sweepId === sweepId);
    if (!stored) {
      set({ notice: { kind: 'error', message: `No stored sweep ${sweepId}.` } });
      return;
    }
    get().loadResults(stored.results, stored.sweepId);
    set({ shared: undefined });
  },

  async deleteSaved(sweepId, store) {
    try {
      await (store ?? (await labResultStore())).deleteSweep(sweepId);
      set((s) => ({
        storedSweeps: s.storedSweeps.filter((x) => x.sweepId !== sweepId),
        storageProblems: s.storageProblems.filter((p) => p.sweepId !== sweepId),
        ...(s.sweepId === sweepId ? { results: undefined, sweepId: undefined, live: {}, selectedRunIds: [] } : {}),
      }));
    } catch (error) {
      set({ notice: { kind: 'error', message: messageOf(error) } });
    }
  },
});
