import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './config';
import { initParams, INIT_STD } from './init';
import { paramTable, view } from './params';

const cfg = PRESETS.tiny.model;
const table = paramTable(cfg);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function std(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s / a.length);
}

describe('parameter init', () => {
  it('is bit-identical for the same seed and differs across seeds', () => {
    const a = initParams(table, cfg, 7);
    expect(bytes(a).equals(bytes(initParams(table, cfg, 7)))).toBe(true);
    expect(bytes(a).equals(bytes(initParams(table, cfg, 8)))).toBe(false);
  });

  it('draws normal(0, 0.02), residual projections at 0.02/sqrt(2L), gains 1, padding 0', () => {
    const big = PRESETS.lab.model; // enough elements for the std to be tight
    const t = paramTable(big);
    const p = initParams(t, big, 1);
    expect(std(view(t, p, 'wte'))).toBeCloseTo(INIT_STD, 3);
    expect(std(view(t, p, 'layers.0.wgu'))).toBeCloseTo(INIT_STD, 3);
    expect(std(view(t, p, 'layers.1.wdown')) / (INIT_STD / Math.sqrt(2 * big.L))).toBeCloseTo(1, 1);
    expect(std(view(t, p, 'layers.1.wo')) / (INIT_STD / Math.sqrt(2 * big.L))).toBeCloseTo(1, 1);
    expect(view(t, p, 'normf').every((x) => x === 1)).toBe(true);
    const tiny = initParams(table, cfg, 3);
    const norm1 = table.byName.get('layers.0.norm1')!;
    expect(tiny.subarray(norm1.offset + norm1.size, norm1.offset + 64).every((x) => x === 0)).toBe(true);
  });

  it('reproduces the parameters the PyTorch goldens start from (tools/golden/tiny.json)', () => {
    const golden = JSON.parse(readFileSync(new URL('../../tools/golden/tiny.json', import.meta.url), 'utf8'));
    expect(golden.config).toEqual(cfg);
    const ours = initParams(table, cfg, golden.seed);
    expect(bytes(ours).toString('base64') === golden.params, 'init changed: regenerate tools/golden (see make_golden.py)').toBe(true);
  });
});
