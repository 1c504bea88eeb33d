// norm_forward / norm_backward / norm_backward_dgain: RMSNorm (centered = 0, the paper's) and LayerNorm
// without bias (centered = 1) over rows of C floats, one family selected by a uniform flag.
//
// Rows are split over row groups of `lanes` threads (a power of two, the next one >= C / MAXV, at most WG),
// WG / lanes row groups per workgroup. Thread `lane` of a group holds columns c = lane + i * lanes, i < MAXV,
// in registers, so each row is read from global memory once and every thread has up to MAXV independent
// loads in flight. Rows longer than MAXV * WG (only then lanes = WG) re-read their remaining columns from
// global memory in each pass (the "tail").
//
// group_sum is a shallow reduction with a fixed order: partials to workgroup memory, a barrier; for
// lanes <= BLOCK every thread sums its group's partials in order; otherwise lanes / BLOCK threads each sum
// a strided block of BLOCK partials in order, a barrier, and every thread sums the block sums in order.
// Two copies of the scratch (`scratch`) let consecutive reductions follow each other with no trailing barrier.
//
// The backward runs in two passes with no atomics. norm_backward gives each workgroup ("slot") rowsPerSlot
// consecutive rows, its row groups taking turns (row group g: rows g, g + WG / lanes, ...); it adds the
// rows' dx in place and keeps each thread's sums of dy * xhat for its columns in registers across its rows,
// then sums the row groups' sums per column in order in workgroup memory and writes partial(slot, :) once.
// norm_backward_dgain sums the slots' partials per column: a workgroup covers DGAIN_COLS adjacent columns
// (adjacent threads read adjacent columns) times WG / DGAIN_COLS slot groups, each summing every
// (WG / DGAIN_COLS)-th slot in order, then the slot groups in order. Every sum's order depends only on the
// shapes, so results are bit-reproducible. Entry points share binding numbers (each uses its own subset).

struct Params {
  BT: u32,
  C: u32,
  centered: u32,    // 0: RMSNorm (mean = 0), 1: LayerNorm
  eps: f32,
  lanes: u32,       // threads per row, a power of two <= WG
  rowsPerSlot: u32, // backward: consecutive rows per workgroup (slot)
  slots: u32,       // backward: ceil(BT / rowsPerSlot), the workgroups and partial rows
}

override WG: u32 = 256;
const MAXV: u32 = 8u;         // columns each thread holds in registers (norm.ts mirrors it)
const BLOCK: u32 = 16u;       // partials summed by one thread in group_sum's first level
const DGAIN_COLS: u32 = 8u;   // columns per workgroup of norm_backward_dgain (norm.ts mirrors it)
const DGAIN_BATCH: u32 = 8u;  // independent partial loads per thread and step in norm_backward_dgain

var<workgroup> sumPartials: array<vec2f, 2u * WG>;         // [scratch][thread]
var<workgroup> sumBlocks: array<vec2f, 2u * WG / BLOCK>;   // [scratch][row group][block]

// Sums v over the `lanes` threads of this thread's row group; every thread gets the total, summed in an
// order fixed by `lanes`. Must be called from uniform control flow by the whole workgroup; calls that follow
// each other must alternate `scratch`.
fn group_sum(scratch: u32, lid: u32, lanes: u32, v: vec2f) -> vec2f {
  let first = scratch * WG + lid - lid % lanes;  // this group's partials
  sumPartials[scratch * WG + lid] = v;
  workgroupBarrier();
  var s = vec2f(0.0);
  if (lanes <= BLOCK) {
    for (var j = 0u; j < lanes; j++) { s += sumPartials[first + j]; }
    return s;
  }
  let blocks = lanes / BLOCK;
  let lane = lid % lanes;
  let blockBase = scratch * (WG / BLOCK) + (lid / lanes) * blocks;
  if (lane < blocks) {
    // Block `lane` holds partials lane, lane + blocks, ...: adjacent threads read adjacent words.
    for (var k = 0u; k < BLOCK; k++) { s += sumPartials[first + lane + k * blocks]; }
    sumBlocks[blockBase + lane] = s;
  }
  workgroupBarrier();
  var total = vec2f(0.0);
  for (var j = 0u; j < blocks; j++) { total += sumBlocks[blockBase + j]; }
  return total;
}

// ---- forward -------------------------------------------------------------------------------------------

@group(0) @binding(0) var<storage, read_write> y: array<f32>;     // (BT, C)
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;  // (BT)
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>;  // (BT)
@group(0) @binding(3) var<storage, read> x: array<f32>;           // (BT, C)
@group(0) @binding(4) var<storage, read> gain: array<f32>;        // (C)
@group(0) @binding(5) var<uniform> fparams: Params;

// One row per row group, one reduction per row (shifted sums for LayerNorm).
@compute @workgroup_size(WG)
fn norm_forward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                @builtin(num_workgroups) grid: vec3u) {
  let C = fparams.C;
  let lanes = fparams.lanes;
  let lane = lid % lanes;
  let row = (wid.x + wid.y * grid.x) * (WG / lanes) + lid / lanes;
  let live = row < fparams.BT;
  let base = row * C;
  let held = MAXV * lanes;  // columns held in registers; the tail c >= held is re-read

  var xv: array<f32, MAXV>;  // x[row, lane + i * lanes], 0 past the row
  var gv: array<f32, MAXV>;  // gain[lane + i * lanes]
  for (var i = 0u; i < MAXV; i++) {
    let c = lane + i * lanes;
    if (live && c < C) {
      xv[i] = x[base + c];
      gv[i] = gain[c];
    }
  }

  // One reduction of the sums of d = x - K and d^2. RMSNorm: K = 0, so the second sum is the sum of x^2.
  // LayerNorm: K = the row's first element, a sample of the row, so the variance E[d^2] - E[d]^2 does not
  // cancel catastrophically when the mean is large against the spread.
  var K = 0.0;
  if (fparams.centered != 0u && live) { K = x[base]; }
  var s = vec2f(0.0);
  for (var i = 0u; i < MAXV; i++) {
    if (lane + i * lanes < C) {
      let d = xv[i] - K;
      s += vec2f(d, d * d);
    }
  }
  if (live) {
    for (var c = held + lane; c < C; c += lanes) {
      let d = x[base + c] - K;
      s += vec2f(d, d * d);
    }
  }
  let sums = group_sum(0u, lid, lanes, s) / f32(C);
  var m = 0.0;
  var variance = sums.y;
  if (fparams.centered != 0u) {
    m = K + sums.x;
    variance = max(sums.y - sums.x * sums.x, 0.0);
  }
  let r = 1.0 / sqrt(variance + fparams.eps);
  if (live) {
    for (var i = 0u; i < MAXV; i++) {
      let c = lane + i * lanes;
      if (c < C) { y[base + c] = (xv[i] - m) * r * gv[i]; }
    }
    for (var c = held + lane; c < C; c += lanes) { y[base + c] = (x[base + c] - m) * r * gain[c]; }
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

// Row groups' dgain sums for the held columns: [row group][c], c < MAXV * lanes.
var<workgroup> groupDgain: array<f32, MAXV * WG>;

@compute @workgroup_size(WG)
fn norm_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                 @builtin(num_workgroups) grid: vec3u) {
  let C = bparams.C;
  let lanes = bparams.lanes;
  let lane = lid % lanes;
  let group = lid / lanes;
  let groups = WG / lanes;
  let slot = wid.x + wid.y * grid.x;
  let liveSlot = slot < bparams.slots;
  let rowsPerSlot = bparams.rowsPerSlot;
  let held = MAXV * lanes;
  let pbase = slot * C;
  let invC = 1.0 / f32(C);

  var gv: array<f32, MAXV>;  // gain[lane + i * lanes]
  for (var i = 0u; i < MAXV; i++) {
    let c = lane + i * lanes;
    if (liveSlot && c < C) { gv[i] = bgain[c]; }
  }
  // Tail columns exist only when lanes = WG (one row group): that thread owns them in partial(slot, :).
  if (liveSlot) {
    for (var c = held + lane; c < C; c += lanes) { partial[pbase + c] = 0.0; }
  }
  var dgainSum: array<f32, MAXV>;  // sum over this thread's rows of dy * xhat, per held column
  for (var k = 0u; k < (rowsPerSlot + groups - 1u) / groups; k++) {
    let inSlot = k * groups + group;
    let row = slot * rowsPerSlot + inSlot;
    let live = liveSlot && inSlot < rowsPerSlot && row < bparams.BT;
    let base = row * C;
    var m = 0.0;
    var r = 0.0;
    var dyv: array<f32, MAXV>;
    var xh: array<f32, MAXV>;   // x, then xhat
    var dxv: array<f32, MAXV>;  // dx before this kernel
    if (live) {
      m = bmean[row];
      r = brstd[row];
    }
    for (var i = 0u; i < MAXV; i++) {
      let c = lane + i * lanes;
      // Zeros past the row, set explicitly: a loop body's var is not reliably re-zeroed each iteration.
      dyv[i] = 0.0;
      xh[i] = 0.0;
      dxv[i] = 0.0;
      if (live && c < C) {
        dyv[i] = dy[base + c];
        xh[i] = bx[base + c];
        dxv[i] = dx[base + c];
      }
    }
    // Row sums of g = dy * gain and of g * xhat (0 past the row: dy = 0 there).
    var acc = vec2f(0.0);
    for (var i = 0u; i < MAXV; i++) {
      let g = dyv[i] * gv[i];
      xh[i] = (xh[i] - m) * r;
      acc += vec2f(g, g * xh[i]);
    }
    if (live) {
      for (var c = held + lane; c < C; c += lanes) {
        let g = dy[base + c] * bgain[c];
        acc += vec2f(g, g * ((bx[base + c] - m) * r));
      }
    }
    let tot = group_sum(k % 2u, lid, lanes, acc) * invC;
    let mg = select(0.0, tot.x, bparams.centered != 0u);
    if (live) {
      for (var i = 0u; i < MAXV; i++) {
        let c = lane + i * lanes;
        if (c < C) {
          dx[base + c] = dxv[i] + r * (dyv[i] * gv[i] - mg - xh[i] * tot.y);
          dgainSum[i] += dyv[i] * xh[i];
        }
      }
      for (var c = held + lane; c < C; c += lanes) {
        let d = dy[base + c];
        let xhc = (bx[base + c] - m) * r;
        dx[base + c] += r * (d * bgain[c] - mg - xhc * tot.y);
        partial[pbase + c] += d * xhc;
      }
    }
  }
  // partial(slot, c) = sum over row groups, in order, of their sums (held columns).
  for (var i = 0u; i < MAXV; i++) { groupDgain[group * held + lane + i * lanes] = dgainSum[i]; }
  workgroupBarrier();
  if (liveSlot) {
    for (var c = lid; c < min(C, held); c += WG) {
      var s = 0.0;
      for (var g = 0u; g < groups; g++) { s += groupDgain[g * held + c]; }
      partial[pbase + c] = s;
    }
  }
}

// ---- backward: dgain = fixed-order sum of the slots' partials -------------------------------------------

@group(0) @binding(0) var<storage, read_write> dgain: array<f32>;  // (C), overwritten
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;  // (slots, C)
@group(0) @binding(2) var<uniform> gparams: Params;

var<workgroup> slotGroupSums: array<f32, WG>;  // [slot group][column of the block]

// Thread (slot group sg, column c): slots sg, sg + S, sg + 2S, ... in order (S = WG / DGAIN_COLS slot groups),
// DGAIN_BATCH loads in flight at a time; then thread sg = 0 sums the S slot groups in order.
@compute @workgroup_size(WG)
fn norm_backward_dgain(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                       @builtin(num_workgroups) grid: vec3u) {
  let C = gparams.C;
  let P = gparams.slots;
  let S = WG / DGAIN_COLS;
  let c = (wid.x + wid.y * grid.x) * DGAIN_COLS + lid % DGAIN_COLS;
  let sg = lid / DGAIN_COLS;
  let live = c < C;
  var s = 0.0;
  for (var p0 = sg; p0 < P; p0 += S * DGAIN_BATCH) {
    var v: array<f32, DGAIN_BATCH>;
    for (var j = 0u; j < DGAIN_BATCH; j++) {
      let p = p0 + j * S;
      v[j] = 0.0;  // explicitly: a loop body's var is not reliably re-zeroed each iteration
      if (live && p < P) { v[j] = partials[p * C + c]; }
    }
    for (var j = 0u; j < DGAIN_BATCH; j++) { s += v[j]; }
  }
  slotGroupSums[lid] = s;
  workgroupBarrier();
  if (live && sg == 0u) {
    var total = 0.0;
    for (var g = 0u; g < S; g++) { total += slotGroupSums[g * DGAIN_COLS + lid]; }
    dgain[c] = total;
  }
}
