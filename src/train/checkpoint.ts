// Checkpoints: parameters, both AdamW moments, the phase config and progress, the sampler's state, an
// optional RNG state and free-form metadata. Enough to resume a phase bit-identically on the same device and
// build (the GPU engine's state is exactly these f32 buffers; the CPU engine's float64 state is rounded to
// f32 here, so a CPU resume is exact only up to that rounding).
//
// Binary format (little-endian; no Node APIs, so it works in the page, a worker and Node):
//   bytes 0-3   magic "PLCK"
//   bytes 4-7   u32 format version (CHECKPOINT_VERSION; version 1, without `layout`, is read too)
//   bytes 8-11  u32 header length H
//   12 .. 12+H  UTF-8 JSON header (CheckpointHeader, validated with zod on read), space-padded to 4 bytes
//   then        the arrays the header lists, in order, each `length` f32 values
//
// The header's `layout` is the parameter table the arrays follow (tensor names, offsets, sizes, total). A
// build that arranges parameters differently (padding, tensor order) refuses the file instead of loading
// numbers into the wrong tensors; the runner then starts the phase over (lab/segments.ts, lab/pretrain.ts).
import { z } from 'zod';
import type { Engine } from '../engine/types';
import type { ModelConfig } from '../model/config';
import { paramTable, type ParamTable } from '../model/params';
import type { RngState } from '../util/rng';
import type { SamplerState } from './batches';
import type { PhaseConfig } from './phase';
import type { PhaseProgress } from './runPhase';
import { zodIssueLines } from '../util/zodIssues';

export const CHECKPOINT_MAGIC = 'PLCK';
export const CHECKPOINT_VERSION = 2;
/** Version 1 had no layout: read as laid out by this build's table, its array lengths checked against it. */
const VERSION_WITHOUT_LAYOUT = 1;
const PREFIX_BYTES = 12;

export type CheckpointMeta = Record<string, string | number | boolean>;

export interface Checkpoint {
  model: ModelConfig;
  phase: PhaseConfig;
  progress: PhaseProgress;
  sampler: SamplerState;
  rng?: RngState;
  meta: CheckpointMeta;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

const ARRAY_NAMES = ['params', 'm', 'v'] as const;

const int = z.number().int();
const count = int.nonnegative();
const positive = z.number().positive();

const ModelConfigSchema = z.object({
  V: count, T: count, C: count, L: count, NH: count, HS: count, F: count,
  norm: z.enum(['rms', 'layer']), eps: positive, ropeTheta: positive, decayGroup: z.enum(['all', 'matrices']),
});

const PhaseConfigSchema = z.object({
  kind: z.enum(['pretrain', 'finetune']),
  steps: count,
  schedule: z.object({ peakLr: positive, warmupFrac: z.number(), minLrFrac: z.number() }),
  weightDecay: z.number().nonnegative(),
  adam: z.object({ beta1: z.number(), beta2: z.number(), eps: z.number(), maxNorm: z.number() }),
  evalEvery: count,
  submitSteps: count,
  divergence: z.object({ lossFactor: z.number(), window: count }),
});

const ProgressSchema = z.object({ step: count, referenceLoss: z.number().nullable(), recentLosses: z.array(z.number()) });

const samplerBase = { seed: z.number(), batchSize: count, seqLen: count, step: count };
const SamplerStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('window-sampler'), ...samplerBase, tokenCount: count }),
  z.object({ kind: z.literal('example-sampler'), ...samplerBase, exampleCount: count }),
]);

const u32 = int.min(0).max(0xffffffff);

/** The parameter layout the arrays follow: [name, offset, size] per tensor in buffer order, and the total. */
const LayoutSchema = z.object({ total: count, tensors: z.array(z.tuple([z.string(), count, count])) });
export type ParamLayout = z.infer<typeof LayoutSchema>;

export function layoutOf(table: ParamTable): ParamLayout {
  return { total: table.total, tensors: table.specs.map((s) => [s.name, s.offset, s.size]) };
}

/** The first difference between a checkpoint's layout and this build's, or null when they agree. */
function layoutDifference(stored: ParamLayout, ours: ParamLayout): string | null {
  const n = Math.max(stored.tensors.length, ours.tensors.length);
  for (let i = 0; i < n; i++) {
    const [a, b] = [stored.tensors[i], ours.tensors[i]];
    if (a?.[0] !== b?.[0] || a?.[1] !== b?.[1] || a?.[2] !== b?.[2]) {
      const show = (t?: [string, number, number]) => (t ? `${t[0]} at ${t[1]} (${t[2]} floats)` : 'nothing');
      return `tensor ${i} is ${show(a)} in the checkpoint, ${show(b)} in this build`;
    }
  }
  return stored.total === ours.total ? null : `${stored.total} floats in the checkpoint, ${ours.total} in this build`;
}

const CheckpointHeaderSchema = z.object({
  model: ModelConfigSchema,
  phase: PhaseConfigSchema,
  progress: ProgressSchema,
  sampler: SamplerStateSchema,
  rng: z.tuple([u32, u32, u32, u32]).optional(),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  arrays: z.array(z.object({ name: z.enum(ARRAY_NAMES), length: count })).length(ARRAY_NAMES.length),
  layout: LayoutSchema.optional(), // required from version 2 on (readHeader)
});

export type CheckpointHeader = z.infer<typeof CheckpointHeaderSchema>;

/** A file that is not a checkpoint, or a damaged one: says which and why. */
export class CheckpointError extends Error {
  constructor(problem: string) {
    super(`Checkpoint: ${problem}`);
    this.name = 'CheckpointError';
  }
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new CheckpointError('big-endian hosts are not supported');
}

export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  assertLittleEndian();
  const arrays = ARRAY_NAMES.map((name) => ({ name, length: ckpt[name].length }));
  const { model, phase, progress, sampler, rng, meta } = ckpt;
  const layout = layoutOf(paramTable(model));
  const wrong = arrays.find((a) => a.length !== layout.total);
  if (wrong) throw new CheckpointError(`${wrong.name} has ${wrong.length} floats, the model's parameter table has ${layout.total}`);
  const text = new TextEncoder().encode(JSON.stringify({ model, phase, progress, sampler, rng, meta, arrays, layout }));
  const json = new Uint8Array(Math.ceil(text.length / 4) * 4).fill(0x20); // space-padded: the payload stays 4-aligned
  json.set(text);
  const payload = arrays.reduce((n, a) => n + 4 * a.length, 0);
  const out = new Uint8Array(PREFIX_BYTES + json.length + payload);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, PREFIX_BYTES);
  let at = PREFIX_BYTES + json.length;
  for (const name of ARRAY_NAMES) {
    const a = ckpt[name];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

function readHeader(bytes: Uint8Array): { header: CheckpointHeader; payloadAt: number } {
  if (bytes.length < PREFIX_BYTES || new TextDecoder().decode(bytes.subarray(0, 4)) !== CHECKPOINT_MAGIC) {
    throw new CheckpointError(`not a checkpoint (no "${CHECKPOINT_MAGIC}" magic)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION && version !== VERSION_WITHOUT_LAYOUT) {
    throw new CheckpointError(`format version ${version}, this build reads ${VERSION_WITHOUT_LAYOUT} and ${CHECKPOINT_VERSION}`);
  }
  const headerBytes = view.getUint32(8, true);
  if (PREFIX_BYTES + headerBytes > bytes.length) throw new CheckpointError(`header of ${headerBytes} bytes runs past the end (${bytes.length} bytes): truncated`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes)));
  } catch {
    throw new CheckpointError('header is not valid JSON');
  }
  const parsed = CheckpointHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssueLines(parsed.error, Infinity).join('; ');
    throw new CheckpointError(`invalid header: ${issues}`);
  }
  if (version >= 2 && !parsed.data.layout) throw new CheckpointError('invalid header: layout: missing');
  return { header: parsed.data, payloadAt: PREFIX_BYTES + headerBytes };
}

/** Refuses arrays laid out otherwise than this build lays out the checkpoint's model (or of other lengths). */
function checkLayout(header: CheckpointHeader): void {
  const ours = layoutOf(paramTable(header.model));
  const difference = header.layout && layoutDifference(header.layout, ours);
  if (difference) throw new CheckpointError(`parameter layout differs from this build's (${difference}): written by a build that arranges parameters differently`);
  const wrong = header.arrays.find((a) => a.length !== ours.total);
  if (wrong) throw new CheckpointError(`${wrong.name} has ${wrong.length} floats, this build's parameter table for the model has ${ours.total}`);
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  assertLittleEndian();
  const { header, payloadAt } = readHeader(bytes);
  checkLayout(header);
  const expected = payloadAt + header.arrays.reduce((n, a) => n + 4 * a.length, 0);
  if (bytes.length !== expected) throw new CheckpointError(`${bytes.length} bytes, the header describes ${expected}: truncated or padded`);
  const arrays: Partial<Record<(typeof ARRAY_NAMES)[number], Float32Array>> = {};
  let at = bytes.byteOffset + payloadAt;
  for (const { name, length } of header.arrays) {
    arrays[name] = new Float32Array(bytes.buffer.slice(at, at + 4 * length)); // a copy: aligned, owned
    at += 4 * length;
  }
  const { params, m, v } = arrays;
  if (!params || !m || !v) throw new CheckpointError(`arrays ${header.arrays.map((a) => a.name).join(', ')}; need ${ARRAY_NAMES.join(', ')}`);
  const { model, phase, progress, sampler, rng, meta } = header;
  return { model, phase, progress, sampler, ...(rng ? { rng } : {}), meta, params, m, v };
}

export interface CheckpointState {
  phase: PhaseConfig;
  progress: PhaseProgress;
  sampler: SamplerState;
  rng?: RngState;
  meta?: CheckpointMeta;
}

/** Reads the engine's parameters and moments (after queued work has run) into a checkpoint. */
export async function captureCheckpoint(engine: Engine, state: CheckpointState): Promise<Checkpoint> {
  const params = await engine.readParams();
  const { m, v } = await engine.readMoments();
  return { model: { ...engine.config }, ...structuredClone(state), meta: { ...(state.meta ?? {}) }, params, m, v };
}

const MODEL_KEYS = Object.keys(ModelConfigSchema.shape) as Array<keyof ModelConfig>;

/** Writes a checkpoint's parameters and moments into an engine of the same model config (checked). */
export async function restoreCheckpoint(engine: Engine, ckpt: Checkpoint): Promise<void> {
  const differ = MODEL_KEYS.filter((k) => ckpt.model[k] !== engine.config[k]);
  if (differ.length) {
    const pairs = differ.map((k) => `${k} ${String(ckpt.model[k])} vs ${String(engine.config[k])}`).join(', ');
    throw new CheckpointError(`model config differs from the engine's (checkpoint vs engine: ${pairs})`);
  }
  for (const name of ARRAY_NAMES) {
    if (ckpt[name].length !== engine.table.total) throw new CheckpointError(`${name} has ${ckpt[name].length} floats, the engine's table has ${engine.table.total}`);
  }
  await engine.writeState(ckpt.params, ckpt.m, ckpt.v);
}
