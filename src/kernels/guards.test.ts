// Every wrapper checks that each operand's binding holds what its shape needs: under robust buffer access a
// short binding is no error (reads clamp, writes drop). Each case passes one operand one word short, the
// others exact, and expects the wrapper to throw before making a dispatch (no pipeline is prepared or run).
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/adapter';
import { createBuffer } from '../gpu/buffers';
import type { GpuTensor } from '../gpu/dispatch';
import { testGpu } from '../test/gpu';
import { attentionBackward, attentionForward, attentionForwardPlain } from './attention';
import { copyForward } from './copy';
import { crossentropyBackward, crossentropyForward } from './crossentropy';
import { embeddingBackward, embeddingForward } from './embedding';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from './matmul';
import { normBackward, normForward } from './norm';
import { residualForward } from './residual';
import { ropeBackward, ropeForward } from './rope';
import { swigluBackward, swigluForward } from './swiglu';

type Tensors = Record<string, GpuTensor>;

interface Case {
  kernel: string;
  /** Each operand's 4-byte words (f32, or u32 for tokens and targets), in the wrapper's argument order. */
  operands: Record<string, number>;
  call: (gpu: Gpu, t: Tensors) => unknown;
}

const [M, K, N] = [10, 12, 6];
const [B, T, NH, HS] = [2, 4, 2, 8];
const qkv = B * T * 3 * NH * HS;
const [BT, C, V, F] = [6, 8, 5, 5];

const CASES: Case[] = [
  { kernel: 'matmul_forward', operands: { y: M * N, x: M * K, w: N * K }, call: (g, t) => matmulForward(g, t.y, t.x, t.w, M, K, N) },
  { kernel: 'matmul_backward_input', operands: { dx: M * K, dy: M * N, w: N * K }, call: (g, t) => matmulBackwardInput(g, t.dx, t.dy, t.w, M, K, N) },
  { kernel: 'matmul_backward_weight', operands: { dw: N * K, dy: M * N, x: M * K }, call: (g, t) => matmulBackwardWeight(g, t.dw, t.dy, t.x, M, K, N) },
  {
    kernel: 'attention_forward',
    operands: { out: qkv / 3, lse: B * NH * T, qkvr: qkv },
    call: (g, t) => attentionForward(g, t.out as GPUBuffer, t.lse as GPUBuffer, t.qkvr as GPUBuffer, B, T, NH, HS),
  },
  {
    kernel: 'attention_forward_plain',
    operands: { out: qkv / 3, lse: B * NH * T, qkvr: qkv },
    call: (g, t) => attentionForwardPlain(g, t.out as GPUBuffer, t.lse as GPUBuffer, t.qkvr as GPUBuffer, B, T, NH, HS),
  },
  {
    kernel: 'attention_backward',
    operands: { dqkvr: qkv, dout: qkv / 3, qkvr: qkv, out: qkv / 3, lse: B * NH * T },
    call: (g, t) => attentionBackward(g, t.dqkvr as GPUBuffer, t.dout as GPUBuffer, t.qkvr as GPUBuffer, t.out as GPUBuffer, t.lse as GPUBuffer, B, T, NH, HS),
  },
  {
    kernel: 'norm_forward',
    operands: { y: BT * C, mean: BT, rstd: BT, x: BT * C, gain: C },
    call: (g, t) => normForward(g, t.y, t.mean, t.rstd, t.x, t.gain, BT, C, true, 1e-5),
  },
  {
    kernel: 'norm_backward',
    operands: { dx: BT * C, dgain: C, dy: BT * C, x: BT * C, gain: C, mean: BT, rstd: BT },
    call: (g, t) => normBackward(g, t.dx, t.dgain, t.dy, t.x, t.gain, t.mean, t.rstd, BT, C, true),
  },
  { kernel: 'rope_forward', operands: { qkvr: qkv, qkv }, call: (g, t) => ropeForward(g, t.qkvr, t.qkv, B, T, NH, HS) },
  { kernel: 'rope_backward', operands: { dqkv: qkv, dqkvr: qkv }, call: (g, t) => ropeBackward(g, t.dqkv, t.dqkvr, B, T, NH, HS) },
  { kernel: 'swiglu_forward', operands: { h: BT * F, gu: BT * 2 * F }, call: (g, t) => swigluForward(g, t.h, t.gu, BT, F) },
  {
    kernel: 'swiglu_backward',
    operands: { dgu: BT * 2 * F, dh: BT * F, gu: BT * 2 * F },
    call: (g, t) => swigluBackward(g, t.dgu, t.dh, t.gu, BT, F),
  },
  { kernel: 'residual_forward', operands: { y: 7, a: 7, b: 7 }, call: (g, t) => residualForward(g, t.y, t.a, t.b, 7) },
  { kernel: 'copy_forward', operands: { y: 8, x: 8 }, call: (g, t) => copyForward(g, t.y, t.x, 8) },
  {
    kernel: 'crossentropy_forward',
    operands: { losses: BT, logits: BT * V, targets: BT, weights: BT },
    call: (g, t) => crossentropyForward(g, t.losses, t.logits, t.targets, t.weights, BT, V),
  },
  {
    kernel: 'crossentropy_backward',
    operands: { dlogits: BT * V, logits: BT * V, targets: BT, weights: BT },
    call: (g, t) => crossentropyBackward(g, t.dlogits, t.logits, t.targets, t.weights, BT, V),
  },
  // wte is not checked: the kernel takes V from its length (a token past its rows gives a NaN row).
  { kernel: 'embedding_forward', operands: { x: BT * C, tokens: BT }, call: (g, t) => embeddingForward(g, t.x, t.tokens, createBuffer(g, 'wte', 4 * V * C), BT, C) },
  {
    kernel: 'embedding_backward',
    operands: { dwte: V * C, dx: BT * C, tokens: BT },
    call: (g, t) => embeddingBackward(g, t.dwte, t.dx, t.tokens, BT, V, C),
  },
];

const U32_OPERANDS = new Set(['tokens', 'targets']);
/** Binding offsets must be multiples of 256 (minStorageBufferOffsetAlignment); nothing is bound here. */
const OFFSET = 256;

/** Ways to hand over `words` 4-byte words: a whole buffer, a sized range and an open range of a larger buffer. */
const FORMS: Record<string, (gpu: Gpu, words: number) => GpuTensor> = {
  'a whole buffer': (gpu, words) => createBuffer(gpu, 'short', 4 * words),
  'a sized range': (gpu, words) => ({ buffer: createBuffer(gpu, 'big', OFFSET + 4 * words + 64), offset: OFFSET, size: 4 * words }),
  'a range to the end': (gpu, words) => ({ buffer: createBuffer(gpu, 'rest', OFFSET + 4 * words), offset: OFFSET }),
};

describe('wrappers reject operands too small for their shape', () => {
  for (const { kernel, operands, call } of CASES) {
    it(`${kernel}: each of ${Object.keys(operands).join(', ')} one word short`, async () => {
      const gpu = await testGpu();
      for (const [short, needed] of Object.entries(operands)) {
        for (const [form, make] of Object.entries(FORMS)) {
          const tensors: Tensors = {};
          for (const [name, words] of Object.entries(operands)) tensors[name] = name === short ? make(gpu, needed - 1) : createBuffer(gpu, name, 4 * words);
          const unit = U32_OPERANDS.has(short) ? 'u32s' : 'floats';
          const message = new RegExp(`^${kernel}: ${short} holds ${needed - 1} ${unit}, the shape needs ${needed} \\(\\w+=\\d+`);
          expect(() => call(gpu, tensors), `${short} as ${form}`).toThrow(message);
          for (const t of Object.values(tensors)) ('mapAsync' in t ? t : t.buffer).destroy();
        }
      }
    });
  }

  it('names the shape in the message', async () => {
    const gpu = await testGpu();
    const [y, x, w] = [createBuffer(gpu, 'y', 4 * 60), createBuffer(gpu, 'x', 4 * 100), createBuffer(gpu, 'w', 4 * 72)];
    expect(() => matmulForward(gpu, y, x, w, 10, 12, 6)).toThrow('matmul_forward: x holds 100 floats, the shape needs 120 (M=10 K=12)');
  });
});
