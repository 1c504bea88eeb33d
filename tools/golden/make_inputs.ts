// Writes tools/golden/inputs.json: the tiny preset's config, parameter table, seeded initial parameters, one
// fixed batch (with a loss mask) and the AdamW cases. make_golden.py reads it and writes tiny.json, so the
// parameter layout and init stay owned by src/model and PyTorch starts from exactly the same numbers.
//   npx tsx tools/golden/make_inputs.ts && /usr/bin/python3 tools/golden/make_golden.py
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from '../../src/model/config';
import { initParams } from '../../src/model/init';
import { describeTable, paramTable } from '../../src/model/params';
import { Rng } from '../../src/util/rng';

export const GOLDEN_SEED = 1234;
export const GOLDEN_B = 4;

export interface GoldenCase {
  name: string;
  decayGroup: 'all' | 'matrices';
  weightDecay: number;
  lrs: number[]; // scheduled lr of steps 1, 2, 3 (given explicitly)
  maxNorm: number;
}

export const GOLDEN_CASES: GoldenCase[] = [
  { name: 'all', decayGroup: 'all', weightDecay: 0.5, lrs: [1e-2, 2e-2, 1.5e-2], maxNorm: 1 },
  { name: 'matrices', decayGroup: 'matrices', weightDecay: 0.5, lrs: [1e-2, 2e-2, 1.5e-2], maxNorm: 1 },
  // lr large enough that steps 2 and 3 see a global gradient norm above 1: clipping active.
  { name: 'clip', decayGroup: 'all', weightDecay: 0.5, lrs: [0.2, 0.2, 0.2], maxNorm: 1 },
];

/** Printable ASCII tokens, targets = next character; the first 3 targets of row 1 are masked out. */
function goldenBatch(B: number, T: number, rng: Rng) {
  const tokens: number[] = [];
  const targets: number[] = [];
  const mask: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from({ length: T + 1 }, () => 32 + rng.int(95));
    for (let t = 0; t < T; t++) {
      tokens.push(row[t]);
      targets.push(row[t + 1]);
      mask.push(b === 1 && t < 3 ? 0 : 1);
    }
  }
  const count = mask.reduce((a, m) => a + m, 0);
  const weights = Array.from(new Float32Array(mask.map((m) => m / count)));
  return { tokens, targets, weights };
}

const f32b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function main(): void {
  const preset = PRESETS.tiny;
  const cfg = preset.model;
  const table = paramTable(cfg, 'all');
  const params = initParams(table, cfg, GOLDEN_SEED);
  const batch = goldenBatch(GOLDEN_B, cfg.T, new Rng(GOLDEN_SEED + 1));
  const inputs = {
    preset: preset.name,
    config: cfg,
    seed: GOLDEN_SEED,
    // The same layout under both decay groups: only the decay flags differ.
    tables: { all: describeTable(table), matrices: describeTable(paramTable(cfg, 'matrices')) },
    total: table.total,
    params: f32b64(params),
    batch: { B: GOLDEN_B, T: cfg.T, ...batch },
    cases: GOLDEN_CASES,
  };
  const out = join(dirname(fileURLToPath(import.meta.url)), 'inputs.json');
  writeFileSync(out, JSON.stringify(inputs) + '\n');
  console.log(`wrote ${out}: ${table.count} params (${table.total} floats), batch ${GOLDEN_B}x${cfg.T}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
