// Checkpoints: the binary format round trip and loud rejection of damaged or foreign files. The proof that a
// GPU run resumed from a checkpoint continues bit-identically is in gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng';
import { captureCheckpoint, CHECKPOINT_VERSION, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from './checkpoint';
import { runPhase } from './runPhase';
import { cpuEngine, sameBits, syntheticText, TINY, tinyPhase, tinySampler } from './testkit';

const text = syntheticText(20_000);

async function cpuCheckpoint(): Promise<Checkpoint> {
  const engine = await cpuEngine(4);
  const sampler = tinySampler(text, 9);
  const phase = tinyPhase(6, { submitSteps: 3 });
  const result = await runPhase(engine, phase, sampler);
  return captureCheckpoint(engine, { phase, progress: result.progress, sampler: sampler.getState(), rng: new Rng(5).getState(), meta: { preset: 'tiny', lambda: 0.1, ok: true } });
}

describe('checkpoint format', () => {
  it('round-trips every field and array through bytes', async () => {
    const ckpt = await cpuCheckpoint();
    const bytes = encodeCheckpoint(ckpt);
    expect(bytes.length % 4).toBe(0);
    const back = decodeCheckpoint(bytes);
    expect({ ...back, params: 0, m: 0, v: 0 }).toEqual({ ...ckpt, params: 0, m: 0, v: 0 });
    for (const name of ['params', 'm', 'v'] as const) expect(sameBits(back[name], ckpt[name])).toBe(true);
    expect(ckpt.m.some((x) => x !== 0)).toBe(true);
    // An unaligned view (e.g. a Node Buffer from a pool) decodes too.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(sameBits(decodeCheckpoint(shifted.subarray(1)).v, ckpt.v)).toBe(true);
  });

  it('rejects foreign, truncated, other-version and invalid-header files with the reason', async () => {
    const bytes = encodeCheckpoint(await cpuCheckpoint());
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world!'))).toThrow(/not a checkpoint/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(4, CHECKPOINT_VERSION + 1, true);
    expect(() => decodeCheckpoint(version)).toThrow(/format version 2/);
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    const header = new TextDecoder().decode(bytes.subarray(12, 12 + headerLength));
    const broken = bytes.slice();
    broken.set(new TextEncoder().encode(header.replace('"norm":"rms"', '"norm":"xyz"')), 12);
    expect(() => decodeCheckpoint(broken)).toThrow(/invalid header: model\.norm/);
  });

  it('refuses to restore into an engine of another model config', async () => {
    const ckpt = await cpuCheckpoint();
    const other = await cpuEngine(1, { ...TINY.model, decayGroup: 'matrices' });
    await expect(restoreCheckpoint(other, ckpt)).rejects.toThrow(/decayGroup all vs matrices/);
  });

  it('CPU engine: readMoments / writeState round-trip', async () => {
    const ckpt = await cpuCheckpoint();
    const engine = await cpuEngine(1);
    await restoreCheckpoint(engine, ckpt);
    const { m, v } = await engine.readMoments();
    expect(sameBits(m, ckpt.m) && sameBits(v, ckpt.v) && sameBits(await engine.readParams(), ckpt.params)).toBe(true);
  });
});
