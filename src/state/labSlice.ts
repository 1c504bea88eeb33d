// The lab's state: the sweep being edited, the single-run settings, the current sweep's results and the live
// metrics streamed from the worker, the runs selected for comparison, a shared view (results opened from a
// link) and one notice for the user. Actions sit next to the state and update it immutably; metric batches
// from the worker land with one store update per call (style.md 14). Storage actions: labStorage.ts.
import { fetchReferenceResults, REFERENCE_RESULTS } from '../lab/referenceResults';
import type { StateCreator } from 'zustand';
import { importResultsJson } from '../lab/exportImport';
import { isFinishedRun, type Results, type RunResult } from '../lab/results';
import { defaultSweep, SweepSchema, type SweepDefinition } from '../lab/sweep';
import type { PresetName } from '../model/config';
import { createLabStorageSlice, type LabStorageSlice } from './labStorage';
import {
  keepKnownRuns,
  mergeMetricBatches,
  messageOf,
  SingleRunSchema,
  upsertRunIn,
  type LiveRun,
  type MetricBatch,
  type Notice,
  type NoticeKind,
  type SharedView,
  type SingleRunSettings,
} from './labModel';
import { buildShareUrl, decodeLabUrl } from './url';
import type { z } from 'zod';
import { zodIssueLines } from '../util/zodIssues';

export interface LabSlice extends LabStorageSlice {
  /** The sweep definition being edited (what "Run sweep" would run). */
  sweep: SweepDefinition;
  /** The edited sweep came from the page's link: restoring stored results at start keeps it. */
  sweepFromLink: boolean;
  singleRun: SingleRunSettings;
  /** The current sweep's results: produced here, restored from storage or imported. Runs keyed by run id. */
  results?: Results;
  /** Its id in storage, when it is stored. */
  sweepId?: string;
  /** Per run id: what is training now (cleared when the run's result arrives). */
  live: Record<string, LiveRun>;
  /** Run ids chosen for comparison, in the order chosen. */
  selectedRunIds: string[];
  /** Results opened from a share link: shown instead of `results` until leaveShared(). */
  shared?: SharedView;
  notice?: Notice;

  /** Validates and sets the sweep; an invalid one leaves the old sweep and sets an error notice naming the fields. */
  setSweep: (next: SweepDefinition) => boolean;
  resetSweep: (preset?: PresetName) => void;
  setSingleRun: (patch: Partial<SingleRunSettings>) => boolean;
  /** Shows a whole results document (its sweep becomes the edited sweep). */
  loadResults: (results: Results, sweepId?: string) => void;
  /** A run's new result from the runner (status change, final numbers). */
  upsertRun: (run: RunResult) => void;
  /** Live points from the worker: one store update for the whole call. */
  appendMetrics: (batches: MetricBatch | readonly MetricBatch[]) => void;
  toggleRunSelected: (runId: string) => void;
  setSelectedRuns: (runIds: readonly string[]) => void;
  /** Settings (and shared results) from a link; a bad link gives the defaults and a notice. */
  applyUrl: (href: string) => void;
  /** A link to the settings and the results in view (their sweep, the sharer's device, now). */
  shareUrl: (baseHref: string, now?: Date) => string;
  leaveShared: () => void;
  /** Imports a results JSON file's text; an invalid file sets an error notice naming the bad field. */
  importResultsText: (text: string, fileName: string) => boolean;
  /** Opens the H200 reference sweep (fetched on request), as an import; a failed fetch sets an error notice. */
  openReference: () => Promise<void>;
  setNotice: (kind: NoticeKind, message: string) => void;
  clearNotice: () => void;
}

/** The results the charts show: the shared ones while a link is open, else the user's own. */
export const selectViewedResults = (s: Pick<LabSlice, 'shared' | 'results'>): Results | undefined => s.shared?.results ?? s.results;

/** One run of the results in view, by id (the same object until that run changes: a narrow selector). */
export const selectRun = (s: Pick<LabSlice, 'shared' | 'results'>, runId: string): RunResult | undefined => selectViewedResults(s)?.runs.find((r) => r.id === runId);

function initialFromLocation(): Pick<LabSlice, 'sweep' | 'sweepFromLink' | 'singleRun' | 'shared' | 'notice'> {
  const href = typeof location === 'undefined' ? '' : location.href;
  const decoded = decodeLabUrl(href);
  const notice: Notice | undefined = decoded.messages.length ? { kind: 'error', message: decoded.messages.join(' ') } : undefined;
  return { sweep: decoded.sweep, sweepFromLink: decoded.fromLink, singleRun: decoded.singleRun, shared: decoded.shared, notice };
}

function issues(error: z.ZodError): string {
  return zodIssueLines(error, Infinity).join('; ');
}

export const createLabSlice: StateCreator<LabSlice> = (set, get, api) => ({
  ...createLabStorageSlice(set, get, api),
  ...initialFromLocation(),
  live: {},
  selectedRunIds: [],

  setSweep(next) {
    const parsed = SweepSchema.safeParse(next);
    if (!parsed.success) {
      set({ notice: { kind: 'error', message: `The sweep was not changed: ${issues(parsed.error)}` } });
      return false;
    }
    // Train's seed follows the grid: seeds edited to "3, 4" must not have Train add seed 0 back to it.
    const { singleRun } = get();
    const seed = parsed.data.seeds.includes(singleRun.seed) ? singleRun.seed : parsed.data.seeds[0];
    set({ sweep: parsed.data, singleRun: { ...singleRun, seed } });
    return true;
  },

  resetSweep: (preset = 'lab') => set({ sweep: defaultSweep(preset) }),

  setSingleRun(patch) {
    const parsed = SingleRunSchema.safeParse({ ...get().singleRun, ...patch });
    if (!parsed.success) {
      set({ notice: { kind: 'error', message: `The run settings were not changed: ${issues(parsed.error)}` } });
      return false;
    }
    set({ singleRun: parsed.data });
    return true;
  },

  loadResults: (results, sweepId) =>
    set((s) => ({ results, sweepId, sweep: results.sweep, live: {}, selectedRunIds: keepKnownRuns(s.selectedRunIds, results) })),

  upsertRun(run) {
    const { results, live } = get();
    if (!results) {
      set({ notice: { kind: 'error', message: `A result for run ${run.id} arrived with no sweep open; it was dropped.` } });
      return;
    }
    const { [run.id]: finishedLive, ...rest } = live;
    set({ results: upsertRunIn(results, run), ...(isFinishedRun(run) && finishedLive ? { live: rest } : {}) });
  },

  appendMetrics(batches) {
    const list: readonly MetricBatch[] = Array.isArray(batches) ? batches : [batches as MetricBatch];
    if (list.length) set((s) => ({ live: mergeMetricBatches(s.live, list) }));
  },

  toggleRunSelected: (runId) =>
    set((s) => ({ selectedRunIds: s.selectedRunIds.includes(runId) ? s.selectedRunIds.filter((id) => id !== runId) : [...s.selectedRunIds, runId] })),

  setSelectedRuns: (runIds) => set({ selectedRunIds: [...new Set(runIds)] }),

  applyUrl(href) {
    const decoded = decodeLabUrl(href);
    set({
      sweep: decoded.sweep,
      sweepFromLink: decoded.fromLink,
      singleRun: decoded.singleRun,
      shared: decoded.shared,
      notice: decoded.messages.length ? { kind: 'error', message: decoded.messages.join(' ') } : undefined,
    });
    set((s) => ({ selectedRunIds: keepKnownRuns(s.selectedRunIds, selectViewedResults(s)) }));
  },

  shareUrl(baseHref, now = new Date()) {
    const { sweep, singleRun } = get();
    const results = selectViewedResults(get());
    return buildShareUrl(baseHref, results?.sweep ?? sweep, singleRun, results, now);
  },

  // Back to the user's own results: the editor shows their sweep again, the selection keeps only their runs.
  leaveShared: () =>
    set((s) => ({ shared: undefined, sweepFromLink: false, sweep: s.results?.sweep ?? s.sweep, selectedRunIds: keepKnownRuns(s.selectedRunIds, s.results) })),

  importResultsText(text, fileName) {
    try {
      const results = importResultsJson(text, fileName);
      get().loadResults(results);
      set({ shared: undefined, notice: { kind: 'info', message: `Imported ${fileName}: ${results.runs.length} runs of "${results.sweep.name}".` } });
      return true;
    } catch (error) {
      set({ notice: { kind: 'error', message: messageOf(error) } });
      return false;
    }
  },

  async openReference() {
    try {
      get().importResultsText(await fetchReferenceResults(), REFERENCE_RESULTS.fileName);
    } catch (error) {
      set({ notice: { kind: 'error', message: messageOf(error) } });
    }
  },

  setNotice: (kind, message) => set({ notice: { kind, message } }),
  clearNotice: () => set({ notice: undefined }),
});
