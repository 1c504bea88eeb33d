// crossentropy_forward / crossentropy_backward at the lab's batch (4096 tokens, vocabulary 128): bandwidth-bound.
// Forward reads the logits once (the row max and the exp sums come from cache) plus targets and weights, and
// writes one loss per row: 4*BT*V + 12*BT bytes. Backward also writes dlogits: 8*BT*V + 8*BT bytes.
import { createBuffer, uploadBuffer } from '../gpu/buffers';
import type { KernelBench } from './bench';
import { crossentropyBackward, crossentropyForward, crossentropyKernels } from './crossentropy';

function crossentropyBench(direction: 'forward' | 'backward', BT: number, V: number): KernelBench {
  return {
    kernel: `crossentropy_${direction}`,
    shape: `BT=${BT} V=${V}`,
    bytes: direction === 'forward' ? 4 * BT * V + 12 * BT : 8 * BT * V + 8 * BT,
    async setup(gpu) {
      for (const kernel of crossentropyKernels) await gpu.pipelines.prepare(kernel);
      const out = createBuffer(gpu, `bench:crossentropy:${direction === 'forward' ? 'losses' : 'dlogits'}`, (direction === 'forward' ? BT : BT * V) * 4);
      const logits = createBuffer(gpu, 'bench:crossentropy:logits', BT * V * 4);
      const targets = uploadBuffer(gpu, 'bench:crossentropy:targets', Uint32Array.from({ length: BT }, (_, i) => (i * 7) % V));
      const weights = uploadBuffer(gpu, 'bench:crossentropy:weights', new Float32Array(BT).fill(1 / BT));
      const wrapper = direction === 'forward' ? crossentropyForward : crossentropyBackward;
      return {
        dispatches: [wrapper(gpu, out, logits, targets, weights, BT, V)],
        release: () => [out, logits, targets, weights].forEach((b) => b.destroy()),
      };
    },
  };
}

/** The presets' batch (B*T = 4096 tokens) at the character vocabulary (128). */
export const crossentropyBenches: KernelBench[] = [crossentropyBench('forward', 4096, 128), crossentropyBench('backward', 4096, 128)];
