// AdamW over the whole flat parameter buffer (PyTorch semantics, with clip_grad_norm_ folded in), as a fixed
// chain of two dispatches per step:
//   adamw_prepare (1 thread): reads the step's record schedule[cursor] and the global gradient norm (written
//     by reduce_norm), computes clip = min(1, maxNorm / (gradNorm + 1e-6)), stores both in `current`/`clip`,
//     and advances the cursor. Many steps can thus be encoded in one submit with no CPU work in between.
//     A cursor past `count` poisons the step with NaN (the loss shows it) instead of reusing stale values.
//   adamw_step (one thread per element): g = grad * clip; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//     p *= 1 - lr wd (tensors with decay only); p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),
//     with bc = 1 - beta^t, all step constants precomputed in float64 on the CPU (as PyTorch does).
// Which elements decay comes from a compact table: the run of decay flags over the buffer, stored as the
// first flag and the sorted offsets where it flips; an element's flag is found by binary search.
// Grid of adamw_step: ceil(N / WG) workgroups, folded into y past the per-dimension limit.

struct StepHyper {
  lr: f32,
  decay_mul: f32,        // 1 - lr * weightDecay
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  eps: f32,
  max_norm: f32,
  step_size: f32,        // lr / (1 - beta1^t)
  bc2_sqrt: f32,         // sqrt(1 - beta2^t)
  t: u32,                // the step number, from 1 (for inspection)
  _pad: u32,
}

struct Hyper {
  cursor: u32,           // index of the record the next adamw_prepare reads
  count: u32,            // records valid in `schedule`
  clip: f32,             // this step's clip scale
  _pad: u32,
  current: StepHyper,    // this step's record
  schedule: array<StepHyper>,
}

struct Params {
  N: u32,
}

override WG: u32 = 256;

// adamw_prepare bindings.
@group(0) @binding(0) var<storage, read_write> hyper: Hyper;
@group(0) @binding(1) var<storage, read> grad_norm: array<f32>;  // (1)

// adamw_step bindings.
@group(0) @binding(0) var<storage, read_write> params: array<f32>; // (N)
@group(0) @binding(1) var<storage, read_write> m: array<f32>;      // (N)
@group(0) @binding(2) var<storage, read_write> v: array<f32>;      // (N)
@group(0) @binding(3) var<storage, read> grads: array<f32>;        // (N)
@group(0) @binding(4) var<storage, read> decay_table: array<u32>;  // [first flag, flips F, flip offsets (F)]
@group(0) @binding(5) var<storage, read> step_hyper: Hyper;
@group(0) @binding(6) var<uniform> sizes: Params;

@compute @workgroup_size(1)
fn adamw_prepare() {
  let k = hyper.cursor;
  if (k < hyper.count && k < arrayLength(&hyper.schedule)) {
    let record = hyper.schedule[k];
    hyper.current = record;
    hyper.clip = min(1.0, record.max_norm / (grad_norm[0] + 1e-6));
  } else {
    let nan = bitcast<f32>(0x7fc00000u | (k & 0u));
    hyper.current = StepHyper(nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, 0u, 0u);
    hyper.clip = nan;
  }
  hyper.cursor = k + 1u;
}

// Whether element i belongs to a tensor with weight decay: the first flag, toggled once per flip <= i.
fn decays(i: u32) -> bool {
  var lo = 0u;
  var hi = decay_table[1];
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (decay_table[2u + mid] <= i) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return ((decay_table[0] + lo) & 1u) == 1u;
}

@compute @workgroup_size(WG)
fn adamw_step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let i = gid.x + gid.y * grid.x * WG;
  if (i >= sizes.N) {
    return;
  }
  let h = step_hyper.current;
  let g = grads[i] * step_hyper.clip;
  let mi = h.beta1 * m[i] + h.one_minus_beta1 * g;
  let vi = h.beta2 * v[i] + h.one_minus_beta2 * (g * g);
  m[i] = mi;
  v[i] = vi;
  var p = params[i];
  if (decays(i)) {
    p = p * h.decay_mul;
  }
  let denom = sqrt(vi) / h.bc2_sqrt + h.eps;
  params[i] = p - h.step_size * (mi / denom);
}
