// The pretraining corpus in the page: loaded from the app's own origin with progress, verified against the
// manifest's sha256, cached (Cache API) so a reload does not download it again.
import type { StateCreator } from 'zustand';
import type { Corpus } from '../data/corpus';
import { loadCorpus } from '../data/load';
import type { DataFileName } from '../data/manifest';

/** What pretraining needs; task files load when a task does. */
export const PRETRAINING_FILES: readonly DataFileName[] = ['train', 'validation'];

export type CorpusStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface CorpusSlice {
  corpusStatus: CorpusStatus;
  corpusProgress: { receivedBytes: number; totalBytes: number; fromCache: boolean };
  corpusError?: string;
  corpus?: Corpus;
  loadCorpus: () => Promise<void>;
}

export const createCorpusSlice: StateCreator<CorpusSlice> = (set, get) => ({
  corpusStatus: 'idle',
  corpusProgress: { receivedBytes: 0, totalBytes: 0, fromCache: false },

  async loadCorpus() {
    if (get().corpusStatus === 'loading' || get().corpusStatus === 'ready') return;
    set({ corpusStatus: 'loading', corpusError: undefined });
    let lastUpdate = 0;
    try {
      const corpus = await loadCorpus({
        files: PRETRAINING_FILES,
        onProgress: ({ receivedBytes, totalBytes, fromCache }) => {
          const now = performance.now();
          // Progress arrives per network chunk: update the store at most every 50 ms.
          if (now - lastUpdate < 50 && receivedBytes < totalBytes) return;
          lastUpdate = now;
          set({ corpusProgress: { receivedBytes, totalBytes, fromCache } });
        },
      });
      set({ corpusStatus: 'ready', corpus });
    } catch (error) {
      set({ corpusStatus: 'error', corpusError: String((error as Error).message ?? error) });
    }
  },
});
