// embedding_forward / embedding_backward: the token embedding's gather and its deterministic scatter-add.
//
// embedding_forward: one thread per element of x (BT, C) = wte[tokens]. A token outside wte's V rows writes
// NaN, so a bad token fails loudly instead of reading a clamped row.
//
// embedding_backward: dwte (V, C) overwritten; row v sums dx over the tokens equal to v without float
// atomics, in a fixed order: the token list is cut into segments of WG * TOKENS tokens; one workgroup per
// (group of IDS = 4 vocabulary ids v = g + j * groups, chunk of WG channels, segment) lists the segment's
// matches of its 4 ids in workgroup memory, id by id and in token order (a two-level scan of the threads'
// match counts), and each thread sums dx of those tokens for its channel into the match's id, in that order.
// embedding_backward_sum then adds the segments' partial rows in segment order (with a single segment, the
// partial is dwte itself and this second pass is skipped). Segments bound the serial work of a frequent id (a
// space is ~20% of characters) to WG * TOKENS tokens; strided ids spread a run of frequent ids over groups.

struct Params {
  BT: u32,
  C: u32,
}

struct BackwardParams {
  BT: u32,
  V: u32,
  C: u32,
  segments: u32,  // ceil(BT / (WG * TOKENS))
  groups: u32,    // ceil(V / IDS): workgroups along x; id v = g + j * groups
}

override WG: u32 = 256;    // a multiple of SCAN_BLOCK, at most SCAN_BLOCK^2
override TOKENS: u32 = 2;  // backward: tokens per thread (<= 16, two bits each for the matching id)
const IDS: u32 = 4u;         // vocabulary ids per backward workgroup (one lane of a vec4 each)
const SCAN_BLOCK: u32 = 16u; // threads per block of the backward's two-level scan

@group(0) @binding(0) var<storage, read_write> x: array<f32>;  // (BT, C)
@group(0) @binding(1) var<storage, read> tokens: array<u32>;   // (BT)
@group(0) @binding(2) var<storage, read> wte: array<f32>;      // (V, C)
@group(0) @binding(3) var<uniform> params: Params;             // V is wte's length / C

// A quiet NaN, as a runtime value (a NaN constant expression is a shader-creation error).
var<private> nan_bits: u32 = 0x7fc00000u;

@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let n = gid.x + gid.y * grid.x * WG;
  let C = params.C;
  if (n < params.BT * C) {
    let token = tokens[n / C];
    if (token < arrayLength(&wte) / C) {
      x[n] = wte[token * C + n % C];
    } else {
      x[n] = bitcast<f32>(nan_bits);
    }
  }
}

// ---- backward ---------------------------------------------------------------------------------------------

// The backward's bindings (entry points share binding numbers, each uses its own subset).
@group(0) @binding(0) var<storage, read_write> partial: array<f32>;  // (segments, V, C); dwte when segments = 1
@group(0) @binding(1) var<storage, read> dx: array<f32>;             // (BT, C)
@group(0) @binding(2) var<storage, read> btokens: array<u32>;        // (BT)
@group(0) @binding(3) var<uniform> bparams: BackwardParams;

var<workgroup> scan: array<vec4u, WG>;                     // match counts per id, then block-inclusive prefixes
var<workgroup> block_totals: array<vec4u, WG / SCAN_BLOCK>;  // matches per block of SCAN_BLOCK threads
var<workgroup> hits: array<u32, WG * TOKENS>;  // (token index << 2) | j, grouped by id j, each in token order

// Workgroup (id group g, channel chunk, segment): partial(segment, v, :) for v = g + j * groups = sum of dx
// over the segment's tokens equal to v, in token order.
@compute @workgroup_size(WG)
fn embedding_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let g = wid.x;
  let V = bparams.V;
  let C = bparams.C;
  let c = wid.y * WG + lid;
  let segment = wid.z;
  // This thread's TOKENS consecutive tokens: which match one of the 4 ids (a bit each) and which id (2 bits each).
  let first = (segment * WG + lid) * TOKENS;
  var mask = 0u;
  var which = 0u;
  var mine = vec4u(0u);
  for (var k = 0u; k < TOKENS; k++) {
    let i = first + k;
    if (i < bparams.BT) {
      let t = btokens[i];
      if (t < V && t % bparams.groups == g) {
        let j = t / bparams.groups;
        mask |= 1u << k;
        which |= j << (2u * k);
        mine += vec4u(vec4u(j) == vec4u(0u, 1u, 2u, 3u));
      }
    }
  }
  // Two-level scan: blocks of SCAN_BLOCK threads prefix their counts serially, then each thread adds the
  // totals of the blocks before its own.
  scan[lid] = mine;
  workgroupBarrier();
  if (lid < WG / SCAN_BLOCK) {
    var run = vec4u(0u);
    for (var k = 0u; k < SCAN_BLOCK; k++) {
      run += scan[lid * SCAN_BLOCK + k];
      scan[lid * SCAN_BLOCK + k] = run;
    }
    block_totals[lid] = run;
  }
  workgroupBarrier();
  var before = vec4u(0u);  // matches of threads before this one, per id
  var total = vec4u(0u);
  for (var b = 0u; b < WG / SCAN_BLOCK; b++) {
    if (b < lid / SCAN_BLOCK) { before += block_totals[b]; }
    total += block_totals[b];
  }
  if (lid % SCAN_BLOCK != 0u) { before += scan[lid - 1u]; }
  // Id j's list starts after the lists of ids 0..j-1.
  var at = before + vec4u(0u, total.x, total.x + total.y, total.x + total.y + total.z);
  for (var k = 0u; k < TOKENS; k++) {
    if ((mask & (1u << k)) != 0u) {
      let j = (which >> (2u * k)) & 3u;
      hits[at[j]] = ((first + k) << 2u) | j;
      at[j]++;
    }
  }
  let count = total.x + total.y + total.z + total.w;
  workgroupBarrier();
  if (c < C) {
    // Eight loads in flight, then the adds in list order, each into its id's lane (the others add 0).
    var acc = vec4f(0.0);
    var k = 0u;
    for (; k + 8u <= count; k += 8u) {
      var row: array<f32, 8>;
      for (var u = 0u; u < 8u; u++) { row[u] = dx[(hits[k + u] >> 2u) * C + c]; }
      for (var u = 0u; u < 8u; u++) { acc += select(vec4f(0.0), vec4f(row[u]), vec4u(hits[k + u] & 3u) == vec4u(0u, 1u, 2u, 3u)); }
    }
    for (; k < count; k++) {
      acc += select(vec4f(0.0), vec4f(dx[(hits[k] >> 2u) * C + c]), vec4u(hits[k] & 3u) == vec4u(0u, 1u, 2u, 3u));
    }
    for (var j = 0u; j < IDS; j++) {
      let v = g + j * bparams.groups;
      if (v < V) { partial[(segment * V + v) * C + c] = acc[j]; }
    }
  }
}

@group(0) @binding(0) var<storage, read_write> dwte: array<f32>;  // (V, C)
@group(0) @binding(1) var<storage, read> partials: array<f32>;    // (segments, V, C)
@group(0) @binding(2) var<uniform> sparams: BackwardParams;

// dwte = the segments' partials added in segment order; one thread per element, eight loads in flight.
@compute @workgroup_size(WG)
fn embedding_backward_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let n = gid.x + gid.y * grid.x * WG;
  let VC = sparams.V * sparams.C;
  let S = sparams.segments;
  if (n < VC) {
    var acc = 0.0;
    var s = 0u;
    for (; s + 8u <= S; s += 8u) {
      var part: array<f32, 8>;
      for (var u = 0u; u < 8u; u++) { part[u] = partials[(s + u) * VC + n]; }
      for (var u = 0u; u < 8u; u++) { acc += part[u]; }
    }
    for (; s < S; s++) { acc += partials[s * VC + n]; }
    dwte[n] = acc;
  }
}
