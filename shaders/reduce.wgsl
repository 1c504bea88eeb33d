// reduce_sum / reduce_norm as fixed-order two-pass reductions (bit-reproducible: no atomics, and the order
// depends only on N and the chunk size, never on scheduling).
//   pass 1, reduce_{sum,norm}_partials: workgroup g owns the contiguous chunk [g*chunk, min((g+1)*chunk, N));
//     thread t sums elements t, t+WG, ... of it in order (squared for the norm), then a fixed tree over the
//     WG threads writes partials[g]. Grid: P = ceil(N / chunk) workgroups (folded into y if needed).
//   pass 2, reduce_{sum,norm}_final: one workgroup; thread t sums partials t, t+WG, ..., a tree combines
//     them, and thread 0 writes out[outIndex] (the square root of it for the norm).

struct Params {
  N: u32,
  chunk: u32,    // elements per pass-1 workgroup
  P: u32,        // number of partials = ceil(N / chunk)
  outIndex: u32, // element of `out` that receives the result
}

override WG: u32 = 256; // a power of two

// Pass 1 bindings.
@group(0) @binding(0) var<storage, read_write> partials: array<f32>; // (P)
@group(0) @binding(1) var<storage, read> x: array<f32>;              // (N)
// Pass 2 bindings.
@group(0) @binding(0) var<storage, read_write> out: array<f32>;      // (>= outIndex + 1)
@group(0) @binding(1) var<storage, read> partials_in: array<f32>;    // (P)
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> scratch: array<f32, WG>;

fn tree_sum(tid: u32, value: f32) -> f32 {
  scratch[tid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) {
      scratch[tid] = scratch[tid] + scratch[tid + s];
    }
    workgroupBarrier();
  }
  return scratch[0];
}

fn partials_pass(wid: vec3u, grid: vec3u, tid: u32, square: bool) {
  let g = wid.x + wid.y * grid.x;
  if (g >= params.P) {
    return;
  }
  let start = g * params.chunk;
  let end = min(start + params.chunk, params.N);
  var acc = 0.0;
  for (var i = start + tid; i < end; i += WG) {
    let value = x[i];
    acc += select(value, value * value, square);
  }
  let total = tree_sum(tid, acc);
  if (tid == 0u) {
    partials[g] = total;
  }
}

fn final_pass(tid: u32, root: bool) {
  var acc = 0.0;
  for (var i = tid; i < params.P; i += WG) {
    acc += partials_in[i];
  }
  let total = tree_sum(tid, acc);
  if (tid == 0u) {
    out[params.outIndex] = select(total, sqrt(total), root);
  }
}

@compute @workgroup_size(WG)
fn reduce_sum_partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) grid: vec3u,
                       @builtin(local_invocation_index) tid: u32) {
  partials_pass(wid, grid, tid, false);
}

@compute @workgroup_size(WG)
fn reduce_norm_partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) grid: vec3u,
                        @builtin(local_invocation_index) tid: u32) {
  partials_pass(wid, grid, tid, true);
}

@compute @workgroup_size(WG)
fn reduce_sum_final(@builtin(local_invocation_index) tid: u32) {
  final_pass(tid, false);
}

@compute @workgroup_size(WG)
fn reduce_norm_final(@builtin(local_invocation_index) tid: u32) {
  final_pass(tid, true);
}
