// Pure derivations for the mechanism panels (science.md, "What the lab measures"): linear-probe accuracy
// per layer, per-head pseudo-rank of W_QK and W_VO, and scalar base measurements (train-val gap, zero-shot
// domain loss, sensitivity to weight perturbation, forgetting) against lambda.
import type { ProbeResult, RunResult, Spectrum } from '../../lab/results';
import { PROBES } from '../../lab/sweep';
import { formatLambda, sortedUnique } from '../controls/sweepEdit';
import { lambdaColor } from './colors';
import { scalarByLambda, stat, type LambdaAxis, type ScalarRow, type SeedPoint } from './data';
import { clampBand } from './scale';

// ---- probes -------------------------------------------------------------------------------------------

export interface ProbeLine {
  lambda: number;
  name: string;
  color: string;
  data: { x: number; y: number; band: [number, number] | null; n: number; lambda: number; color: string }[];
}

export interface ProbeView {
  key: string;
  probe: ProbeResult['probe'];
  pooling: ProbeResult['pooling'];
  label: string;
  layers: number[];
  lines: ProbeLine[];
  /** The same probe on untrained models (mean over every run's baseline): the line to beat. */
  baseline: { x: number; y: number }[];
  chance: number;
  points: number;
}

const CHANCE: Record<ProbeResult['probe'], number> = { sentiment: 50, genre: 25 };

function probeView(runs: readonly RunResult[], probe: ProbeResult['probe'], pooling: ProbeResult['pooling']): ProbeView | null {
  const results = runs.flatMap((r) => (r.base?.probes ?? []).filter((p) => p.probe === probe && p.pooling === pooling).map((p) => ({ r, p })));
  if (!results.length) return null;
  const layers = sortedUnique(results.map(({ p }) => p.layer));
  const lambdas = sortedUnique(results.map(({ r }) => r.lambda));
  const lines = lambdas.map((lambda): ProbeLine => ({
    lambda,
    name: `λ ${formatLambda(lambda)}`,
    color: lambdaColor(lambda),
    data: layers.flatMap((layer) => {
      const s = stat(results.filter(({ r, p }) => r.lambda === lambda && p.layer === layer).map(({ p }) => 100 * p.accuracy));
      return s ? [{ x: layer, y: s.mean, band: s.band, n: s.n, lambda, color: lambdaColor(lambda) }] : [];
    }),
  }));
  const baseline = layers.flatMap((layer) => {
    const s = stat(results.filter(({ p }) => p.layer === layer).map(({ p }) => 100 * p.untrained));
    return s ? [{ x: layer, y: s.mean }] : [];
  });
  const label = `${probe}, ${pooling === 'last' ? 'last token' : 'mean-pooled'}`;
  return { key: `${probe}/${pooling}`, probe, pooling, label, layers, lines, baseline, chance: CHANCE[probe], points: lines.reduce((n, l) => n + l.data.length, 0) };
}

/** Probe accuracy (%) per layer for each probe and pooling that has results; lines are lambda means across seeds. */
export function probeData(runs: readonly RunResult[]): ProbeView[] {
  return PROBES.flatMap((probe) => (['last', 'mean'] as const).flatMap((pooling) => probeView(runs, probe, pooling) ?? []));
}

// ---- spectra -----------------------------------------------------------------------------------------

export type RankMeasure = 'pseudoRank2' | 'pseudoRank3' | 'effectiveRank';

export const RANK_MEASURES: { key: RankMeasure; label: string }[] = [
  { key: 'pseudoRank2', label: 'ε 1e-2' },
  { key: 'pseudoRank3', label: 'ε 1e-3' },
  { key: 'effectiveRank', label: 'entropy rank' },
];

export interface RankRow extends ScalarRow {
  vo: number | null;
  voBand: [number, number] | null;
}

export interface RankView {
  measure: RankMeasure;
  /** rows: mean over layers and heads per run, then across seeds; mean/band are W_QK, vo/voBand W_VO. */
  rows: RankRow[];
  seeds: (SeedPoint & { matrix: 'qk' | 'vo' })[];
  /** Full rank of a head's product: the head size. */
  fullRank: number | null;
  points: number;
}

const headMean = (spectra: readonly Spectrum[], pick: (s: Spectrum) => number) => (spectra.length ? spectra.reduce((a, s) => a + pick(s), 0) / spectra.length : null);

/** Pseudo-rank (or entropy effective rank) of W_Q W_K^T and W_V W_O against lambda, for each measure. */
export function rankData(runs: readonly RunResult[], axis: LambdaAxis, headSize: number | null): RankView[] {
  const withSpectra = runs.filter((r) => r.base?.spectra.length);
  if (!withSpectra.length) return [];
  return RANK_MEASURES.map(({ key }) => {
    const qk = scalarByLambda(withSpectra, axis, (r) => headMean(r.base!.spectra, (s) => s.qk[key]));
    const vo = scalarByLambda(withSpectra, axis, (r) => headMean(r.base!.spectra, (s) => s.vo[key]));
    // A rank lies in [0, head size]: a 95% band from a few seeds can reach past it and is cut there.
    const range = [0, headSize ?? Infinity] as const;
    const rows = qk.rows.map((row): RankRow => {
      const v = vo.rows.find((o) => o.lambda === row.lambda);
      return { ...row, band: clampBand(row.band, range), vo: v?.mean ?? null, voBand: clampBand(v?.band ?? null, range) };
    });
    const seeds = [...qk.seeds.map((s) => ({ ...s, matrix: 'qk' as const })), ...vo.seeds.map((s) => ({ ...s, matrix: 'vo' as const }))];
    return { measure: key, rows, seeds, fullRank: headSize, points: rows.length * 2 };
  });
}

// ---- scalar base measurements ------------------------------------------------------------------------

export interface ScalarView {
  key: string;
  label: string;
  yLabel: string;
  note: string;
  rows: ScalarRow[];
  seeds: SeedPoint[];
  points: number;
}

const SCALARS: { key: string; label: string; yLabel: string; note: string; value: (r: RunResult) => number | null | undefined }[] = [
  {
    key: 'gap',
    label: 'Val − train gap',
    yLabel: 'unseen − seen bits/char',
    note: 'Loss on unseen validation text minus loss on text the model trained on: the paper sees it shrink with λ. The validation documents mix the sources a little differently, so transfer counts in it too.',
    value: (r) => r.base?.trainValGap,
  },
  {
    key: 'domain',
    label: 'Zero-shot DOMAIN',
    yLabel: 'DOMAIN bits/char before fine-tuning ↓',
    note: 'Each base model’s bits/char on text from a domain it never pretrained on, before any fine-tuning (lower is better); read it beside the in-domain validation loss on the plasticity chart’s right axis.',
    value: (r) => r.base?.domainBitsPerChar,
  },
  {
    key: 'perturbation',
    label: 'Perturbation sensitivity',
    yLabel: 'Δ val bits/char under weight noise',
    note: 'Increase in validation loss under a small relative Gaussian weight perturbation.',
    value: (r) => r.base?.perturbation?.bitsPerCharIncrease,
  },
  {
    key: 'forgetting',
    label: 'Forgetting (DOMAIN)',
    yLabel: 'Δ pretraining val bits/char',
    note: 'Pretraining validation loss after DOMAIN fine-tuning minus before.',
    value: (r) => r.finetunes.find((f) => f.task === 'DOMAIN')?.forgetting,
  },
];

/** Scalar base measurements against lambda (mean and 95% band across seeds); only those with data. */
export function scalarData(runs: readonly RunResult[], axis: LambdaAxis): ScalarView[] {
  return SCALARS.flatMap(({ value, ...meta }) => {
    const { rows, seeds } = scalarByLambda(runs, axis, value);
    return rows.length ? [{ ...meta, rows, seeds, points: rows.length }] : [];
  });
}
