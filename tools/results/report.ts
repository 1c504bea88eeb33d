// Markdown tables of a results file, from the same derivations the page's charts use (means across seeds with
// 95% Student t intervals; paired differences against the reference lambda): `npm run report -- <results.json>`
// (or a sweep directory, as sweep:merge takes: its results.json). For docs/results/README.md, so every number
// there can be regenerated from the committed file. The markdown goes to stdout, errors to stderr; exit codes 0
// done (a file without finished runs says so), 1 error or bad arguments.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importResultsJson } from '../../src/lab/exportImport';
import { countedControls, countedFinetunes } from '../../src/lab/measure/stats';
import { MEASURE_SIZES } from '../../src/lab/measureSizes';
import { RESULTS_FILE } from '../../src/lab/persist/files';
import type { FinetuneResult, Results, RunResult } from '../../src/lab/results';
import { pretrainSteps, TASKS, type TaskName } from '../../src/lab/sweep';
import { timescale } from '../../src/model/config';
import { bestLambdas, chartLambdas, lambdaAxis, plasticityData, scalarByLambda, stat, type PlasticityView, type Stat } from '../../src/ui/charts/data';
import { clampedView, optimumVerdict } from '../../src/ui/charts/verdict';

type Value = (r: RunResult) => number | null | undefined;

/** "mean ± half-width" (the 95% interval), or "mean (lo to hi)" for an interval cut to what the quantity can be
 *  (clampedView: no longer centred on the mean), or the mean alone with one seed. `digits` decimals; with
 *  `smallAsSignificant`, numbers under 0.01 get `digits` significant digits instead (an answer NLL of 2e-5 nats
 *  reads 0.0000196, not 0.000). */
export function formatStat(s: Stat | null, digits: number, scale = 1, smallAsSignificant = false): string {
  if (!s) return '-';
  const show = (x: number) => {
    const y = x * scale;
    return smallAsSignificant && y !== 0 && Math.abs(y) < 0.01 ? significant(y, digits) : y.toFixed(digits);
  };
  if (!s.band) return show(s.mean);
  const [lo, hi] = s.band;
  const centred = Math.abs(hi - s.mean - (s.mean - lo)) <= 1e-9 * Math.max(1, Math.abs(hi - lo));
  return centred ? `${show(s.mean)} ± ${show((hi - lo) / 2)}` : `${show(s.mean)} (${show(lo)} to ${show(hi)})`;
}

const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const lambdaGroups = (results: Results) => {
  const done = results.runs.filter((r) => r.base);
  return chartLambdas(results).map((lambda) => ({ lambda, runs: done.filter((r) => r.lambda === lambda) }));
};

const meanOver = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const headRanks = (side: 'qk' | 'vo', key: 'pseudoRank2' | 'pseudoRank3' | 'effectiveRank'): Value => (r) => meanOver(r.base?.spectra.map((s) => s[side][key]) ?? []);

/** `digits` significant digits, without trailing zeros or an exponent for everyday sizes (0.0153, 6.46, 1230). */
export const significant = (x: number, digits = 3): string => (Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : 'n/a');

/** S, the sum of the pretraining learning rates: as the runs recorded it, or from the sweep for a file without runs.
 *  (Not runnerPlan's runTimescale: that module reaches the WebGPU engine, whose shaders plain tsx cannot load.) */
export function sumOfLrs(results: Results): number {
  const { peakLr, warmupFrac, minLrFrac } = results.sweep.pretrain;
  return results.runs[0]?.timescale.S ?? timescale({ peakLr, warmupFrac, minLrFrac, steps: pretrainSteps(results.sweep) }, 1).S;
}

/** The base models: loss, gap, robustness, unseen-domain loss and attention ranks, per lambda. */
export function baseTable(results: Results): string {
  const S = sumOfLrs(results);
  const columns: [string, Value, number][] = [
    ['val bits/char', (r) => r.base?.valBitsPerChar, 3],
    ['val - train gap', (r) => r.base?.trainValGap, 3],
    ['perturbation increase', (r) => r.base?.perturbation?.bitsPerCharIncrease, 4],
    ['zero-shot DOMAIN bits/char', (r) => r.base?.domainBitsPerChar, 3],
    ['W_QK pseudo-rank 1e-2', headRanks('qk', 'pseudoRank2'), 1],
    ['W_QK pseudo-rank 1e-3', headRanks('qk', 'pseudoRank3'), 1],
    ['W_VO pseudo-rank 1e-2', headRanks('vo', 'pseudoRank2'), 1],
    ['W_QK entropy rank', headRanks('qk', 'effectiveRank'), 1],
  ];
  const rows = lambdaGroups(results).map(({ lambda, runs }) => [
    String(lambda),
    Math.exp(-lambda * S).toPrecision(2),
    String(runs.length),
    ...columns.map(([, value, digits]) => formatStat(stat(runs.map(value)), digits)),
  ]);
  return table(['lambda', 'exp(-lambda S)', 'seeds', ...columns.map(([name]) => name)], rows);
}

/** A verdict's lines as prose: the headline; the paired numbers; each reading as a sentence of its own. */
const sentence = (lines: string[]) => lines.map((line, i) => (i === 0 ? line : /^[A-Z]/.test(line) ? `. ${line}` : `; ${line}`)).join('');

const digitsOf = (view: PlasticityView) => (view.unit === '%' ? 1 : 3);
/** Percentages to one decimal; losses to 3 decimals, or 3 significant digits under 0.01 (formatStat). */
const showStat = (s: Stat | null, view: PlasticityView) => formatStat(s, digitsOf(view), 1, view.unit !== '%');
const cell = (mean: number | null | undefined, band: [number, number] | null, view: PlasticityView) => showStat(mean == null ? null : { mean, band, n: 0 }, view);

/** "steps to 50%" cells of some fine-tunes: how many reached it, and the mean step of those that did. */
function stepsCells(fts: readonly FinetuneResult[]): string[] {
  const reached = fts.map((f) => f.stepsTo50).filter((s): s is number => typeof s === 'number');
  return [`${reached.length} of ${fts.length}`, reached.length ? formatStat(stat(reached), 0) : '-'];
}


/** How finely "steps to 50%" is resolved: the score curve's checkpoint spacing (median over the fine-tunes) and
 *  the test examples scored at each checkpoint. */
export function stepsResolution(results: Results, fts: readonly FinetuneResult[]): string {
  const gaps = fts.flatMap((f) => (f.scoreCurve?.x ?? []).slice(1).map((x, i) => x - f.scoreCurve!.x[i])).sort((a, b) => a - b);
  const every = gaps.length ? gaps[Math.floor(gaps.length / 2)] : null;
  const examples = MEASURE_SIZES[results.sweep.preset].curveExamples;
  return `steps to 50%: the first fine-tuning checkpoint at which exact match on the first ${examples} test examples reaches 50%${every === null ? '' : `; checkpoints are about ${every} steps apart, so a count is resolved to one interval and differences of one or two intervals are at that resolution`}`;
}

/** One task after fine-tuning: score (and answer NLL), paired difference against the reference (+ = better),
 *  steps to 50%; the random-init control as a last row, in the same columns. */
export function taskTable(results: Results, task: TaskName): string | null {
  const axis = lambdaAxis(chartLambdas(results));
  const views = plasticityData(results.runs, axis, results.controls).find((t) => t.task === task);
  if (!views?.score) return null;
  // As the page shows them: intervals cut to what each quantity can be (a percentage in [0, 100]...).
  const score = clampedView(views.score);
  const shown = [score, ...(views.nll ? [clampedView(views.nll)] : [])];
  const header = ['lambda', 'base val bits/char'];
  for (const v of shown) header.push(`${v.yLabel}`, `vs lambda ${v.referenceLambda} (paired, + = better)`);
  const exact = score.kind === 'exact';
  if (exact) header.push('seeds reaching 50%', 'steps to 50% (those that did)');
  if (task === 'DOMAIN') header.push('forgetting (bits/char)');
  const counted = countedFinetunes(results.runs, task);
  const rows = score.rows.map((row) => {
    const fts = counted.filter(({ run }) => run.lambda === row.lambda).map(({ finetune }) => finetune);
    const cells = [String(row.lambda), formatStat(row.base === null ? null : { mean: row.base, band: row.baseBand, n: row.n }, 3)];
    for (const v of shown) {
      const r = v.rows.find((x) => x.lambda === row.lambda);
      cells.push(cell(r?.ft, r?.ftBand ?? null, v), r?.vsReference ? showStat(r.vsReference, v) : '-');
    }
    if (exact) cells.push(...stepsCells(fts));
    if (task === 'DOMAIN') cells.push(formatStat(stat(fts.map((f) => f.forgetting)), 3));
    return cells;
  });
  const controls = countedControls(results.controls, task).map((c) => c.result);
  if (score.control) {
    const cells = ['random init', '-', ...shown.flatMap((v) => [v.control ? cell(v.control.mean, v.control.band, v) : '-', '-'])];
    if (exact) cells.push(...stepsCells(controls));
    if (task === 'DOMAIN') cells.push('-'); // forgetting of pretraining that never happened: not comparable
    rows.push(cells);
  }
  const verdicts = shown.flatMap((v) => [`${v.yLabel}: ${sentence(optimumVerdict(v, 'ft'))}`, ...(v.optimum.gain ? [`${v.gainLabel}: ${sentence(optimumVerdict(v, 'gain'))}`] : [])]);
  if (exact) verdicts.push(stepsResolution(results, counted.map((c) => c.finetune)));
  return `**${task}**\n\n${verdicts.map((line) => `- ${line}`).join('\n')}\n\n${table(header, rows)}`;
}

/** Linear probes at one fixed layer, the last (the final hidden state), per lambda beside the untrained model's
 *  probe at that layer. Fixed in advance, not picked by accuracy: probe.ts's test split never informs a choice,
 *  and the stored results carry no cross-validation accuracy to choose by. */
export function probeTable(results: Results): string | null {
  const kinds = [...new Set(results.runs.flatMap((r) => r.base?.probes.map((p) => `${p.probe}/${p.pooling}`) ?? []))].sort();
  if (!kinds.length) return null;
  const atLastLayer = (r: RunResult, kind: string, pick: 'accuracy' | 'untrained') => {
    const ps = r.base?.probes.filter((p) => `${p.probe}/${p.pooling}` === kind) ?? [];
    const last = Math.max(...ps.map((p) => p.layer));
    return ps.find((p) => p.layer === last)?.[pick] ?? null;
  };
  const rows = lambdaGroups(results).map(({ lambda, runs }) => [
    String(lambda),
    ...kinds.flatMap((k) => [formatStat(stat(runs.map((r) => atLastLayer(r, k, 'accuracy'))), 1, 100), formatStat(stat(runs.map((r) => atLastLayer(r, k, 'untrained'))), 1, 100)]),
  ]);
  return table(['lambda', ...kinds.flatMap((k) => [`${k} last layer (%)`, `${k} untrained, last layer (%)`])], rows);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Wall time from the first run's start to the last event, and the device. */
export function timing(results: Results): string {
  const times = results.runs.flatMap((r) => r.events.map((e) => Date.parse(e.time))).filter(Number.isFinite);
  const minutes = times.length ? (Math.max(...times) - Math.min(...times)) / 60_000 : NaN;
  const pretrain = stat(results.runs.map((r) => r.pretrain?.seconds));
  const devices = [...new Set(results.runs.map((r) => r.device).filter(Boolean))];
  const names = [...new Set(results.runs.flatMap((r) => Object.keys(r.base?.seconds ?? {})))];
  const measured = names.map((name) => `${name} ${formatStat(stat(results.runs.map((r) => r.base?.seconds?.[name])), 1)} s`);
  const finetunes = TASKS.flatMap((task) => {
    const s = stat(results.runs.flatMap((r) => r.finetunes.filter((f) => f.task === task && f.status === 'done').map((f) => f.seconds)));
    return s ? [`${task} ${formatStat(s, 1)} s`] : [];
  });
  return [
    `${plural(results.runs.length, 'run')}, ${plural(results.controls.length, 'control')}; first start to last event ${Number.isFinite(minutes) ? `${minutes.toFixed(1)} min` : 'n/a'}; device: ${devices.join(', ') || 'unknown'}`,
    `per run: pretraining ${formatStat(pretrain, 1)} s${measured.length ? `; base measurements: ${measured.join(', ')}` : ''}; fine-tuning: ${finetunes.join(', ') || '-'}`,
  ].join('\n\n');
}

/** Why a results file has nothing to tabulate: no run has its base model measured yet (none, or the runs' statuses). */
export function noFinishedRuns(results: Results): string | null {
  if (results.runs.some((r) => r.base)) return null;
  const counts = new Map<string, number>();
  for (const r of results.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const statuses = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const runs = results.runs.length ? `none of its ${results.runs.length} runs (${statuses}) has a measured base model yet` : 'it holds no runs';
  return `**No finished runs**: ${runs}, so there is nothing to tabulate. Finish the sweep (run the same sweep command again) or merge the shards that ran.`;
}

export function report(results: Results, name: string): string {
  const s = results.sweep;
  const head = [
    `# ${name}: ${s.name}`,
    `preset ${s.preset}, lambdas ${s.lambdas.join(', ')}, seeds ${s.seeds.join(', ')}, decay group ${s.decayGroup}, S = ${significant(sumOfLrs(results))}; ${timing(results)}`,
  ];
  const none = noFinishedRuns(results);
  if (none) return [...head, none].join('\n\n') + '\n';
  const parts = [
    ...head,
    `Mean ± 95% interval half-width across seeds (Student t). Paired differences are fine-tuned(lambda) against fine-tuned(reference), seed by seed, oriented so that + is better (for bits/char and NLL: reference minus lambda).`,
    `## Base models\n\n${baseTable(results)}`,
    `## After fine-tuning\n\n${TASKS.map((t) => taskTable(results, t)).filter(Boolean).join('\n\n')}`,
  ];
  const probes = probeTable(results);
  if (probes) parts.push(`## Linear probes (last layer, fixed in advance)\n\n${probes}`);
  const baseBest = bestLambdas(scalarByLambda(results.runs, lambdaAxis(chartLambdas(results)), (r) => r.base?.valBitsPerChar).rows, 'lower');
  parts.push(`Best base validation loss: lambda ${baseBest.join(' and ') || '-'}${baseBest.length > 1 ? ' (tie)' : ''}.`);
  return parts.join('\n\n') + '\n';
}

export const USAGE = 'usage: npm run report -- <results.json or sweep directory>';

export const HELP = [
  USAGE,
  '',
  'Prints the tables of a results file as markdown (means with 95% intervals, paired differences, steps to 50%, controls, probes),',
  'from the same statistics as the page\'s charts.',
  '',
  '  <results.json or dir>  a results file (the page\'s export, a merged file) or a sweep directory (its results.json)',
  '  -h, --help             print this help and exit',
  '',
  'exit codes: 0 done (a file without finished runs says so), 1 error or bad arguments',
].join('\n');

/** The file an input names: `<dir>/results.json` for a directory (as sweep:merge reads it), else the path itself. */
export const reportInput = (path: string): string => (existsSync(path) && statSync(path).isDirectory() ? join(path, RESULTS_FILE) : path);

export function main(argv: readonly string[], out = (text: string) => console.log(text), fail = (text: string) => console.error(text)): number {
  if (argv.some((a) => a === '-h' || a === '--help')) return (out(HELP), 0);
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    fail(`error: ${argv.length > 1 ? 'give one results file' : argv.length ? `unknown argument "${argv[0]}"` : 'give a results file'}\n${USAGE}`);
    return 1;
  }
  try {
    const file = reportInput(argv[0]);
    out(report(importResultsJson(readFileSync(file, 'utf8'), file), file));
    return 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(`error: ${code === 'ENOENT' ? `${argv[0]} does not exist` : error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
