// Model and training configuration: typed data with every default in one place (style.md 7).
// Letters as everywhere: V vocab, T context, C width, L layers, NH heads, HS head size (C = NH*HS),
// F MLP hidden width, B batch.

export type NormKind = 'rms' | 'layer';
/** `all`: decay every parameter (the paper's Llama runs); `matrices`: decay tensors with ndim >= 2 only. */
export type DecayGroup = 'all' | 'matrices';

export interface ModelConfig {
  V: number; // vocabulary (char level, padded to 128)
  T: number; // context length
  C: number; // width
  L: number; // layers
  NH: number; // heads
  HS: number; // head size, C / NH
  F: number; // SwiGLU hidden width (see mlpHidden)
  norm: NormKind; // 'rms' (Llama, the paper) or 'layer' (LayerNorm without bias)
  eps: number; // norm epsilon
  ropeTheta: number; // RoPE base
  decayGroup: DecayGroup; // which tensors AdamW decays (params.ts applies the rule)
}

/** Pretraining defaults that belong to a preset (the rest of a run's config lives in train/ and lab/). */
export interface TrainDefaults {
  B: number; // sequences per step
  peakLr: number;
  tokensPerParam: number; // token budget = tokensPerParam * parameter count
  steps: number; // round(budget / (B*T))
  warmupFrac: number; // linear warmup over this fraction of the steps
  minLrFrac: number; // cosine decays to this fraction of the peak
}

export interface Preset {
  name: PresetName;
  description: string;
  model: ModelConfig;
  train: TrainDefaults;
}

export const VOCAB = 128;
export const MLP_MULTIPLE_OF = 4;
/** Characters (tokens) of the shipped corpus's training split, train.bin (its manifest; config.test.ts checks it):
 *  a pretraining budget past this many tokens repeats text, where the paper pretrains for a single epoch. */
export const TRAIN_SPLIT_TOKENS = 25_144_974;

/**
 * Llama's SwiGLU sizing: hidden = floor(2 * 4C / 3) = floor(8C/3), rounded UP to a multiple of
 * MLP_MULTIPLE_OF (4: whole vec4 rows on the GPU). C=16 -> 44, C=64 -> 172, C=128 -> 344.
 */
export function mlpHidden(C: number, multipleOf = MLP_MULTIPLE_OF): number {
  const hidden = Math.floor((8 * C) / 3);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** A complete ModelConfig from the few numbers that differ between presets. */
export function modelConfig(part: Pick<ModelConfig, 'T' | 'C' | 'L' | 'NH'> & Partial<ModelConfig>): ModelConfig {
  const cfg: ModelConfig = {
    V: VOCAB,
    HS: part.C / part.NH,
    F: mlpHidden(part.C),
    norm: 'rms',
    eps: 1e-5,
    ropeTheta: 10_000,
    decayGroup: 'all',
    ...part,
  };
  validateConfig(cfg);
  return cfg;
}

export function validateConfig(cfg: ModelConfig): void {
  const fail = (why: string) => {
    throw new Error(`ModelConfig: ${why} (${JSON.stringify(cfg)})`);
  };
  for (const key of ['V', 'T', 'C', 'L', 'NH', 'HS', 'F'] as const) {
    if (!Number.isInteger(cfg[key]) || cfg[key] <= 0) fail(`${key} must be a positive integer`);
  }
  if (cfg.NH * cfg.HS !== cfg.C) fail('C must equal NH * HS');
  if (cfg.HS % 2 !== 0) fail('HS must be even (RoPE rotates pairs i, i + HS/2)');
  if (!(cfg.eps > 0)) fail('eps must be positive');
  if (!(cfg.ropeTheta > 0)) fail('ropeTheta must be positive');
}

/**
 * Parameter count (no alignment padding): untied wte and wlm (V,C) each, per layer 4C^2 (wqkv + wo) +
 * 3CF (wgu + wdown) + 2C (norm gains), plus the final norm gain (C). params.ts derives the same number
 * from the table; a test keeps the two in step.
 */
export function paramCount(cfg: ModelConfig): number {
  const { V, C, L, F } = cfg;
  return 2 * V * C + L * (4 * C * C + 3 * C * F + 2 * C) + C;
}

/** Scheduled learning rate at step t (0-based): linear warmup, then cosine to minLrFrac * peak. */
export function scheduledLr(t: number, train: Pick<TrainDefaults, 'peakLr' | 'steps' | 'warmupFrac' | 'minLrFrac'>): number {
  const { peakLr, steps, warmupFrac, minLrFrac } = train;
  const warmup = Math.max(1, Math.round(warmupFrac * steps));
  if (t < warmup) return (peakLr * (t + 1)) / warmup;
  const progress = Math.min(1, (t - warmup) / Math.max(1, steps - 1 - warmup));
  const minLr = minLrFrac * peakLr;
  return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
}

export interface Timescale {
  /** S = sum over steps of the scheduled lr: decay alone shrinks weights by exp(-lambda * S). */
  S: number;
  /** exp(-lambda * S). */
  shrink: number;
  /** tau / T = 1 / (peakLr * lambda * steps): the AdamW timescale in units of the run (Infinity at lambda 0). */
  tauOverT: number;
}

/** S, exp(-lambda S) and tau/T for a schedule and a weight decay lambda (science.md, Timescale). */
export function timescale(train: Pick<TrainDefaults, 'peakLr' | 'steps' | 'warmupFrac' | 'minLrFrac'>, lambda: number): Timescale {
  let S = 0;
  for (let t = 0; t < train.steps; t++) S += scheduledLr(t, train);
  return { S, shrink: Math.exp(-lambda * S), tauOverT: 1 / (train.peakLr * lambda * train.steps) };
}

function trainDefaults(model: ModelConfig, part: Pick<TrainDefaults, 'B' | 'peakLr' | 'tokensPerParam'>): TrainDefaults {
  const tokens = part.tokensPerParam * paramCount(model);
  return { ...part, steps: Math.round(tokens / (part.B * model.T)), warmupFrac: 0.1, minLrFrac: 0.1 };
}

function preset(name: PresetName, description: string, model: ModelConfig, train: Pick<TrainDefaults, 'B' | 'peakLr' | 'tokensPerParam'>): Preset {
  return { name, description, model, train: trainDefaults(model, train) };
}

export type PresetName = 'tiny' | 'lab' | 'tpp20' | 'overtrained';

// Parameter counts, tokens, steps and S: config.test.ts prints the table and pins the numbers.
export const PRESETS: Record<PresetName, Preset> = {
  tiny: preset(
    'tiny',
    'For tests: fast on a software adapter, every code path (2 layers, 2 heads).',
    modelConfig({ T: 16, C: 16, L: 2, NH: 2 }),
    { B: 4, peakLr: 3e-3, tokensPerParam: 20 },
  ),
  lab: preset(
    'lab',
    'Lab default, overtrained (~116K params, 140 tokens/param, S ~6.5): the setting where models this small show the effect.',
    modelConfig({ T: 128, C: 64, L: 2, NH: 4 }),
    { B: 32, peakLr: 3e-3, tokensPerParam: 140 },
  ),
  tpp20: preset(
    'tpp20',
    "The paper's main arm: single epoch at 20 tokens/param on the corpus (~1.2M params, ~24M tokens, S ~1.6).",
    modelConfig({ T: 128, C: 128, L: 6, NH: 4 }),
    { B: 64, peakLr: 1e-3, tokensPerParam: 20 },
  ),
  overtrained: preset(
    'overtrained',
    "The paper's overtrained arm: the same ~23M-token budget at 140 tokens/param (~0.17M params, S ~6.2).",
    modelConfig({ T: 128, C: 64, L: 3, NH: 4 }),
    { B: 32, peakLr: 2e-3, tokensPerParam: 140 },
  ),
};

export const DEFAULT_PRESET: PresetName = 'lab';
