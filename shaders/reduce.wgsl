// reduce_sum / reduce_norm as fixed-order two-pass reductions (bit-reproducible: no atomics, and the order
// depends only on N and the chunk size, never on scheduling).
//   pass 1, reduce_{sum,norm}_partials: workgroup g owns the contiguous chunk [g*chunk, min((g+1)*chunk, N))
//     and walks it in blocks of UNROLL*WG elements. In every block thread t loads the UNROLL elements
//     t, t+WG, ..., t+(UNROLL-1)*WG (all loads in flight before any add; those past the chunk read as 0) and
//     adds element u into its own accumulator u (squared for the norm), so accumulator u runs over the
//     blocks in order. The thread's UNROLL accumulators combine in a fixed pairwise tree (u with u+4, then
//     (0+1)+(2+3)), then a fixed tree over the WG threads writes partials[g]. Grid: P = ceil(N / chunk)
//     workgroups (folded into y if needed).
//   pass 2, reduce_{sum,norm}_final: one workgroup runs the same walk over the P partials as one chunk (not
//     squared), and thread 0 writes out[outIndex] (the square root of it for the norm).

struct Params {
  N: u32,
  chunk: u32,    // elements per pass-1 workgroup
  P: u32,        // number of partials = ceil(N / chunk)
  outIndex: u32, // element of `out` that receives the result
}

override WG: u32 = 256; // a power of two
const UNROLL: u32 = 8u; // loads in flight per thread: two vec4 accumulators

// Both passes read `src` and write `dst`: pass 1 reads x (N) and writes partials (P); pass 2 reads the
// partials (P) and writes out (>= outIndex + 1).
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
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

fn load_or_zero(i: u32, end: u32) -> f32 {
  if (i < end) {
    return src[i];
  }
  return 0.0;
}

// Thread tid's share of src[start, end), in the order described at the top.
fn thread_sum(tid: u32, start: u32, end: u32, square: bool) -> f32 {
  var lo = vec4f(0.0); // accumulators u = 0..3
  var hi = vec4f(0.0); // accumulators u = 4..7
  var i = start + tid;
  // Whole blocks for this thread: eight unguarded loads.
  for (; i + (UNROLL - 1u) * WG < end; i += UNROLL * WG) {
    let a = vec4f(src[i], src[i + WG], src[i + 2u * WG], src[i + 3u * WG]);
    let b = vec4f(src[i + 4u * WG], src[i + 5u * WG], src[i + 6u * WG], src[i + 7u * WG]);
    lo += select(a, a * a, square);
    hi += select(b, b * b, square);
  }
  // The ragged last block: the same adds, elements past the end read as 0 (adding 0 changes nothing).
  if (i < end) {
    let a = vec4f(load_or_zero(i, end), load_or_zero(i + WG, end), load_or_zero(i + 2u * WG, end), load_or_zero(i + 3u * WG, end));
    let b = vec4f(load_or_zero(i + 4u * WG, end), load_or_zero(i + 5u * WG, end), load_or_zero(i + 6u * WG, end),
                  load_or_zero(i + 7u * WG, end));
    lo += select(a, a * a, square);
    hi += select(b, b * b, square);
  }
  let pairs = lo + hi;
  return (pairs.x + pairs.y) + (pairs.z + pairs.w);
}

fn partials_pass(wid: vec3u, grid: vec3u, tid: u32, square: bool) {
  let g = wid.x + wid.y * grid.x;
  if (g >= params.P) {
    return;
  }
  let start = g * params.chunk;
  let end = min(start + params.chunk, params.N);
  let total = tree_sum(tid, thread_sum(tid, start, end, square));
  if (tid == 0u) {
    dst[g] = total;
  }
}

fn final_pass(tid: u32, root: bool) {
  let total = tree_sum(tid, thread_sum(tid, 0u, params.P, false));
  if (tid == 0u) {
    dst[params.outIndex] = select(total, sqrt(total), root);
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
