// Checkpoints: the binary format round trip and loud rejection of damaged or foreign files. The proof that a
// GPU run resumed from a checkpoint continues bit-identically is in gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { paramTable } from '../model/params';
import { Rng } from '../util/rng';
import { captureCheckpoint, CHECKPOINT_VERSION, decodeCheckpoint, encodeCheckpoint, layoutOf, restoreCheckpoint, type Checkpoint } from './checkpoint';
import { runPhase } from './runPhase';
import { cpuEngine, sameBits, syntheticText, TINY, tinyPhase, tinySampler } from './testkit';

const text = syntheticText(20_000);

type Header = Record<string, unknown> & { layout?: { total: number; tensors: Array<[string, number, number]> } };

/** The checkpoint with its header edited (and its format version set), the arrays kept. */
function rewriteHeader(bytes: Uint8Array, edit: (header: Header) => void, version = CHECKPOINT_VERSION): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Header;
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(Math.ceil(text.length / 4) * 4).fill(0x20);
  json.set(text);
  const out = new Uint8Array(12 + json.length + bytes.length - 12 - length);
  out.set(bytes.subarray(0, 12));
  out.set(json, 12);
  out.set(bytes.subarray(12 + length), 12 + json.length);
  new DataView(out.buffer).setUint32(4, version, true);
  new DataView(out.buffer).setUint32(8, json.length, true);
  return out;
}

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
    expect(() => decodeCheckpoint(version)).toThrow(new RegExp(`format version ${CHECKPOINT_VERSION + 1}, this build reads 1 and ${CHECKPOINT_VERSION}`));
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    const header = new TextDecoder().decode(bytes.subarray(12, 12 + headerLength));
    const broken = bytes.slice();
    broken.set(new TextEncoder().encode(header.replace('"norm":"rms"', '"norm":"xyz"')), 12);
    expect(() => decodeCheckpoint(broken)).toThrow(/invalid header: model\.norm/);
  });

  it("records the parameter layout and refuses arrays laid out otherwise than this build's table", async () => {
    const ckpt = await cpuCheckpoint();
    const bytes = encodeCheckpoint(ckpt);
    const layout = layoutOf(paramTable(TINY.model));
    let stored: Header['layout'];
    rewriteHeader(bytes, (h) => (stored = h.layout));
    expect(stored).toEqual(layout);
    expect(layout.tensors[0]).toEqual(['wte', 0, TINY.model.V * TINY.model.C]);
    // A build with another tensor order (norm1 after wqkv): the same total, the numbers in other places.
    const swapped = rewriteHeader(bytes, (h) => {
      const t = h.layout!.tensors;
      [t[1], t[2]] = [[t[2][0], t[1][1], t[2][2]], [t[1][0], t[1][1] + t[2][2], t[1][2]]];
    });
    expect(() => decodeCheckpoint(swapped)).toThrow(/parameter layout differs from this build's \(tensor 1 is layers\.0\.wqkv at \d+ \(\d+ floats\) in the checkpoint, layers\.0\.norm1 at \d+ \(\d+ floats\) in this build\)/);
    // Other padding: offsets and total move.
    const padded = rewriteHeader(bytes, (h) => (h.layout!.total += 64));
    expect(() => decodeCheckpoint(padded)).toThrow(/parameter layout differs .*floats in the checkpoint/);
    expect(() => decodeCheckpoint(rewriteHeader(bytes, (h) => delete h.layout))).toThrow(/layout: missing/);
    expect(() => encodeCheckpoint({ ...ckpt, m: ckpt.m.subarray(1) })).toThrow(/m has \d+ floats, the model's parameter table has/);
  });

  it('reads format version 1 (no layout) as laid out by this build, checking the array lengths', async () => {
    const ckpt = await cpuCheckpoint();
    const v1 = rewriteHeader(encodeCheckpoint(ckpt), (h) => delete h.layout, 1);
    const back = decodeCheckpoint(v1);
    for (const name of ['params', 'm', 'v'] as const) expect(sameBits(back[name], ckpt[name])).toBe(true);
    // Written for a model whose table this build lays out with another total: refused, not misread.
    const other = rewriteHeader(v1, (h) => ((h.model as { F: number }).F += 8), 1);
    expect(() => decodeCheckpoint(other)).toThrow(/params has \d+ floats, this build's parameter table for the model has \d+/);
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
