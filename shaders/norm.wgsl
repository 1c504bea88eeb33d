// norm_forward / norm_backward / norm_backward_dgain: RMSNorm (centered = 0, the paper's) and LayerNorm
// without bias (centered = 1) over rows of C floats, one family selected by a uniform flag.
//
// Rows are reduced cooperatively in workgroup memory: a workgroup of WG threads is split into WG / lanes row
// groups of `lanes` threads (lanes = a power of two <= WG, about C), so narrow rows (C = 64) still fill the
// workgroup. Every reduction is a fixed tree, so results are bit-reproducible.
//
// The backward runs in two passes with no atomics: norm_backward gives each row group ("slot") rowsPerSlot
// consecutive rows, adds the rows' dx in place and sums dy * xhat per column into partial(slot, :) (each
// column of a slot is owned by one thread); norm_backward_dgain then sums the slots' partials per column in
// a fixed order. Entry points share binding numbers (each uses its own subset).

struct Params {
  BT: u32,
  C: u32,
  centered: u32,    // 0: RMSNorm (mean = 0), 1: LayerNorm
  eps: f32,
  lanes: u32,       // threads per row, a power of two <= WG
  rowsPerSlot: u32, // backward: consecutive rows per slot
  slots: u32,       // backward: ceil(BT / rowsPerSlot), the partial rows
}

override WG: u32 = 256;

var<workgroup> red: array<vec2f, WG>;

// Sums v over the `lanes` threads of this thread's row group (a fixed tree); every thread gets the total.
// Must be called from uniform control flow by the whole workgroup.
fn group_sum(lid: u32, lanes: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  workgroupBarrier();
  for (var s = lanes / 2u; s > 0u; s = s / 2u) {
    if (lid % lanes < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  let total = red[lid - lid % lanes];
  workgroupBarrier();
  return total;
}

// ---- forward -------------------------------------------------------------------------------------------

@group(0) @binding(0) var<storage, read_write> y: array<f32>;     // (BT, C)
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;  // (BT)
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>;  // (BT)
@group(0) @binding(3) var<storage, read> x: array<f32>;           // (BT, C)
@group(0) @binding(4) var<storage, read> gain: array<f32>;        // (C)
@group(0) @binding(5) var<uniform> fparams: Params;

@compute @workgroup_size(WG)
fn norm_forward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                @builtin(num_workgroups) grid: vec3u) {
  let C = fparams.C;
  let lanes = fparams.lanes;
  let lane = lid % lanes;
  let row = (wid.x + wid.y * grid.x) * (WG / lanes) + lid / lanes;
  let live = row < fparams.BT;
  let base = row * C;

  var m = 0.0;
  if (fparams.centered != 0u) {
    var s = 0.0;
    if (live) {
      for (var c = lane; c < C; c += lanes) { s += x[base + c]; }
    }
    m = group_sum(lid, lanes, vec2f(s, 0.0)).x / f32(C);
  }
  var q = 0.0;
  if (live) {
    for (var c = lane; c < C; c += lanes) {
      let d = x[base + c] - m;
      q += d * d;
    }
  }
  let r = 1.0 / sqrt(group_sum(lid, lanes, vec2f(q, 0.0)).x / f32(C) + fparams.eps);
  if (live) {
    for (var c = lane; c < C; c += lanes) { y[base + c] = (x[base + c] - m) * r * gain[c]; }
    if (lane == 0u) {
      mean[row] = m;
      rstd[row] = r;
    }
  }
}

// ---- backward: dx += ..., per-slot dgain partials --------------------------------------------------------

@group(0) @binding(0) var<storage, read_write> dx: array<f32>;       // (BT, C), accumulated into
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;  // (slots, C) scratch
@group(0) @binding(2) var<storage, read> dy: array<f32>;             // (BT, C)
@group(0) @binding(3) var<storage, read> bx: array<f32>;             // (BT, C)
@group(0) @binding(4) var<storage, read> bgain: array<f32>;          // (C)
@group(0) @binding(5) var<storage, read> bmean: array<f32>;          // (BT)
@group(0) @binding(6) var<storage, read> brstd: array<f32>;          // (BT)
@group(0) @binding(7) var<uniform> bparams: Params;

@compute @workgroup_size(WG)
fn norm_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                 @builtin(num_workgroups) grid: vec3u) {
  let C = bparams.C;
  let lanes = bparams.lanes;
  let lane = lid % lanes;
  let slot = (wid.x + wid.y * grid.x) * (WG / lanes) + lid / lanes;
  let liveSlot = slot < bparams.slots;
  let pbase = slot * C;
  let invC = 1.0 / f32(C);
  if (liveSlot) {
    for (var c = lane; c < C; c += lanes) { partial[pbase + c] = 0.0; }
  }
  for (var k = 0u; k < bparams.rowsPerSlot; k++) {
    let row = slot * bparams.rowsPerSlot + k;
    let live = liveSlot && row < bparams.BT;
    let base = row * C;
    var m = 0.0;
    var r = 0.0;
    // Row sums of dxhat = dy * gain and of dxhat * xhat.
    var acc = vec2f(0.0);
    if (live) {
      m = bmean[row];
      r = brstd[row];
      for (var c = lane; c < C; c += lanes) {
        let g = dy[base + c] * bgain[c];
        acc += vec2f(g, g * (bx[base + c] - m) * r);
      }
    }
    let tot = group_sum(lid, lanes, acc) * invC;
    let mg = select(0.0, tot.x, bparams.centered != 0u);
    if (live) {
      for (var c = lane; c < C; c += lanes) {
        let d = dy[base + c];
        let xh = (bx[base + c] - m) * r;
        dx[base + c] += r * (d * bgain[c] - mg - xh * tot.y);
        partial[pbase + c] += d * xh;
      }
    }
  }
}

// ---- backward: dgain = fixed-order sum of the slots' partials -------------------------------------------

@group(0) @binding(0) var<storage, read_write> dgain: array<f32>;  // (C), overwritten
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;  // (slots, C)
@group(0) @binding(2) var<uniform> gparams: Params;

// One workgroup per column c: thread t sums slots t, t + WG, ... in order, then a fixed tree.
@compute @workgroup_size(WG)
fn norm_backward_dgain(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let C = gparams.C;
  let c = wid.x;
  var s = 0.0;
  for (var p = lid; p < gparams.slots; p += WG) { s += partials[p * C + c]; }
  let total = group_sum(lid, WG, vec2f(s, 0.0)).x;
  if (lid == 0u) {
    dgain[c] = total;
  }
}
