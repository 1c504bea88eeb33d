// The results document of a sweep while it runs: every change goes to the store and to the page (as a
// runner event) at once, so what survives a reload is what the page last showed. Runs stay in sweep order,
// controls in (seed, task) order, so a sweep's results read the same however its runs were split or resumed.
import { upsertControl } from './persist/records';
import type { ControlResult, Results, RunResult } from './results';
import type { RunnerHost } from './runnerContext';
import { pendingRun } from './runnerPlan';
import { runId, sweepRuns, type RunKey, type SweepDefinition } from './sweep';

/** Canonical JSON (object keys sorted): equality of definitions whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** The first field where two sweep definitions differ ('lambdas', 'finetune.lr', ...), or null if equal. */
export function sweepDifference(a: unknown, b: unknown, path = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const diff = sweepDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (diff) return diff;
    }
  }
  return path || '(root)';
}

/** Runs in sweepRuns order (any others after); controls by seed order, then task order. */
export function canonicalOrder(results: Results): Results {
  const order = new Map(sweepRuns(results.sweep).map((k, i) => [runId(k), i]));
  const runs = [...results.runs].sort((a, b) => (order.get(a.id) ?? order.size) - (order.get(b.id) ?? order.size));
  const seedAt = (s: number) => results.sweep.seeds.indexOf(s);
  const taskAt = (t: string) => results.sweep.tasks.findIndex((x) => x.name === t);
  const controls = [...results.controls].sort((a, b) => seedAt(a.seed) - seedAt(b.seed) || taskAt(a.task) - taskAt(b.task));
  return { ...results, runs, controls };
}

export class ResultsBook {
  results: Results;

  constructor(private readonly host: RunnerHost, private readonly sweepId: string, sweep: SweepDefinition, resume?: Results) {
    const now = new Date().toISOString();
    this.results = resume
      ? { ...resume, sweep, device: host.device, updatedAt: now }
      : { kind: 'plasticity-lab-results', version: 1, sweep, createdAt: now, updatedAt: now, device: host.device, runs: [], controls: [] };
  }

  /** Adds a pending record for each run not yet in the results and saves the whole document. */
  async start(keys: readonly RunKey[]): Promise<void> {
    const missing = keys.filter((k) => !this.find(k)).map((k) => pendingRun(this.results.sweep, k, this.host.device.adapter));
    this.results = canonicalOrder({ ...this.results, runs: [...this.results.runs, ...missing] });
    await this.host.store.saveSweep(this.sweepId, this.results);
    for (const run of missing) this.host.emit({ type: 'run', run }); // queued, for the runs table
  }

  find(key: RunKey): RunResult | undefined {
    return this.results.runs.find((r) => r.id === runId(key));
  }

  hasControl(seed: number, task: string): boolean {
    return this.results.controls.some((c) => c.seed === seed && c.task === task);
  }

  async saveRun(run: RunResult): Promise<void> {
    const others = this.results.runs.filter((r) => r.id !== run.id);
    this.results = canonicalOrder({ ...this.results, runs: [...others, run], updatedAt: new Date().toISOString() });
    await this.host.store.saveRun(this.sweepId, run);
    this.host.emit({ type: 'run', run });
  }

  async saveControl(control: ControlResult): Promise<void> {
    this.results = canonicalOrder({ ...this.results, controls: upsertControl(this.results.controls, control), updatedAt: new Date().toISOString() });
    await this.host.store.saveControl(this.sweepId, control);
    this.host.emit({ type: 'control', control });
  }
}
