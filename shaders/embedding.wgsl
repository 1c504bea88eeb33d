// embedding_forward / embedding_backward: the token embedding's gather and its deterministic scatter-add.
//
// embedding_forward: one thread per element of x (BT, C) = wte[tokens]. A token outside wte's V rows writes
// NaN, so a bad token fails loudly instead of reading a clamped row.
//
// embedding_backward: dwte (V, C) overwritten; row v sums dx over the tokens equal to v without float
// atomics, in a fixed order: the token list is cut into segments of WG * TOKENS tokens; one workgroup per
// (vocab row v, chunk of WG channels, segment) compacts the segment's matches into workgroup memory in token
// order (a scan of the threads' match counts) and each thread sums dx of those tokens for its channel in
// that order. embedding_backward_sum then adds the segments' partial rows in segment order (with a single
// segment, the partial is dwte itself and this second pass is skipped). Segments bound the serial work of a
// frequent id (a space is ~20% of characters) to WG * TOKENS tokens.

struct Params {
  BT: u32,
  C: u32,
}

struct BackwardParams {
  BT: u32,
  V: u32,
  C: u32,
  segments: u32,  // ceil(BT / (WG * TOKENS))
}

override WG: u32 = 256;
override TOKENS: u32 = 2;  // backward: tokens per thread (<= 32, one bit each in a mask)

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

var<workgroup> scan: array<u32, WG>;            // inclusive prefix sum of the threads' match counts
var<workgroup> hits: array<u32, WG * TOKENS>;  // the segment's matching token indices, in order

// Workgroup (v, channel chunk, segment): partial(segment, v, :) = sum of dx over the segment's tokens equal
// to v, in token order.
@compute @workgroup_size(WG)
fn embedding_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let v = wid.x;
  let C = bparams.C;
  let c = wid.y * WG + lid;
  let segment = wid.z;
  // This thread's TOKENS consecutive tokens: a bit mask of those equal to v.
  let first = (segment * WG + lid) * TOKENS;
  var mask = 0u;
  for (var j = 0u; j < TOKENS; j++) {
    let i = first + j;
    if (i < bparams.BT && btokens[i] == v) {
      mask |= 1u << j;
    }
  }
  let mine = countOneBits(mask);
  scan[lid] = mine;
  workgroupBarrier();
  for (var offset = 1u; offset < WG; offset *= 2u) {
    var add = 0u;
    if (lid >= offset) {
      add = scan[lid - offset];
    }
    workgroupBarrier();
    scan[lid] += add;
    workgroupBarrier();
  }
  var at = scan[lid] - mine;
  for (var j = 0u; j < TOKENS; j++) {
    if ((mask & (1u << j)) != 0u) {
      hits[at] = first + j;
      at++;
    }
  }
  let count = scan[WG - 1u];
  workgroupBarrier();
  if (c < C) {
    // Eight loads in flight, then the adds in token order (a frequent id has many hits).
    var acc = 0.0;
    var k = 0u;
    for (; k + 8u <= count; k += 8u) {
      var g: array<f32, 8>;
      for (var u = 0u; u < 8u; u++) { g[u] = dx[hits[k + u] * C + c]; }
      for (var u = 0u; u < 8u; u++) { acc += g[u]; }
    }
    for (; k < count; k++) { acc += dx[hits[k] * C + c]; }
    partial[(segment * bparams.V + v) * C + c] = acc;
  }
}

@group(0) @binding(0) var<storage, read_write> dwte: array<f32>;  // (V, C)
@group(0) @binding(1) var<storage, read> partials: array<f32>;    // (segments, V, C)
@group(0) @binding(2) var<uniform> sparams: BackwardParams;

// dwte = the segments' partials added in segment order; one thread per element.
@compute @workgroup_size(WG)
fn embedding_backward_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let n = gid.x + gid.y * grid.x * WG;
  let VC = sparams.V * sparams.C;
  if (n < VC) {
    var acc = 0.0;
    for (var s = 0u; s < sparams.segments; s++) { acc += partials[s * VC + n]; }
    dwte[n] = acc;
  }
}
