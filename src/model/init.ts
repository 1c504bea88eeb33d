// Seeded parameter init. One Rng stream walks the table in buffer order, so the same seed and config give
// bit-identical parameters on every machine.
//   embedding, matrix:  normal(0, 0.02)
//   residualOut (wo, wdown): normal(0, 0.02 / sqrt(2L))  (GPT-2: two residual writes per layer)
//   gain: 1
// Values are rounded to f32 once here: the flat buffer is f32 on the GPU and in checkpoints, and the
// float64 CPU engine starts from exactly the same numbers.
import { Rng } from '../util/rng';
import type { ModelConfig } from './config';
import type { ParamSpec, ParamTable } from './params';

export const INIT_STD = 0.02;

export function initStd(spec: ParamSpec, cfg: ModelConfig): number {
  switch (spec.kind) {
    case 'embedding':
    case 'matrix':
      return INIT_STD;
    case 'residualOut':
      return INIT_STD / Math.sqrt(2 * cfg.L);
    case 'gain':
      return 0;
  }
}

export function initParams(table: ParamTable, cfg: ModelConfig, seed: number): Float32Array {
  const rng = new Rng(seed);
  const flat = new Float32Array(table.total);
  for (const spec of table.specs) {
    const out = flat.subarray(spec.offset, spec.offset + spec.size);
    if (spec.kind === 'gain') {
      out.fill(1);
      continue;
    }
    const std = initStd(spec, cfg);
    for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
  }
  return flat;
}
