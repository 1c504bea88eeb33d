// Export and import of results: the results JSON (the runner's schema, importable again) and CSV tables
// for spreadsheets (runs with their key metrics; plasticity by lambda across seeds; probes; spectra).
// CSV follows RFC 4180: comma separated, CRLF line ends, fields with a comma, quote or line break quoted,
// quotes doubled; empty cells for missing or non-finite numbers.
import { strToU8, zipSync } from 'fflate';
import { countedFinetunes, summarize } from './measure/stats';
import { parseResults, ResultsError, resultsToJson, type Results, type RunResult, type Spectrum } from './results';
import type { TaskName } from './sweep';

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The results document as the runner writes it (NaN/Infinity as null); importResultsJson reads it back. */
export function exportResultsJson(results: Results): string {
  return resultsToJson(results);
}

/** plasticity-lab-lab-2026-11-26.json, plasticity-lab-lab-2026-11-26-runs.csv */
export function exportFileName(results: Results, suffix: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `plasticity-lab-${safe(results.sweep.preset)}-${safe(results.createdAt.slice(0, 10))}${suffix}`;
}

/** Validates a file's text as results; the error names the file and the bad field(s). */
export function importResultsJson(text: string, fileName = 'the file'): Results {
  if (text.trim() === '') throw new ImportError(`${fileName} is empty`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`${fileName} is not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ImportError(`${fileName} is not a Plasticity Lab results file (expected a JSON object)`);
  const kind = (data as { kind?: unknown }).kind;
  if (kind !== 'plasticity-lab-results') {
    const sweepLike = 'lambdas' in data && 'preset' in data;
    throw new ImportError(`${fileName} is not a Plasticity Lab results file (kind: ${JSON.stringify(kind) ?? 'missing'}${sweepLike ? '; it looks like a sweep definition' : ''})`);
  }
  try {
    return parseResults(data, fileName);
  } catch (error) {
    if (error instanceof ResultsError) throw new ImportError(error.message);
    throw error;
  }
}

// ---- CSV ----

export type CsvCell = string | number | boolean | null | undefined;

/** One CSV field. Text starting with = + - @ gets a leading ' so spreadsheets do not run it as a formula. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const finetuneOf = (run: RunResult, task: TaskName) => run.finetunes.find((f) => f.task === task);
const meanOf = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** One row per run: the run's key numbers, then score, gain and answer NLL per task of the sweep. */
export function runsCsv(results: Results): string {
  const tasks = results.sweep.tasks.map((t) => t.name);
  const header = ['run', 'lambda', 'seed', 'status', 'S', 'shrink', 'tau_over_T', 'steps', 'tokens', 'pretrain_seconds', 'tokens_per_second'];
  header.push('val_bpc', 'seen_bpc', 'unseen_bpc', 'train_val_gap', 'perturbation_bpc_increase', 'domain_zero_shot_bpc', 'qk_pseudo_rank2_mean', 'vo_pseudo_rank2_mean');
  for (const t of tasks) header.push(`${t}_score`, `${t}_gain`, `${t}_answer_nll`, `${t}_steps_to_50`, `${t}_forgetting`);
  header.push('error', 'device');
  const rows = results.runs.map((r) => {
    const b = r.base;
    const ranks = (side: 'qk' | 'vo') => meanOf(b?.spectra.map((s) => s[side].pseudoRank2) ?? []);
    const p = r.pretrain;
    const row: CsvCell[] = [r.id, r.lambda, r.seed, r.status, r.timescale.S, r.timescale.shrink, r.timescale.tauOverT, p?.steps, p?.tokens, p?.seconds, p?.tokensPerSecond];
    row.push(b?.valBitsPerChar, b?.seenBitsPerChar, b?.unseenBitsPerChar, b?.trainValGap, b?.perturbation?.bitsPerCharIncrease, b?.domainBitsPerChar, ranks('qk'), ranks('vo'));
    for (const t of tasks) {
      const f = finetuneOf(r, t);
      row.push(f?.score.value, f?.gain, f?.score.answerNll, f?.stepsTo50, f?.forgetting);
    }
    row.push(r.error, r.device);
    return row;
  });
  return toCsv(header, rows);
}

const finiteOf = (xs: readonly (number | null | undefined)[]): number[] => xs.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** Values of one quantity across the seeds of one lambda (finite only). */
function seedValues(runs: readonly RunResult[], pick: (r: RunResult) => number | null | undefined): number[] {
  return finiteOf(runs.map(pick));
}

function summaryRow(lambda: number, quantity: string, task: string, metric: string, values: number[]): CsvCell[] {
  if (values.length === 0) return [lambda, quantity, task, metric, 0, null, null, null, null];
  const s = summarize(values);
  return [lambda, quantity, task, metric, s.n, s.mean, s.std, s.ci95?.lo, s.ci95?.hi];
}

/**
 * Plasticity by lambda: each quantity summarized across seeds (mean, sample std, 95% t interval), counted by
 * the charts' and the report's rule: base measurements of every run that has them, fine-tune measurements
 * from countedFinetunes (finished fine-tunes, whatever the run's status; one per lambda and seed).
 */
export function plasticityCsv(results: Results): string {
  const header = ['lambda', 'quantity', 'task', 'metric', 'n', 'mean', 'std', 'ci95_lo', 'ci95_hi'];
  const rows: CsvCell[][] = [];
  const lambdas = [...new Set([...results.sweep.lambdas, ...results.runs.map((r) => r.lambda)])].sort((a, b) => a - b);
  const counted = new Map(results.sweep.tasks.map(({ name }) => [name, countedFinetunes(results.runs, name).map((c) => c.finetune)] as const));
  for (const lambda of lambdas) {
    const group = results.runs.filter((r) => r.lambda === lambda);
    rows.push(summaryRow(lambda, 'base_val_bpc', '', 'bpc', seedValues(group, (r) => r.base?.valBitsPerChar)));
    rows.push(summaryRow(lambda, 'train_val_gap', '', 'bpc', seedValues(group, (r) => r.base?.trainValGap)));
    for (const { name } of results.sweep.tasks) {
      const fts = counted.get(name)!.filter((f) => group.some((r) => r.finetunes.includes(f)));
      const metric = fts[0]?.score.metric ?? group.flatMap((r) => r.finetunes).find((f) => f.task === name)?.score.metric ?? '';
      rows.push(summaryRow(lambda, 'score', name, metric, finiteOf(fts.map((f) => f.score.value))));
      rows.push(summaryRow(lambda, 'gain', name, metric, finiteOf(fts.map((f) => f.gain))));
      const nll = finiteOf(fts.map((f) => f.score.answerNll));
      if (nll.length) rows.push(summaryRow(lambda, 'answer_nll', name, 'nats_per_char', nll));
    }
  }
  return toCsv(header, rows);
}

/** One row per run, probe, layer and pooling. */
export function probesCsv(results: Results): string {
  const header = ['run', 'lambda', 'seed', 'probe', 'layer', 'pooling', 'accuracy', 'untrained_accuracy'];
  const rows = results.runs.flatMap((r) => (r.base?.probes ?? []).map((p): CsvCell[] => [r.id, r.lambda, r.seed, p.probe, p.layer, p.pooling, p.accuracy, p.untrained]));
  return toCsv(header, rows);
}

/** One row per run, layer and head: pseudo-ranks and effective rank of W_Q W_K^T and W_V W_O. */
export function spectraCsv(results: Results): string {
  const header = ['run', 'lambda', 'seed', 'layer', 'head'];
  for (const side of ['qk', 'vo']) header.push(`${side}_pseudo_rank2`, `${side}_pseudo_rank3`, `${side}_effective_rank`);
  const ranks = (m: Spectrum['qk']): CsvCell[] => [m.pseudoRank2, m.pseudoRank3, m.effectiveRank];
  const rows = results.runs.flatMap((r) => (r.base?.spectra ?? []).map((s): CsvCell[] => [r.id, r.lambda, r.seed, s.layer, s.head, ...ranks(s.qk), ...ranks(s.vo)]));
  return toCsv(header, rows);
}

export const CSV_TABLES = { runs: runsCsv, plasticity: plasticityCsv, probes: probesCsv, spectra: spectraCsv } as const;
export type CsvTableName = keyof typeof CSV_TABLES;

/** Every table, keyed by the file suffix the page offers ("-runs.csv", ...). */
export function exportCsvTables(results: Results): Record<CsvTableName, string> {
  return { runs: runsCsv(results), plasticity: plasticityCsv(results), probes: probesCsv(results), spectra: spectraCsv(results) };
}

/** The four CSV tables in one zip (one download, not four): <stem>-runs.csv, -plasticity.csv, ... inside. */
export function csvTablesZip(results: Results): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(exportCsvTables(results))) files[exportFileName(results, `-${name}.csv`)] = strToU8(text);
  return zipSync(files, { level: 6 }) as Uint8Array<ArrayBuffer>;
}

/** How long a download's blob URL lives: a browser may start reading it after click() returns. */
export const DOWNLOAD_URL_LIFETIME_MS = 10_000;

/** Browser download of a file (the page's export buttons); its URL is revoked once the download has it. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
}

/** Browser download of a text file. */
export function downloadText(fileName: string, text: string, type = 'text/plain'): void {
  downloadBlob(fileName, new Blob([text], { type }));
}
