// Markdown tables of a results file, from the same derivations the page's charts use (means across seeds with
// 95% Student t intervals; paired differences against the reference lambda): `npm run report -- <results.json>`.
// For docs/results/README.md, so every number there can be regenerated from the committed file.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importResultsJson } from '../../src/lab/exportImport';
import type { Results, RunResult } from '../../src/lab/results';
import { TASKS, type TaskName } from '../../src/lab/sweep';
import { bestLambda, lambdaAxis, plasticityData, scalarByLambda, stat, chartLambdas, type PlasticityView, type Stat } from '../../src/ui/charts/data';

type Value = (r: RunResult) => number | null | undefined;

/** "mean ± half-width" (the 95% interval), or the mean alone with one seed. */
export function formatStat(s: Stat | null, digits: number, scale = 1): string {
  if (!s) return '-';
  const mean = (s.mean * scale).toFixed(digits);
  return s.band ? `${mean} ± ${(((s.band[1] - s.band[0]) / 2) * scale).toFixed(digits)}` : mean;
}

const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const lambdaGroups = (results: Results) => {
  const done = results.runs.filter((r) => r.base);
  return chartLambdas(results).map((lambda) => ({ lambda, runs: done.filter((r) => r.lambda === lambda) }));
};

const meanOver = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const headRanks = (side: 'qk' | 'vo', key: 'pseudoRank2' | 'pseudoRank3' | 'effectiveRank'): Value => (r) => meanOver(r.base?.spectra.map((s) => s[side][key]) ?? []);

/** The base models: loss, gap, robustness, unseen-domain loss and attention ranks, per lambda. */
export function baseTable(results: Results): string {
  const S = results.runs[0]?.timescale.S ?? NaN;
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

const digitsOf = (view: PlasticityView) => (view.unit === '%' ? 1 : 3);

/** One task after fine-tuning: score (and answer NLL), paired difference against the reference, steps to 50%. */
export function taskTable(results: Results, task: TaskName): string | null {
  const axis = lambdaAxis(chartLambdas(results));
  const views = plasticityData(results.runs, axis).find((t) => t.task === task);
  if (!views?.score) return null;
  const shown = [views.score, ...(views.nll ? [views.nll] : [])];
  const header = ['lambda', 'base val bits/char'];
  for (const v of shown) header.push(`${v.yLabel}`, `vs lambda ${v.referenceLambda} (paired)`);
  const exact = views.score.kind === 'exact';
  if (exact) header.push('seeds reaching 50%', 'steps to 50% (those that did)');
  if (task === 'DOMAIN') header.push('forgetting (bits/char)');
  const rows = views.score.rows.map((row) => {
    const runs = results.runs.filter((r) => r.lambda === row.lambda);
    const fts = runs.flatMap((r) => r.finetunes.filter((f) => f.task === task && f.status === 'done'));
    const cells = [String(row.lambda), formatStat(row.base === null ? null : { mean: row.base, band: row.baseBand, n: row.n }, 3)];
    for (const v of shown) {
      const r = v.rows.find((x) => x.lambda === row.lambda);
      cells.push(formatStat(r?.ft == null ? null : { mean: r.ft, band: r.ftBand, n: r.n }, digitsOf(v)), r?.vsReference ? formatStat(r.vsReference, digitsOf(v)) : '-');
    }
    if (exact) {
      const reached = fts.map((f) => f.stepsTo50).filter((s): s is number => typeof s === 'number');
      cells.push(`${reached.length} of ${fts.length}`, reached.length ? formatStat(stat(reached), 0) : '-');
    }
    if (task === 'DOMAIN') cells.push(formatStat(stat(fts.map((f) => f.forgetting)), 3));
    return cells;
  });
  const best = shown.map((v) => `best after fine-tuning by ${v.metric === 'nll' ? 'answer NLL' : 'score'}: lambda ${v.bestFinetuned}`).join('; ');
  const controls = results.controls.filter((c) => c.task === task && c.result.status === 'done');
  const control = controls.length ? `; random-init control: ${formatStat(stat(controls.map((c) => c.result.score.value)), digitsOf(views.score), views.score.unit === '%' ? 100 : 1)}${views.score.unit === '%' ? '%' : ''} (${controls.length} seeds)` : '';
  return `**${task}** (${best}; best base loss: lambda ${views.score.bestBase}${control})\n\n${table(header, rows)}`;
}

/** Linear probes: the best layer's accuracy per lambda beside the untrained model's, per probe and pooling. */
export function probeTable(results: Results): string | null {
  const kinds = [...new Set(results.runs.flatMap((r) => r.base?.probes.map((p) => `${p.probe}/${p.pooling}`) ?? []))].sort();
  if (!kinds.length) return null;
  const best = (r: RunResult, kind: string, pick: 'accuracy' | 'untrained') => {
    const ps = r.base?.probes.filter((p) => `${p.probe}/${p.pooling}` === kind) ?? [];
    return ps.length ? Math.max(...ps.map((p) => p[pick])) : null;
  };
  const rows = lambdaGroups(results).map(({ lambda, runs }) => [
    String(lambda),
    ...kinds.flatMap((k) => [formatStat(stat(runs.map((r) => best(r, k, 'accuracy'))), 1, 100), formatStat(stat(runs.map((r) => best(r, k, 'untrained'))), 1, 100)]),
  ]);
  return table(['lambda', ...kinds.flatMap((k) => [`${k} best layer (%)`, `${k} untrained (%)`])], rows);
}

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
    `${results.runs.length} runs, ${results.controls.length} controls; first start to last event ${minutes.toFixed(1)} min; device: ${devices.join(', ') || 'unknown'}`,
    `per run: pretraining ${formatStat(pretrain, 1)} s${measured.length ? `; base measurements: ${measured.join(', ')}` : ''}; fine-tuning: ${finetunes.join(', ') || '-'}`,
  ].join('\n\n');
}

export function report(results: Results, name: string): string {
  const s = results.sweep;
  const parts = [
    `# ${name}: ${s.name}`,
    `preset ${s.preset}, lambdas ${s.lambdas.join(', ')}, seeds ${s.seeds.join(', ')}, decay group ${s.decayGroup}, S = ${results.runs[0]?.timescale.S.toFixed(2)}; ${timing(results)}`,
    `Mean ± 95% interval half-width across seeds (Student t); paired differences are fine-tuned(lambda) - fine-tuned(reference), seed by seed.`,
    `## Base models\n\n${baseTable(results)}`,
    `## After fine-tuning\n\n${TASKS.map((t) => taskTable(results, t)).filter(Boolean).join('\n\n')}`,
  ];
  const probes = probeTable(results);
  if (probes) parts.push(`## Linear probes (best layer)\n\n${probes}`);
  const baseBest = bestLambda(scalarByLambda(results.runs, lambdaAxis(chartLambdas(results)), (r) => r.base?.valBitsPerChar).rows, 'lower');
  parts.push(`Best base validation loss: lambda ${baseBest}.`);
  return parts.join('\n\n') + '\n';
}

function main(input: string | undefined): number {
  if (!input || input.startsWith('--')) {
    console.error('usage: npm run report -- <results.json>');
    return 1;
  }
  try {
    console.log(report(importResultsJson(readFileSync(input, 'utf8'), basename(input)), basename(input)));
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv[2]);
