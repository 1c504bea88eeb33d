import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mlpHidden, modelConfig, paramCount, PRESETS, scheduledLr, timescale, TRAIN_SPLIT_TOKENS, type TrainDefaults } from './config';

describe('model config', () => {
  it('sizes the SwiGLU hidden width as Llama does (floor(8C/3), rounded up to a multiple of 4)', () => {
    expect([16, 64, 128].map((C) => mlpHidden(C))).toEqual([44, 172, 344]);
    expect(mlpHidden(64, 8)).toBe(176);
  });

  it('knows the training split\'s size (public/data/manifest.json, from `npm run data`)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../public/data/manifest.json', import.meta.url), 'utf8'));
    expect(manifest.files.train.bytes).toBe(TRAIN_SPLIT_TOKENS); // one byte per character, one token each
  });

  it('rejects inconsistent shapes with the reason', () => {
    expect(() => modelConfig({ T: 16, C: 16, L: 1, NH: 3 })).toThrow(/positive integer|NH \* HS/);
    expect(() => modelConfig({ T: 16, C: 12, L: 1, NH: 4 })).toThrow(/HS must be even/);
  });

  it('pins every preset: parameters, tokens, steps and the timescale S', () => {
    const rows = Object.values(PRESETS).map(({ name, model, train }) => {
      const params = paramCount(model);
      const { S } = timescale(train, 0.1);
      return { name, C: model.C, L: model.L, NH: model.NH, F: model.F, params, tokens: params * train.tokensPerParam, B: train.B, steps: train.steps, lr: train.peakLr, S: +S.toFixed(2) };
    });
    console.table(rows);
    const pick = (n: string) => rows.find((r) => r.name === n)!;
    expect(pick('lab')).toMatchObject({ params: 115_520, steps: 3948, S: 6.46 });
    expect(pick('tpp20')).toMatchObject({ params: 1_220_224, steps: 2979, S: 1.62 });
    expect(pick('overtrained')).toMatchObject({ params: 165_056, steps: 5642, S: 6.15 });
    expect(pick('tiny').params).toBe(10_448);
    // Single epoch: every preset's pretraining fits in the training split.
    for (const r of rows) expect(r.tokens).toBeLessThanOrEqual(TRAIN_SPLIT_TOKENS);
    // The paper's range for S is 1.3-3 at 20 tokens/param; the overtrained arms are "several units".
    expect(pick('tpp20').S).toBeGreaterThan(1.3);
    expect(pick('tpp20').S).toBeLessThan(3);
  });

  it('schedules 10% linear warmup, then cosine to 10% of the peak', () => {
    const train: TrainDefaults = { B: 1, peakLr: 1, tokensPerParam: 1, steps: 100, warmupFrac: 0.1, minLrFrac: 0.1 };
    expect(scheduledLr(0, train)).toBeCloseTo(0.1, 12);
    expect(scheduledLr(9, train)).toBeCloseTo(1, 12);
    expect(scheduledLr(10, train)).toBeCloseTo(1, 12);
    expect(scheduledLr(99, train)).toBeCloseTo(0.1, 12);
    // Inside both ramps, against the closed forms: a linear decay between the same end points would give 0.778
    // at t = 32 (a quarter of the way), the cosine 0.871.
    expect(scheduledLr(4, train)).toBeCloseTo(0.5, 12);
    for (const t of [32, 54, 77]) {
      const progress = (t - 10) / 89;
      expect(scheduledLr(t, train)).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)), 12);
    }
    for (let t = 11; t < 100; t++) expect(scheduledLr(t, train)).toBeLessThanOrEqual(scheduledLr(t - 1, train));
  });

  it('computes S = sum of scheduled lrs, exp(-lambda S) and tau/T = 1/(lr lambda steps)', () => {
    const train: TrainDefaults = { B: 1, peakLr: 2e-3, tokensPerParam: 1, steps: 1000, warmupFrac: 0.1, minLrFrac: 0.1 };
    let S = 0;
    for (let t = 0; t < train.steps; t++) S += scheduledLr(t, train);
    const ts = timescale(train, 0.3);
    expect(ts.S).toBeCloseTo(S, 12);
    // Warmup averages half the peak, the cosine averages (1 + 0.1) / 2 of it: S ~ 0.545 lr steps.
    expect(ts.S / (train.peakLr * train.steps)).toBeCloseTo(0.545, 2);
    expect(ts.shrink).toBeCloseTo(Math.exp(-0.3 * S), 12);
    expect(ts.tauOverT).toBeCloseTo(1 / (2e-3 * 0.3 * 1000), 12);
    expect(timescale(train, 0).tauOverT).toBe(Infinity);
  });
});
