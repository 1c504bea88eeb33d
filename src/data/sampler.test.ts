import { describe, expect, it } from 'vitest';
import { EpochOrder, seededPermutation, WindowSampler } from './sampler';

/** A stream whose token at position p is p mod 97 (+ 30), so any window's origin is recoverable. */
function stream(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, p) => 30 + (p % 97));
}

describe('seededPermutation / EpochOrder', () => {
  it('is a permutation, the same for the same seed and different for another', () => {
    const a = seededPermutation(1000, 7);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(seededPermutation(1000, 7)).toEqual(a);
    expect(seededPermutation(1000, 8)).not.toEqual(a);
  });

  it('visits every item at most once per epoch and reshuffles each epoch', () => {
    const order = new EpochOrder(3, 103, 10); // 10 full batches, 3 items left out per epoch
    expect(order.batchesPerEpoch).toBe(10);
    const epoch0 = Array.from({ length: 10 }, (_, s) => [...order.indicesAt(s)]).flat();
    const epoch1 = Array.from({ length: 10 }, (_, s) => [...order.indicesAt(10 + s)]).flat();
    expect(new Set(epoch0).size).toBe(100);
    expect(new Set(epoch1).size).toBe(100);
    expect(epoch1).not.toEqual(epoch0);
    expect(order.epochOf(19)).toBe(1);
  });
});

describe('WindowSampler', () => {
  const tokens = stream(10_000);
  const config = { seed: 42, batchSize: 4, seqLen: 16 };

  it('reports its epoch size and cuts stride-T windows whose targets are the inputs shifted by one', () => {
    const sampler = new WindowSampler(tokens, config);
    expect(sampler.windowsPerEpoch).toBe(Math.floor(9_999 / 16));
    expect(sampler.batchesPerEpoch).toBe(Math.floor(624 / 4));
    expect(sampler.tokensPerEpoch).toBe(156 * 4 * 16);
    const batch = sampler.next();
    for (let b = 0; b < 4; b++) {
      const row = batch.inputs.subarray(b * 16, b * 16 + 16);
      const start = row[0] - 30; // mod 97: recover the window's origin class
      expect(Array.from(row)).toEqual(Array.from({ length: 16 }, (_, t) => 30 + ((start + t) % 97)));
      expect(Array.from(batch.targets.subarray(b * 16, b * 16 + 15))).toEqual(Array.from(row.subarray(1)));
    }
  });

  it('covers every window exactly once per epoch', () => {
    const sampler = new WindowSampler(stream(1 + 16 * 40), { seed: 1, batchSize: 8, seqLen: 16 });
    const seen: string[] = [];
    for (let s = 0; s < sampler.batchesPerEpoch; s++) {
      const { inputs } = sampler.next();
      for (let b = 0; b < 8; b++) seen.push(inputs.subarray(b * 16, b * 16 + 16).join(','));
    }
    expect(seen.length).toBe(40);
    expect(new Set(seen).size).toBe(40);
  });

  it('depends only on the seed: same seed same batches, another seed other batches', () => {
    const a = new WindowSampler(tokens, config);
    const b = new WindowSampler(tokens, { ...config });
    const c = new WindowSampler(tokens, { ...config, seed: 43 });
    for (let s = 0; s < 5; s++) {
      const batch = a.next();
      expect(b.next().inputs).toEqual(batch.inputs);
      if (s === 0) expect(c.next().inputs).not.toEqual(batch.inputs);
    }
  });

  it('resumes exactly where a saved state left it, across an epoch boundary', () => {
    const sampler = new WindowSampler(tokens, config);
    for (let s = 0; s < 150; s++) sampler.next();
    const state = JSON.parse(JSON.stringify(sampler.getState()));
    const expected = Array.from({ length: 20 }, () => sampler.next()); // steps 150..169 cross epoch 0 -> 1
    const resumed = WindowSampler.fromState(tokens, state);
    for (const want of expected) {
      const got = resumed.next();
      expect(got.step).toBe(want.step);
      expect(got.epoch).toBe(want.epoch);
      expect(got.inputs).toEqual(want.inputs);
      expect(got.targets).toEqual(want.targets);
    }
    expect(expected.at(-1)!.epoch).toBe(1);
    expect(resumed.getState()).toEqual(sampler.getState());
  });

  it('refuses a state saved for another stream', () => {
    const state = new WindowSampler(tokens, config).getState();
    expect(() => WindowSampler.fromState(stream(5000), state)).toThrow(/10000 tokens, this stream has 5000/);
  });
});
