// attention: causal multi-head self-attention, f32, per (batch, head).
//   qkvr (B,T,3,NH,HS): q at offset 0, k at C, v at 2C within each token row of 3C floats (C = NH*HS)
//   out  (B,T,NH,HS)  = softmax(q k^T * scale, causal) v,   scale = 1/sqrt(HS)
//   lse  (B,NH,T)     = natural-log logsumexp of the scaled, causally masked scores, saved for the backward
// Entry points:
//   attention_forward        flash-style: one workgroup per (query tile, head, batch) streams key tiles through
//                            workgroup memory with an online softmax (running max m, running sum l)
//   attention_forward_plain  the scores of a query tile are materialized in workgroup memory (T <= TMAX); slower,
//                            kept for the benchmark (src/kernels/attention.ts says by how much)
//   attention_backward       one dispatch, two kinds of workgroups (x < nb: dQ of a query tile, looping over key
//                            tiles; x >= nb: dK and dV of a key tile, looping over query tiles), so every
//                            gradient element has one owner that sums in a fixed order: deterministic, no atomics
// Tile shapes are `override` constants chosen in src/kernels/attention.ts from HS and the workgroup-memory limit;
// the defaults are its choice at HS=64, T=128 (each entry point under 16 KiB of workgroup memory).
// Tile rows in workgroup memory are padded to SP = HS + 1 floats so threads reading the same column of
// different rows hit different banks. Thread (row r, lane) of a tile owns dims lane, lane + TPR, ... (DPT).

struct Params {
  B: u32,
  T: u32,
  NH: u32,
  scale: f32, // 1/sqrt(HS) rounded to f32 once on the CPU
}

override HS: u32 = 64u;    // head size, <= TPR * MAX_DPT
override TPR: u32 = 16u;   // threads per tile row
override BQ: u32 = 16u;    // query rows per tile (forward kernels)
override BK: u32 = 16u;    // keys per tile (attention_forward)
override TILE: u32 = 8u;   // query rows = keys per tile (attention_backward)
override TMAX: u32 = 128u; // longest sequence attention_forward_plain holds
override DPT: u32 = (HS + TPR - 1u) / TPR; // dims per thread
override SP: u32 = HS + 1u;                // padded row stride of tiles in workgroup memory
const MAX_DPT = 8u;
const NEG = -3.0e38; // a finite "minus infinity": exp(NEG - m) == 0 for any finite score m

// Bindings: forward (out, lse, qkvr, params); backward (dqkvr, dout, qkvr, out, lse, params).
@group(0) @binding(0) var<storage, read_write> out: array<f32>;   // (B,T,NH,HS)
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;   // (B,NH,T)
@group(0) @binding(2) var<storage, read> qkvr: array<f32>;        // (B,T,3,NH,HS)
@group(0) @binding(3) var<uniform> params: Params;

@group(0) @binding(0) var<storage, read_write> dqkvr: array<f32>; // (B,T,3,NH,HS)
@group(0) @binding(1) var<storage, read> b_dout: array<f32>;      // (B,T,NH,HS)
@group(0) @binding(3) var<storage, read> b_out: array<f32>;       // (B,T,NH,HS)
@group(0) @binding(4) var<storage, read> b_lse: array<f32>;       // (B,NH,T)
@group(0) @binding(5) var<uniform> bparams: Params;

// Forward: a (BQ, SP) query tile, (BK, SP) key and value tiles, (BQ, BK + 1) scores.
var<workgroup> fq: array<f32, BQ * SP>;
var<workgroup> fk: array<f32, BK * SP>;
var<workgroup> fv: array<f32, BK * SP>;
var<workgroup> fs: array<f32, BQ * (BK + 1u)>;
// Plain forward: the query tile (fq) and all of its scores, (BQ, TMAX + 1).
var<workgroup> ps: array<f32, BQ * (TMAX + 1u)>;
var<workgroup> red: array<f32, BQ * TPR>;
// Backward: the tiles a workgroup owns (q and dout, or k and v), the tiles it streams, P and dS (TILE, TILE + 1),
// and lse and D = rowsum(dout * out) of the current query rows.
var<workgroup> own_a: array<f32, TILE * SP>;
var<workgroup> own_b: array<f32, TILE * SP>;
var<workgroup> oth_a: array<f32, TILE * SP>;
var<workgroup> oth_b: array<f32, TILE * SP>;
var<workgroup> bp: array<f32, TILE * (TILE + 1u)>;
var<workgroup> bds: array<f32, TILE * (TILE + 1u)>;
var<workgroup> row_lse: array<f32, TILE>;
var<workgroup> row_d: array<f32, TILE>;

// Index of element d of part (0 q, 1 k, 2 v) of head h of token t of batch b in qkvr.
fn qkv_at(b: u32, t: u32, part: u32, h: u32, d: u32, T: u32, NH: u32) -> u32 {
  return ((b * T + t) * 3u + part) * NH * HS + h * HS + d;
}

// Index of element d of head h of token t of batch b in out / dout.
fn out_at(b: u32, t: u32, h: u32, d: u32, T: u32, NH: u32) -> u32 {
  return ((b * T + t) * NH + h) * HS + d;
}

fn load_qkv(b: u32, t: u32, part: u32, h: u32, d: u32) -> f32 {
  if (t >= params.T) { return 0.0; }
  return qkvr[qkv_at(b, t, part, h, d, params.T, params.NH)];
}

@compute @workgroup_size(BQ * TPR)
fn attention_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let T = params.T;
  let NH = params.NH;
  let h = wid.y;
  let b = wid.z;
  let q0 = ((T + BQ - 1u) / BQ - 1u - wid.x) * BQ; // the longest (last) query tiles go first
  let NT = BQ * TPR;
  for (var e = tid; e < BQ * HS; e += NT) {
    fq[(e / HS) * SP + e % HS] = load_qkv(b, q0 + e / HS, 0u, h, e % HS);
  }
  let r = tid / TPR;
  let lane = tid % TPR;
  var m = NEG;
  var l = 0.0;
  var acc: array<f32, MAX_DPT>;
  let nkb = (min(T, q0 + BQ) - 1u) / BK + 1u;
  for (var kb = 0u; kb < nkb; kb++) {
    let k0 = kb * BK;
    workgroupBarrier(); // the previous key tile is consumed
    for (var e = tid; e < BK * HS; e += NT) {
      fk[(e / HS) * SP + e % HS] = load_qkv(b, k0 + e / HS, 1u, h, e % HS);
      fv[(e / HS) * SP + e % HS] = load_qkv(b, k0 + e / HS, 2u, h, e % HS);
    }
    workgroupBarrier();
    for (var e = tid; e < BQ * BK; e += NT) {
      let rr = e / BK;
      let c = e % BK;
      var s = 0.0;
      for (var d = 0u; d < HS; d++) { s += fq[rr * SP + d] * fk[c * SP + d]; }
      fs[rr * (BK + 1u) + c] = select(s * params.scale, NEG, k0 + c > q0 + rr);
    }
    workgroupBarrier();
    var mt = m;
    for (var c = 0u; c < BK; c++) { mt = max(mt, fs[r * (BK + 1u) + c]); }
    let alpha = exp(m - mt);
    l *= alpha;
    for (var i = 0u; i < DPT; i++) { acc[i] *= alpha; }
    for (var c = 0u; c < BK; c++) {
      let p = exp(fs[r * (BK + 1u) + c] - mt);
      l += p;
      for (var i = 0u; i < DPT; i++) { acc[i] += p * fv[c * SP + min(lane + i * TPR, HS - 1u)]; }
    }
    m = mt;
  }
  let t = q0 + r;
  if (t < T) {
    for (var i = 0u; i < DPT; i++) {
      let d = lane + i * TPR;
      if (d < HS) { out[out_at(b, t, h, d, T, NH)] = acc[i] / l; }
    }
    if (lane == 0u) { lse[(b * NH + h) * T + t] = m + log(l); }
  }
}

@compute @workgroup_size(BQ * TPR)
fn attention_forward_plain(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let T = params.T;
  let NH = params.NH;
  let h = wid.y;
  let b = wid.z;
  let q0 = ((T + BQ - 1u) / BQ - 1u - wid.x) * BQ;
  let NT = BQ * TPR;
  for (var e = tid; e < BQ * HS; e += NT) {
    fq[(e / HS) * SP + e % HS] = load_qkv(b, q0 + e / HS, 0u, h, e % HS);
  }
  workgroupBarrier();
  let nk = min(T, q0 + BQ); // keys any row of this tile can see
  let SS = TMAX + 1u;
  for (var e = tid; e < BQ * nk; e += NT) {
    let rr = e / nk;
    let j = e % nk;
    var s = 0.0;
    let kj = qkv_at(b, j, 1u, h, 0u, T, NH);
    for (var d = 0u; d < HS; d++) { s += fq[rr * SP + d] * qkvr[kj + d]; }
    ps[rr * SS + j] = select(s * params.scale, NEG, j > q0 + rr);
  }
  workgroupBarrier();
  // Row max and sum over the lanes of a row: each lane takes keys lane, lane + TPR, ..., then combines.
  let r = tid / TPR;
  let lane = tid % TPR;
  var mp = NEG;
  for (var j = lane; j < nk; j += TPR) { mp = max(mp, ps[r * SS + j]); }
  red[tid] = mp;
  workgroupBarrier();
  var m = NEG;
  for (var i = 0u; i < TPR; i++) { m = max(m, red[r * TPR + i]); }
  workgroupBarrier(); // every lane has read the maxima before red is reused for sums
  var lp = 0.0;
  for (var j = lane; j < nk; j += TPR) {
    let p = exp(ps[r * SS + j] - m);
    ps[r * SS + j] = p;
    lp += p;
  }
  red[tid] = lp;
  workgroupBarrier();
  var l = 0.0;
  for (var i = 0u; i < TPR; i++) { l += red[r * TPR + i]; }
  var acc: array<f32, MAX_DPT>;
  for (var j = 0u; j < nk; j++) {
    let p = ps[r * SS + j];
    let vj = qkv_at(b, j, 2u, h, 0u, T, NH);
    for (var i = 0u; i < DPT; i++) { acc[i] += p * qkvr[vj + min(lane + i * TPR, HS - 1u)]; }
  }
  let t = q0 + r;
  if (t < T) {
    for (var i = 0u; i < DPT; i++) {
      let d = lane + i * TPR;
      if (d < HS) { out[out_at(b, t, h, d, T, NH)] = acc[i] / l; }
    }
    if (lane == 0u) { lse[(b * NH + h) * T + t] = m + log(l); }
  }
}

fn bload_qkv(b: u32, t: u32, part: u32, h: u32, d: u32) -> f32 {
  if (t >= bparams.T) { return 0.0; }
  return qkvr[qkv_at(b, t, part, h, d, bparams.T, bparams.NH)];
}

fn bload_dout(b: u32, t: u32, h: u32, d: u32) -> f32 {
  if (t >= bparams.T) { return 0.0; }
  return b_dout[out_at(b, t, h, d, bparams.T, bparams.NH)];
}

// lse and D = dot(dout, out) of query rows q0 .. q0 + TILE into row_lse / row_d (zeros past T).
fn load_row_stats(b: u32, h: u32, q0: u32, tid: u32) {
  if (tid < TILE) {
    let t = q0 + tid;
    var D = 0.0;
    var L = 0.0;
    if (t < bparams.T) {
      let o = out_at(b, t, h, 0u, bparams.T, bparams.NH);
      for (var d = 0u; d < HS; d++) { D += b_dout[o + d] * b_out[o + d]; }
      L = b_lse[(b * bparams.NH + h) * bparams.T + t];
    }
    row_lse[tid] = L;
    row_d[tid] = D;
  }
}

// P and dS of query rr (of the query tile) and key c (of the key tile): s = q.k * scale, P = exp(s - lse),
// dP = dout.v, dS = P (dP - D). The dq role holds q, dout in own_a, own_b; the dkdv role holds k, v there.
// q.k is summed in the same order with the same products as in attention_forward.
fn p_ds(dq: bool, rr: u32, c: u32, masked: bool) -> vec2f {
  let io = select(c * SP, rr * SP, dq);
  let ix = select(rr * SP, c * SP, dq);
  var s = 0.0;
  var dp = 0.0;
  for (var d = 0u; d < HS; d++) {
    s += own_a[io + d] * oth_a[ix + d];
    dp += own_b[io + d] * oth_b[ix + d];
  }
  let p = select(exp(s * bparams.scale - row_lse[rr]), 0.0, masked);
  return vec2f(p, p * (dp - row_d[rr]));
}

// dQ of query rows q0 .. q0 + TILE: dq = scale * sum over key tiles (in order) of dS k.
fn backward_dq(b: u32, h: u32, q0: u32, tid: u32) {
  let T = bparams.T;
  let NT = TILE * TPR;
  for (var e = tid; e < TILE * HS; e += NT) {
    own_a[(e / HS) * SP + e % HS] = bload_qkv(b, q0 + e / HS, 0u, h, e % HS);
    own_b[(e / HS) * SP + e % HS] = bload_dout(b, q0 + e / HS, h, e % HS);
  }
  load_row_stats(b, h, q0, tid);
  let r = tid / TPR;
  let lane = tid % TPR;
  var acc: array<f32, MAX_DPT>;
  let nkb = (min(T, q0 + TILE) - 1u) / TILE + 1u;
  for (var kb = 0u; kb < nkb; kb++) {
    let k0 = kb * TILE;
    workgroupBarrier();
    for (var e = tid; e < TILE * HS; e += NT) {
      oth_a[(e / HS) * SP + e % HS] = bload_qkv(b, k0 + e / HS, 1u, h, e % HS);
      oth_b[(e / HS) * SP + e % HS] = bload_qkv(b, k0 + e / HS, 2u, h, e % HS);
    }
    workgroupBarrier();
    for (var e = tid; e < TILE * TILE; e += NT) {
      let rr = e / TILE;
      let c = e % TILE;
      bds[rr * (TILE + 1u) + c] = p_ds(true, rr, c, k0 + c > q0 + rr || q0 + rr >= T).y;
    }
    workgroupBarrier();
    for (var c = 0u; c < TILE; c++) {
      let ds = bds[r * (TILE + 1u) + c];
      for (var i = 0u; i < DPT; i++) { acc[i] += ds * oth_a[c * SP + min(lane + i * TPR, HS - 1u)]; }
    }
  }
  let t = q0 + r;
  if (t < T) {
    for (var i = 0u; i < DPT; i++) {
      let d = lane + i * TPR;
      if (d < HS) { dqkvr[qkv_at(b, t, 0u, h, d, T, bparams.NH)] = acc[i] * bparams.scale; }
    }
  }
}

// dK, dV of keys k0 .. k0 + TILE: dk = scale * sum over query tiles (in order) of dS^T q, dv = sum of P^T dout.
fn backward_dkdv(b: u32, h: u32, k0: u32, tid: u32) {
  let T = bparams.T;
  let NT = TILE * TPR;
  for (var e = tid; e < TILE * HS; e += NT) {
    own_a[(e / HS) * SP + e % HS] = bload_qkv(b, k0 + e / HS, 1u, h, e % HS);
    own_b[(e / HS) * SP + e % HS] = bload_qkv(b, k0 + e / HS, 2u, h, e % HS);
  }
  let c = tid / TPR;
  let lane = tid % TPR;
  var dk: array<f32, MAX_DPT>;
  var dv: array<f32, MAX_DPT>;
  let nqb = (T + TILE - 1u) / TILE;
  for (var qb = k0 / TILE; qb < nqb; qb++) {
    let q0 = qb * TILE;
    workgroupBarrier();
    for (var e = tid; e < TILE * HS; e += NT) {
      oth_a[(e / HS) * SP + e % HS] = bload_qkv(b, q0 + e / HS, 0u, h, e % HS);
      oth_b[(e / HS) * SP + e % HS] = bload_dout(b, q0 + e / HS, h, e % HS);
    }
    load_row_stats(b, h, q0, tid);
    workgroupBarrier();
    for (var e = tid; e < TILE * TILE; e += NT) {
      let rr = e / TILE;
      let cc = e % TILE;
      let pd = p_ds(false, rr, cc, k0 + cc > q0 + rr || q0 + rr >= T);
      bp[rr * (TILE + 1u) + cc] = pd.x;
      bds[rr * (TILE + 1u) + cc] = pd.y;
    }
    workgroupBarrier();
    for (var rr = 0u; rr < TILE; rr++) {
      let p = bp[rr * (TILE + 1u) + c];
      let ds = bds[rr * (TILE + 1u) + c];
      for (var i = 0u; i < DPT; i++) {
        let d = min(lane + i * TPR, HS - 1u);
        dv[i] += p * oth_b[rr * SP + d];
        dk[i] += ds * oth_a[rr * SP + d];
      }
    }
  }
  let t = k0 + c;
  if (t < T) {
    for (var i = 0u; i < DPT; i++) {
      let d = lane + i * TPR;
      if (d < HS) {
        dqkvr[qkv_at(b, t, 1u, h, d, T, bparams.NH)] = dk[i] * bparams.scale;
        dqkvr[qkv_at(b, t, 2u, h, d, T, bparams.NH)] = dv[i];
      }
    }
  }
}

@compute @workgroup_size(TILE * TPR)
fn attention_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let nb = (bparams.T + TILE - 1u) / TILE;
  if (wid.x < nb) {
    backward_dq(wid.z, wid.y, (nb - 1u - wid.x) * TILE, tid); // the longest query tiles first
  } else {
    backward_dkdv(wid.z, wid.y, (wid.x - nb) * TILE, tid);    // the longest key tiles first
  }
}
