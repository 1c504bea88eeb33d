// The parameter table: the ONLY owner of parameter names, shapes, offsets into the one flat buffer, and the
// per-tensor weight-decay flag (llm.c ParameterTensors; nanoGPT's one-line decay rule). Engines, init,
// checkpoints, probes and spectra address parameters through it and nothing else.
import type { DecayGroup, ModelConfig } from './config';

/** Offsets are multiples of this many floats (256 bytes: WebGPU's minStorageBufferOffsetAlignment). */
export const PARAM_ALIGN = 64;

/** What a tensor is; init.ts picks its distribution from this. */
export type ParamKind =
  | 'embedding' // wte (V, C): token rows
  | 'matrix' // a Linear weight (out, in) that reads the residual stream or the head
  | 'residualOut' // a Linear weight that writes into the residual stream (wo, wdown)
  | 'gain'; // a norm gain (C)

export interface ParamSpec {
  name: string; // 'wte', 'layers.0.wqkv', ..., 'normf', 'wlm'
  shape: number[]; // row-major; Linear weights are (out, in) as in PyTorch
  kind: ParamKind;
  size: number; // product of shape
  offset: number; // in floats, a multiple of PARAM_ALIGN
  decay: boolean; // decayed by AdamW under the table's decay group
}

export interface ParamTable {
  specs: ParamSpec[];
  byName: Map<string, ParamSpec>;
  /** Floats in the flat buffer, alignment padding included (padding stays 0: zero grad, zero update). */
  total: number;
  /** Real parameters, padding excluded. */
  count: number;
  decayGroup: DecayGroup;
}

/**
 * The decay rule, one line (nanoGPT): under `matrices` decay every tensor with ndim >= 2 (all Linear weights
 * and, as in nanoGPT, the embedding and the untied head; OLMo would exempt embeddings), never the 1-D norm
 * gains; under `all` (the paper's Llama runs) decay everything.
 */
export function decays(shape: readonly number[], group: DecayGroup): boolean {
  return group === 'all' || shape.length >= 2;
}

/** Names, shapes and kinds in buffer order: wte; per layer norm1 wqkv wo norm2 wgu wdown; normf; wlm. */
function tensorList(cfg: ModelConfig): Array<Pick<ParamSpec, 'name' | 'shape' | 'kind'>> {
  const { V, C, L, F } = cfg;
  const list: Array<Pick<ParamSpec, 'name' | 'shape' | 'kind'>> = [{ name: 'wte', shape: [V, C], kind: 'embedding' }];
  for (let l = 0; l < L; l++) {
    const p = `layers.${l}.`;
    list.push(
      { name: `${p}norm1`, shape: [C], kind: 'gain' },
      { name: `${p}wqkv`, shape: [3 * C, C], kind: 'matrix' }, // rows [q | k | v], each (NH, HS)
      { name: `${p}wo`, shape: [C, C], kind: 'residualOut' },
      { name: `${p}norm2`, shape: [C], kind: 'gain' },
      { name: `${p}wgu`, shape: [2 * F, C], kind: 'matrix' }, // rows [gate | up]
      { name: `${p}wdown`, shape: [C, F], kind: 'residualOut' },
    );
  }
  list.push({ name: 'normf', shape: [C], kind: 'gain' }, { name: 'wlm', shape: [V, C], kind: 'matrix' });
  return list;
}

export function paramTable(cfg: ModelConfig, group: DecayGroup = cfg.decayGroup): ParamTable {
  const specs: ParamSpec[] = [];
  let offset = 0;
  let count = 0;
  for (const t of tensorList(cfg)) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    specs.push({ ...t, size, offset, decay: decays(t.shape, group) });
    offset += Math.ceil(size / PARAM_ALIGN) * PARAM_ALIGN;
    count += size;
  }
  return { specs, byName: new Map(specs.map((s) => [s.name, s])), total: offset, count, decayGroup: group };
}

/** The spec of a named tensor, or a loud error naming what exists. */
export function spec(table: ParamTable, name: string): ParamSpec {
  const s = table.byName.get(name);
  if (!s) throw new Error(`no parameter '${name}' (have ${[...table.byName.keys()].join(', ')})`);
  return s;
}

/** A view of one tensor inside a flat buffer laid out by the table. */
export function view<A extends Float32Array | Float64Array>(table: ParamTable, flat: A, name: string): A {
  const s = spec(table, name);
  return flat.subarray(s.offset, s.offset + s.size) as A;
}

/** Per-element decay flags (1 = decayed) over the flat buffer; padding is 0. The CPU AdamW reference takes this. */
export function decayMask(table: ParamTable): Uint8Array {
  const mask = new Uint8Array(table.total);
  for (const s of table.specs) if (s.decay) mask.fill(1, s.offset, s.offset + s.size);
  return mask;
}

/** JSON-friendly form of the table (goldens, checkpoints, results). */
export function describeTable(table: ParamTable): ParamSpec[] {
  return table.specs.map((s) => ({ ...s, shape: [...s.shape] }));
}
