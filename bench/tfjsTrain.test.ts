// The TF.js training peer (bench/tfjsTrain.ts) against the CPU spec engine on the tiny preset, so that
// bench:train compares like with like: from the same initParams and batches, the same losses and gradient
// norms step by step, and the same parameters after 3 AdamW steps with weight decay 0.5 (once decaying the
// matrices only, so the table's decay flag matters; once decaying all with clipping active every step).
// TF.js runs its webgpu backend on the test adapter (SwiftShader via Dawn where there is no GPU); never skips.
import { beforeAll, describe, expect, it } from 'vitest';
import { create } from 'webgpu';
import { createCpuEngine } from '../src/engine/cpu';
import { ADAMW_DEFAULTS, lossWeights, type Batch } from '../src/engine/types';
import { findNodeAdapter } from '../src/gpu/node';
import { compareArrays } from '../src/kernels/check';
import { PRESETS, type DecayGroup, type ModelConfig } from '../src/model/config';
import { initParams } from '../src/model/init';
import { paramTable } from '../src/model/params';
import { Rng } from '../src/util/rng';
import { loadTfjsWebgpu, type Tf } from './tfjs';
import { disposeBatch, readSteps, TfjsTrainer, timeTfjsTraining } from './tfjsTrain';

// f32 (TF.js) against float64 (CPU). The loss and the gradient norm carry a few f32 roundings per layer:
// 1e-4 relative is ample. Parameters: each AdamW update is lr·m/(sqrt(v)+eps), a near-sign step where a
// gradient is near zero and its f32 ratio is noisy, so as in the WebGPU engine test, 2% of lr absolute
// plus 1e-4 relative, per tensor.
const LOSS_RTOL = 1e-4;
const NORM_RTOL = 1e-4;
const PARAM_RTOL = 1e-4;
const PARAM_ATOL_OF_LR = 0.02;
const LR = 1e-2;
const WEIGHT_DECAY = 0.5;

function randomBatch(rng: Rng, cfg: ModelConfig, B: number): Batch {
  const BT = B * cfg.T;
  const tokens = Uint32Array.from({ length: BT }, () => rng.int(cfg.V));
  const targets = Uint32Array.from({ length: BT }, () => rng.int(cfg.V));
  const mask = Array.from({ length: BT }, () => (rng.next() < 0.8 ? 1 : 0)); // uneven weights: the weighted mean
  return { B, T: cfg.T, tokens, targets, weights: lossWeights(mask) };
}

function expectClose(what: string, actual: number, expected: number, rtol: number): void {
  const ok = Math.abs(actual - expected) <= rtol * Math.abs(expected);
  expect(ok, `${what}: TF.js ${actual} vs CPU ${expected} (rel ${(Math.abs(actual - expected) / Math.abs(expected)).toExponential(2)}, rtol ${rtol})`).toBe(true);
}

let tf: Tf;

beforeAll(async () => {
  await findNodeAdapter(); // points Dawn at SwiftShader where there is no GPU driver (VK_ICD_FILENAMES)
  const loaded = await loadTfjsWebgpu(create([]));
  if (typeof loaded === 'string') throw new Error(`TF.js peer did not start: ${loaded}`);
  tf = loaded;
});

describe('TF.js training peer vs the CPU spec engine (tiny preset)', () => {
  const cases: Array<{ decayGroup: DecayGroup; maxNorm: number }> = [
    { decayGroup: 'matrices', maxNorm: ADAMW_DEFAULTS.maxNorm },
    { decayGroup: 'all', maxNorm: 0.05 },
  ];
  for (const { decayGroup, maxNorm } of cases) {
    it(`matches losses, gradient norms and parameters over 3 AdamW steps (decay ${decayGroup}, max norm ${maxNorm})`, async () => {
      const cfg: ModelConfig = { ...PRESETS.tiny.model, decayGroup };
      const table = paramTable(cfg);
      const params = initParams(table, cfg, 1);
      const cpu = createCpuEngine(cfg);
      await cpu.writeParams(params);
      const peer = new TfjsTrainer(tf, cfg, params);
      const rng = new Rng(10);
      try {
        for (let t = 1; t <= 3; t++) {
          const batch = randomBatch(rng, cfg, PRESETS.tiny.train.B);
          const hp = { ...ADAMW_DEFAULTS, lr: LR, weightDecay: WEIGHT_DECAY, step: t, maxNorm };
          const uploaded = peer.upload(batch);
          const out = await readSteps(tf, [peer.step(uploaded, hp)]);
          disposeBatch(uploaded);
          const loss = await cpu.forward(batch);
          await cpu.backward();
          const norm = await cpu.step(hp);
          console.log(`step ${t}: loss TF.js ${out.losses[0]} CPU ${loss}; grad norm TF.js ${out.gradNorms[0]} CPU ${norm}${norm > maxNorm ? ' (clipped)' : ''}`);
          expectClose(`step ${t} loss`, out.losses[0], loss, LOSS_RTOL);
          expectClose(`step ${t} grad norm`, out.gradNorms[0], norm, NORM_RTOL);
        }
        const actual = await peer.readParams();
        for (const s of table.specs) {
          const cmp = compareArrays(`params after 3 steps: ${s.name} (decay ${s.decay})`, actual.subarray(s.offset, s.offset + s.size),
            cpu.params.subarray(s.offset, s.offset + s.size), { atol: PARAM_ATOL_OF_LR * LR, rtol: PARAM_RTOL });
          expect(cmp.ok, cmp.report).toBe(true);
        }
        // The updates were real: every tensor's largest move is about lr per step, far outside the tolerance.
        for (const s of table.specs) {
          let moved = 0;
          for (let i = s.offset; i < s.offset + s.size; i++) moved = Math.max(moved, Math.abs(actual[i] - params[i]));
          expect(moved, `${s.name} moved at most ${moved}: the comparison would prove nothing`).toBeGreaterThan(10 * PARAM_ATOL_OF_LR * LR);
        }
      } finally {
        peer.dispose();
      }
    });
  }

  it('times a run (as bench:train does) and leaves no tensor behind', async () => {
    const model = PRESETS.tiny.model;
    const rng = new Rng(11);
    const batches = [randomBatch(rng, model, 2), randomBatch(rng, model, 2)];
    const before = tf.memory().numTensors;
    const hp = (step: number) => ({ ...ADAMW_DEFAULTS, lr: LR, weightDecay: 0.1, step });
    const timing = await timeTfjsTraining(tf, { model, params: initParams(paramTable(model), model, 1), batches, hp, warmup: 1, steps: 2 });
    expect(Number.isFinite(timing.finalLoss) && timing.tokensPerSecond > 0, JSON.stringify(timing)).toBe(true);
    expect(tf.memory().numTensors, 'tensors left after the run').toBe(before);
  });
});
