// The pretraining corpus in the page: loaded from the app's own origin with progress, verified against the
// manifest's sha256, cached (Cache API) so a reload does not download it again. The store keeps what the
// panel shows (each verified file's size), not the bytes: the worker loads its own copy to train on.
import type { StateCreator } from 'zustand';
import { loadCorpus } from '../data/load';
import type { DataFileName } from '../data/manifest';

/** What pretraining needs; task files load when a task does. */
export const PRETRAINING_FILES: readonly DataFileName[] = ['train', 'validation'];

export interface CorpusFileSize {
  name: DataFileName;
  bytes: number;
}

/** What the panel shows of a loaded corpus: file names and sizes (the bytes are let go). */
export function corpusFileSizes(files: Partial<Record<DataFileName, Uint8Array>>): CorpusFileSize[] {
  return Object.entries(files).map(([name, bytes]) => ({ name: name as DataFileName, bytes: bytes!.length }));
}

export type CorpusStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface CorpusSlice {
  corpusStatus: CorpusStatus;
  corpusProgress: { receivedBytes: number; totalBytes: number; fromCache: boolean };
  corpusError?: string;
  /** The verified files and their sizes in bytes (one byte per character), once the corpus is ready. */
  corpusFiles?: CorpusFileSize[];
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
      set({ corpusStatus: 'ready', corpusFiles: corpusFileSizes(corpus.files) });
    } catch (error) {
      set({ corpusStatus: 'error', corpusError: String((error as Error).message ?? error) });
    }
  },
});
