// embedding_forward / embedding_backward at the presets' shapes (V = 128): bandwidth-bound (f32, u32 tokens).
// Forward reads tokens and BT gathered rows of wte and writes x; backward reads dx and tokens once each (the
// token list is re-read by every (row, chunk) workgroup, from cache), writes dwte and, past one segment of
// 512 tokens, writes and reads the (segments, V, C) partials.
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import { Rng } from '../util/rng';
import type { KernelBench } from './bench';
import { embeddingBackward, embeddingBackwardScratchBytes, embeddingForward, embeddingKernels } from './embedding';
import { prepareKernels } from './harness';

const V = 128;

/** Token ids: uniform over V, or skewed like characters of text (floor(V u^3): id 0 takes ~20%, like ' '). */
function benchTokens(BT: number, skewed: boolean): Uint32Array {
  const rng = new Rng(1);
  return Uint32Array.from({ length: BT }, () => Math.floor(V * rng.next() ** (skewed ? 3 : 1)));
}

function embeddingBench(BT: number, C: number, pass: 'forward' | 'backward', skewed = false): KernelBench {
  return {
    kernel: `embedding_${pass}`,
    shape: `BT=${BT} V=${V} C=${C} tokens ${skewed ? 'skewed' : 'uniform'}`,
    bytes: pass === 'forward' ? 4 * (BT + 2 * BT * C) : 4 * (BT * C + BT + V * C) + 2 * embeddingBackwardScratchBytes(BT, V, C),
    async setup(gpu) {
      await prepareKernels(gpu, embeddingKernels);
      const tokens = uploadBuffer(gpu, 'bench:embedding:tokens', benchTokens(BT, skewed));
      const x = createBuffer(gpu, 'bench:embedding:x', BT * C * 4);
      const wte = createBuffer(gpu, 'bench:embedding:wte', V * C * 4);
      const dispatches = pass === 'forward'
        ? [embeddingForward(gpu, x, tokens, wte, BT, C)]
        : embeddingBackward(gpu, wte, x, tokens, BT, V, C);
      return { dispatches, release: () => [tokens, x, wte].forEach((b) => b.destroy()) };
    },
  };
}

/**
 * The lab preset (4096 tokens, C = 64) and a large case (8192 x 768). The backward's time follows the most
 * frequent id's count (its row is one workgroup's serial sum), so it is timed with text-like skew too.
 */
export const embeddingBenches: KernelBench[] = [
  embeddingBench(4096, 64, 'forward'),
  embeddingBench(4096, 64, 'backward'),
  embeddingBench(4096, 64, 'backward', true),
  embeddingBench(8192, 768, 'forward'),
  embeddingBench(8192, 768, 'backward'),
  embeddingBench(8192, 768, 'backward', true),
];
