import { describe, expect, it } from 'vitest';
import { paramCount, PRESETS } from './config';
import { decayMask, PARAM_ALIGN, paramTable, spec, view } from './params';

const cfg = PRESETS.tiny.model; // V 128, C 16, L 2, F 44

describe('parameter table', () => {
  it('lists the Llama tensors in buffer order with PyTorch (out, in) shapes', () => {
    const t = paramTable(cfg);
    expect(t.specs.map((s) => s.name)).toEqual([
      'wte',
      ...[0, 1].flatMap((l) => ['norm1', 'wqkv', 'wo', 'norm2', 'wgu', 'wdown'].map((n) => `layers.${l}.${n}`)),
      'normf',
      'wlm',
    ]);
    const shapes = Object.fromEntries(t.specs.map((s) => [s.name, s.shape]));
    expect(shapes).toMatchObject({
      wte: [128, 16], 'layers.1.norm1': [16], 'layers.1.wqkv': [48, 16], 'layers.1.wo': [16, 16],
      'layers.1.norm2': [16], 'layers.1.wgu': [88, 16], 'layers.1.wdown': [16, 44], normf: [16], wlm: [128, 16],
    });
  });

  it('derives aligned, ordered, non-overlapping offsets; padding counted in total, not in count', () => {
    for (const { model } of Object.values(PRESETS)) {
      const t = paramTable(model);
      let end = 0;
      for (const s of t.specs) {
        expect(s.offset % PARAM_ALIGN, s.name).toBe(0);
        expect(s.offset, s.name).toBeGreaterThanOrEqual(end);
        expect(s.offset - end, s.name).toBeLessThan(PARAM_ALIGN);
        expect(s.size).toBe(s.shape.reduce((a, b) => a * b, 1));
        end = s.offset + s.size;
      }
      expect(t.total).toBe(Math.ceil(end / PARAM_ALIGN) * PARAM_ALIGN);
      expect(t.count).toBe(paramCount(model));
    }
    const tiny = paramTable(cfg);
    expect([tiny.count, tiny.total]).toEqual([10_448, 10_688]);
    expect(spec(tiny, 'layers.0.wqkv').offset).toBe(2112); // wte 2048, then norm1 padded 16 -> 64
  });

  it("decays everything under 'all' and only ndim >= 2 (embeddings, matrices, head) under 'matrices'", () => {
    expect(paramTable(cfg, 'all').specs.every((s) => s.decay)).toBe(true);
    const m = paramTable(cfg, 'matrices');
    for (const s of m.specs) expect(s.decay, s.name).toBe(s.kind !== 'gain');
    expect(m.specs.filter((s) => !s.decay).map((s) => s.name)).toEqual([
      'layers.0.norm1', 'layers.0.norm2', 'layers.1.norm1', 'layers.1.norm2', 'normf',
    ]);
  });

  it('expands decay flags per element with zero padding', () => {
    const t = paramTable(cfg, 'matrices');
    const mask = decayMask(t);
    expect(mask.length).toBe(t.total);
    for (const s of t.specs) {
      const part = mask.subarray(s.offset, s.offset + s.size);
      expect(part.every((x) => x === (s.decay ? 1 : 0)), s.name).toBe(true);
    }
    let decayed = 0;
    for (const s of t.specs) if (s.decay) decayed += s.size;
    expect(mask.reduce((a, b) => a + b, 0)).toBe(decayed);
  });

  it('gives views at the offsets and fails loudly on unknown names', () => {
    const t = paramTable(cfg);
    const flat = new Float32Array(t.total);
    view(t, flat, 'normf').fill(7);
    expect(flat[spec(t, 'normf').offset]).toBe(7);
    expect(flat[spec(t, 'normf').offset - 1]).toBe(0);
    expect(() => spec(t, 'layers.9.wo')).toThrow(/no parameter 'layers.9.wo'/);
  });
});
