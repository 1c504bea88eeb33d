// matmul_forward / matmul_backward_input / matmul_backward_weight: the three products training needs, one
// register-tiled kernel body C(P,Q) = A(P,R) · B(R,Q) over three layouts (docs/kernels.md):
//   matmul_forward         y(M,N)  = x(M,K) · w(N,K)^T    P=M Q=N R=K  A r-contiguous, B r-contiguous
//   matmul_backward_input  dx(M,K) = dy(M,N) · w(N,K)     P=M Q=K R=N  A r-contiguous, B q-contiguous
//   matmul_backward_weight dw(N,K) = dy(M,N)^T · x(M,K)   P=N Q=K R=M  A p-contiguous, B q-contiguous
// A workgroup computes one BM x BN tile of C; each thread a TM x TN microtile made of 4x4 blocks spread
// over the tile (rows ty*4 + c*4*TY, columns tx*4 + d*4*TX) so shared-memory vec4 reads never conflict.
// Tiles of A and B are staged k-major in workgroup memory (rows padded by PAD floats); the next BK slice
// is fetched from global memory into registers while the current one is multiplied (NBUF = 2: double
// buffered, one barrier per slice; NBUF = 1: two). Any shape works: loads outside the matrices read 0,
// stores are guarded; slices wholly inside skip the checks. When an input's contiguous dimension is a
// multiple of 4 (and the config fetches whole vec4s per thread), its slices are fetched as vec4s through a
// second, vec4-typed binding of the same buffer: a quarter of the load instructions and bounds clamps.
// Split reduction (small outputs, long reductions: dw at few channels and many tokens): workgroup z sums
// r in [z*chunk, (z+1)*chunk) into its own (P,Q) block of c_out, and matmul_reduce_splits adds the blocks
// in order z = 0, 1, ... Every sum runs in a fixed order: results are bit-reproducible run to run.

struct Params {
  M: u32,
  K: u32,
  N: u32,
  chunk: u32,  // reduction length per split (workgroup z), a multiple of BK
}

struct SplitParams {
  count: u32,   // P*Q outputs
  splits: u32,  // partial (P,Q) blocks to add
}

override BM: u32 = 128;  // tile rows (P)
override BN: u32 = 128;  // tile columns (Q)
override BK: u32 = 8;    // reduction slice
override TM: u32 = 8;    // microtile rows per thread, a multiple of 4, <= 16
override TN: u32 = 8;    // microtile columns per thread, a multiple of 4, <= 16
override NBUF: u32 = 2;  // 1 or 2 workgroup-memory buffers
override INTERIOR: bool = true;  // unchecked loads for slices wholly inside the matrices (false: for A/B timing)
override VEC: bool = true;       // vec4 loads of aligned inputs (false: scalar loads only, for A/B timing)
override PAD: u32 = 4;   // floats of padding per staged row, a multiple of 4
override TX: u32 = BN / TN;  // threads along Q
override TY: u32 = BM / TM;  // threads along P
override WG: u32 = TX * TY;
override SA: u32 = BM + PAD;  // staged row stride of the A tile (floats)
override SB: u32 = BN + PAD;
override LA: u32 = BM * BK / WG;  // A elements each thread fetches per slice (<= 16)
override LB: u32 = BN * BK / WG;

@group(0) @binding(0) var<storage, read_write> c_out: array<f32>;  // y (M,N) | dx (M,K) | dw (N,K) | partials (S,P,Q)
@group(0) @binding(1) var<storage, read> a_in: array<f32>;         // x (M,K) | dy (M,N) | dy (M,N)
@group(0) @binding(2) var<storage, read> b_in: array<f32>;         // w (N,K) | w (N,K)  | x (M,K)
@group(0) @binding(3) var<storage, read> a_vec: array<vec4<f32>>;  // a_in again, read as vec4 (aligned rows)
@group(0) @binding(4) var<storage, read> b_vec: array<vec4<f32>>;  // b_in again
@group(0) @binding(5) var<uniform> params: Params;
// matmul_reduce_splits binds c_out (the result), a_in (the partials, (S,P,Q)) and this:
@group(0) @binding(2) var<uniform> split_params: SplitParams;

var<workgroup> As: array<vec4<f32>, NBUF * BK * SA / 4>;  // [buf][r][p]
var<workgroup> Bs: array<vec4<f32>, NBUF * BK * SB / 4>;  // [buf][r][q]

struct Gemm {
  P: u32,
  Q: u32,
  R: u32,
  a_rk: bool,  // A stored as a(p,r) = a_in[p*R + r], else a_in[r*P + p]
  b_rk: bool,  // B stored as b(r,q) = b_in[q*R + r], else b_in[r*Q + q]
}

// (p, r) of element e (in fetch order) of the BM x BK slice of A at (p0, r0). Consecutive threads take
// consecutive addresses: along r when A is r-contiguous, else along p. b_at: the same for B, (q, r).
fn a_at(g: Gemm, p0: u32, r0: u32, e: u32) -> vec2u {
  if (g.a_rk) { return vec2u(p0 + e / BK, r0 + e % BK); }
  return vec2u(p0 + e % BM, r0 + e / BM);
}

fn b_at(g: Gemm, q0: u32, r0: u32, e: u32) -> vec2u {
  if (g.b_rk) { return vec2u(q0 + e / BK, r0 + e % BK); }
  return vec2u(q0 + e % BN, r0 + e / BN);
}

fn load_a(g: Gemm, pr: vec2u) -> f32 {
  if (g.a_rk) { return a_in[pr.x * g.R + pr.y]; }
  return a_in[pr.y * g.P + pr.x];
}

fn load_b(g: Gemm, qr: vec2u) -> f32 {
  if (g.b_rk) { return b_in[qr.x * g.R + qr.y]; }
  return b_in[qr.y * g.Q + qr.x];
}

// Workgroup-memory offset (floats) of staged A element e of a slice, k-major: As[buf][r][p].
fn stage_a_at(g: Gemm, buf: u32, e: u32) -> u32 {
  if (g.a_rk) { return (buf * BK + e % BK) * SA + e / BK; }
  return (buf * BK + e / BM) * SA + e % BM;
}

fn stage_b_at(g: Gemm, buf: u32, e: u32) -> u32 {
  if (g.b_rk) { return (buf * BK + e % BK) * SB + e / BK; }
  return (buf * BK + e / BN) * SB + e % BN;
}

// The vec4 forms: (p, r) of the first element of vec4 number e of the slice (4 consecutive r when A is
// r-contiguous, else 4 consecutive p), its load, and where its 4 floats are staged.
fn a4_at(g: Gemm, p0: u32, r0: u32, e: u32) -> vec2u {
  if (g.a_rk) { return vec2u(p0 + e / (BK / 4u), r0 + e % (BK / 4u) * 4u); }
  return vec2u(p0 + e % (BM / 4u) * 4u, r0 + e / (BM / 4u));
}

fn b4_at(g: Gemm, q0: u32, r0: u32, e: u32) -> vec2u {
  if (g.b_rk) { return vec2u(q0 + e / (BK / 4u), r0 + e % (BK / 4u) * 4u); }
  return vec2u(q0 + e % (BN / 4u) * 4u, r0 + e / (BN / 4u));
}

fn load_a4(g: Gemm, pr: vec2u) -> vec4<f32> {
  if (g.a_rk) { return a_vec[(pr.x * g.R + pr.y) / 4u]; }
  return a_vec[(pr.y * g.P + pr.x) / 4u];
}

fn load_b4(g: Gemm, qr: vec2u) -> vec4<f32> {
  if (g.b_rk) { return b_vec[(qr.x * g.R + qr.y) / 4u]; }
  return b_vec[(qr.y * g.Q + qr.x) / 4u];
}

// Stages vec4 `v` fetched at (p, r) of the slice at (p0, r0) into buffer buf: a column of 4 r when
// r-contiguous, else one aligned vec4 of a staged row.
fn stage_a4(g: Gemm, buf: u32, p0: u32, r0: u32, pr: vec2u, v: vec4<f32>) {
  let at = (buf * BK + pr.y - r0) * SA + pr.x - p0;
  if (g.a_rk) {
    for (var j = 0u; j < 4u; j++) { As[(at + j * SA) / 4u][(at + j * SA) % 4u] = v[j]; }
  } else {
    As[at / 4u] = v;
  }
}

fn stage_b4(g: Gemm, buf: u32, q0: u32, r0: u32, qr: vec2u, v: vec4<f32>) {
  let at = (buf * BK + qr.y - r0) * SB + qr.x - q0;
  if (g.b_rk) {
    for (var j = 0u; j < 4u; j++) { Bs[(at + j * SB) / 4u][(at + j * SB) % 4u] = v[j]; }
  } else {
    Bs[at / 4u] = v;
  }
}

fn store_c(g: Gemm, base: u32, p: u32, q: u32, v: vec4<f32>) {
  if (p >= g.P) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (q + j < g.Q) { c_out[base + p * g.Q + q + j] = v[j]; }
  }
}

// The flat orchestrator: accumulators and the slice in flight stay in this function's registers.
fn gemm(g: Gemm, wg: vec3u, lid: u32) {
  let p0 = wg.y * BM;
  let q0 = wg.x * BN;
  let r_begin = min(wg.z * params.chunk, g.R);
  let r_end = min(r_begin + params.chunk, g.R);
  let inside = INTERIOR && p0 + BM <= g.P && q0 + BN <= g.Q;
  let tx = lid % TX;
  let ty = lid / TX;
  var acc: array<vec4<f32>, 64>;  // row i of the microtile, column block d at i * (TN/4) + d
  var ra: array<f32, 16>;         // the next slice of A and B, fetched while the current one is multiplied
  var rb: array<f32, 16>;
  var ra4: array<vec4<f32>, 4>;   // the same as vec4s (vec_a, vec_b)
  var rb4: array<vec4<f32>, 4>;
  // vec4 fetches need whole vec4s per thread and aligned rows: then a vec4 is wholly inside or outside.
  let vec_a = VEC && LA % 4u == 0u && select(g.P, g.R, g.a_rk) % 4u == 0u;
  let vec_b = VEC && LB % 4u == 0u && select(g.Q, g.R, g.b_rk) % 4u == 0u;
  for (var i = 0u; i < TM * TN / 4u; i++) { acc[i] = vec4<f32>(0.0); }
  let slices = (r_end - r_begin + BK - 1u) / BK;
  for (var s = 0u; s <= slices; s++) {
    // Fetch slice s (if any) into registers, multiply slice s-1 (if any), then stage slice s.
    let r0 = r_begin + s * BK;
    let full = inside && r0 + BK <= r_end;  // the slice lies wholly inside: no checks
    if (s < slices && vec_a && full) {
      for (var i = 0u; i < LA / 4u; i++) { ra4[i] = load_a4(g, a4_at(g, p0, r0, i * WG + lid)); }
    } else if (s < slices && vec_a) {
      for (var i = 0u; i < LA / 4u; i++) {
        let pr = a4_at(g, p0, r0, i * WG + lid);
        ra4[i] = vec4<f32>(0.0);
        if (pr.x < g.P && pr.y < r_end) { ra4[i] = load_a4(g, pr); }
      }
    } else if (s < slices && full) {
      for (var i = 0u; i < LA; i++) { ra[i] = load_a(g, a_at(g, p0, r0, i * WG + lid)); }
    } else if (s < slices) {
      for (var i = 0u; i < LA; i++) {
        let pr = a_at(g, p0, r0, i * WG + lid);
        ra[i] = 0.0;
        if (pr.x < g.P && pr.y < r_end) { ra[i] = load_a(g, pr); }
      }
    }
    if (s < slices && vec_b && full) {
      for (var i = 0u; i < LB / 4u; i++) { rb4[i] = load_b4(g, b4_at(g, q0, r0, i * WG + lid)); }
    } else if (s < slices && vec_b) {
      for (var i = 0u; i < LB / 4u; i++) {
        let qr = b4_at(g, q0, r0, i * WG + lid);
        rb4[i] = vec4<f32>(0.0);
        if (qr.x < g.Q && qr.y < r_end) { rb4[i] = load_b4(g, qr); }
      }
    } else if (s < slices && full) {
      for (var i = 0u; i < LB; i++) { rb[i] = load_b(g, b_at(g, q0, r0, i * WG + lid)); }
    } else if (s < slices) {
      for (var i = 0u; i < LB; i++) {
        let qr = b_at(g, q0, r0, i * WG + lid);
        rb[i] = 0.0;
        if (qr.x < g.Q && qr.y < r_end) { rb[i] = load_b(g, qr); }
      }
    }
    if (s > 0u) {
      let buf = (s - 1u) % NBUF;
      for (var k = 0u; k < BK; k++) {
        let a_row = ((buf * BK + k) * SA) / 4u + ty;
        let b_row = ((buf * BK + k) * SB) / 4u + tx;
        var b: array<vec4<f32>, 4>;
        for (var d = 0u; d < TN / 4u; d++) { b[d] = Bs[b_row + d * TX]; }
        for (var c = 0u; c < TM / 4u; c++) {
          let a = As[a_row + c * TY];
          for (var i = 0u; i < 4u; i++) {
            for (var d = 0u; d < TN / 4u; d++) {
              let at = (c * 4u + i) * (TN / 4u) + d;
              acc[at] = fma(vec4<f32>(a[i]), b[d], acc[at]);
            }
          }
        }
      }
    }
    if (s < slices) {
      if (NBUF == 1u && s > 0u) { workgroupBarrier(); }  // everyone is done reading the single buffer
      if (vec_a) {
        for (var i = 0u; i < LA / 4u; i++) { stage_a4(g, s % NBUF, p0, r0, a4_at(g, p0, r0, i * WG + lid), ra4[i]); }
      } else {
        for (var i = 0u; i < LA; i++) {
          let at = stage_a_at(g, s % NBUF, i * WG + lid);
          As[at / 4u][at % 4u] = ra[i];
        }
      }
      if (vec_b) {
        for (var i = 0u; i < LB / 4u; i++) { stage_b4(g, s % NBUF, q0, r0, b4_at(g, q0, r0, i * WG + lid), rb4[i]); }
      } else {
        for (var i = 0u; i < LB; i++) {
          let at = stage_b_at(g, s % NBUF, i * WG + lid);
          Bs[at / 4u][at % 4u] = rb[i];
        }
      }
    }
    workgroupBarrier();
  }
  let base = wg.z * g.P * g.Q;  // this split's (P,Q) block; 0 without a split
  for (var c = 0u; c < TM / 4u; c++) {
    for (var i = 0u; i < 4u; i++) {
      for (var d = 0u; d < TN / 4u; d++) {
        let p = p0 + c * 4u * TY + ty * 4u + i;
        store_c(g, base, p, q0 + d * 4u * TX + tx * 4u, acc[(c * 4u + i) * (TN / 4u) + d]);
      }
    }
  }
}

@compute @workgroup_size(WG)
fn matmul_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  gemm(Gemm(params.M, params.N, params.K, true, true), wg, lid);
}

@compute @workgroup_size(WG)
fn matmul_backward_input(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  gemm(Gemm(params.M, params.K, params.N, true, false), wg, lid);
}

@compute @workgroup_size(WG)
fn matmul_backward_weight(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  gemm(Gemm(params.N, params.K, params.M, false, false), wg, lid);
}

// c_out[i] = sum over z of a_in[z*count + i], z in increasing order (after a split matmul_* dispatch), with
// eight loads in flight per thread.
@compute @workgroup_size(256)
fn matmul_reduce_splits(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let i = gid.x + gid.y * grid.x * 256u;
  let n = split_params.count;
  let S = split_params.splits;
  if (i >= n) { return; }
  var sum = a_in[i];
  var z = 1u;
  for (; z + 8u <= S; z += 8u) {
    var part: array<f32, 8>;
    for (var u = 0u; u < 8u; u++) { part[u] = a_in[(z + u) * n + i]; }
    for (var u = 0u; u < 8u; u++) { sum += part[u]; }
  }
  for (; z < S; z++) { sum += a_in[z * n + i]; }
  c_out[i] = sum;
}
