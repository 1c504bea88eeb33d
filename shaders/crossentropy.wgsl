// crossentropy_forward / crossentropy_backward: fused softmax + negative log-likelihood over rows of V logits
// with per-token weights (the loss mask, already normalized: sum(losses) is the mean loss).
// One workgroup per row; each thread strides over the row, then a fixed-order tree in workgroup memory
// combines the threads (deterministic, no atomics). The row max is subtracted before exp, so logits of any
// magnitude are safe. A target >= V writes NaN (fails loudly rather than reading a neighbouring row).
// Grid: BT workgroups, folded into y past the per-dimension limit.

struct Params {
  BT: u32,
  V: u32,
}

override WG: u32 = 64; // threads per row, a power of two

// Binding 0 is the output: losses for the forward entry point, dlogits for the backward one.
@group(0) @binding(0) var<storage, read_write> losses: array<f32>;  // (BT)
@group(0) @binding(0) var<storage, read_write> dlogits: array<f32>; // (BT, V)
@group(0) @binding(1) var<storage, read> logits: array<f32>;        // (BT, V)
@group(0) @binding(2) var<storage, read> targets: array<u32>;       // (BT)
@group(0) @binding(3) var<storage, read> weights: array<f32>;       // (BT)
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> scratch: array<f32, WG>;

const LOWEST = -0x1.fffffep+127f; // the lowest finite f32

fn tree_max(tid: u32, value: f32) -> f32 {
  scratch[tid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) {
      scratch[tid] = max(scratch[tid], scratch[tid + s]);
    }
    workgroupBarrier();
  }
  let result = scratch[0];
  workgroupBarrier();
  return result;
}

fn tree_sum(tid: u32, value: f32) -> f32 {
  scratch[tid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) {
      scratch[tid] = scratch[tid] + scratch[tid + s];
    }
    workgroupBarrier();
  }
  let result = scratch[0];
  workgroupBarrier();
  return result;
}

// (max, sum of exp(logit - max)) of one row, the same value in every thread.
fn row_stats(base: u32, tid: u32) -> vec2f {
  let V = params.V;
  var m = LOWEST;
  for (var j = tid; j < V; j += WG) {
    m = max(m, logits[base + j]);
  }
  m = tree_max(tid, m);
  var s = 0.0;
  for (var j = tid; j < V; j += WG) {
    s += exp(logits[base + j] - m);
  }
  return vec2f(m, tree_sum(tid, s));
}

fn nan() -> f32 {
  return bitcast<f32>(0x7fc00000u | (params.V & 0u));
}

fn row_index(wid: vec3u, grid: vec3u) -> u32 {
  return wid.x + wid.y * grid.x;
}

@compute @workgroup_size(WG)
fn crossentropy_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) grid: vec3u,
                        @builtin(local_invocation_index) tid: u32) {
  let row = row_index(wid, grid);
  if (row >= params.BT) {
    return;
  }
  let base = row * params.V;
  let stats = row_stats(base, tid);
  if (tid == 0u) {
    let t = targets[row];
    var loss = nan();
    if (t < params.V) {
      // (max - logit_t) first: exact when close, so the loss keeps its precision at large magnitudes.
      loss = weights[row] * ((stats.x - logits[base + t]) + log(stats.y));
    }
    losses[row] = loss;
  }
}

@compute @workgroup_size(WG)
fn crossentropy_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) grid: vec3u,
                         @builtin(local_invocation_index) tid: u32) {
  let row = row_index(wid, grid);
  if (row >= params.BT) {
    return;
  }
  let V = params.V;
  let base = row * V;
  let stats = row_stats(base, tid);
  let t = targets[row];
  let w = weights[row];
  for (var j = tid; j < V; j += WG) {
    let p = exp(logits[base + j] - stats.x) / stats.y;
    var d = w * (p - select(0.0, 1.0, j == t));
    if (t >= V) {
      d = nan();
    }
    dlogits[base + j] = d;
  }
}
