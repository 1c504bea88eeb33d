// rope_forward / rope_backward: rotary position embedding over the fused qkv tensor (B, T, 3, NH, HS).
// q and k (slots 0 and 1 of the 3) are rotated with the HF Llama rotate_half convention: element pairs
// (i, i + HS/2), angle t * theta^(-2i/HS); v (slot 2) is copied. The backward is the transpose: the same
// rotation by -angle, dv copied.
//
// cos/sin come from a table (T, HS/2) of (cos, sin) pairs computed in float64 on the CPU: WGSL's sin/cos
// are only specified to 2^-11 absolute error on [-pi, pi] and angles reach T radians.
// One thread per element pair; grid folded into y past the per-dimension workgroup limit.

struct Params {
  B: u32,
  T: u32,
  NH: u32,
  HS: u32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (B, T, 3, NH, HS)
@group(0) @binding(1) var<storage, read> inp: array<f32>;        // (B, T, 3, NH, HS)
@group(0) @binding(2) var<storage, read> table: array<vec2f>;    // (T, HS/2): (cos, sin)
@group(0) @binding(3) var<uniform> params: Params;

// sign = 1: rotate by +angle (forward); sign = -1: by -angle (backward).
fn rotate(p: u32, sign: f32) {
  let half = params.HS / 2u;
  let i = p % half;
  let head = p / half;                  // index over (B, T, 3, NH)
  let base = head * params.HS + i;
  let a = inp[base];
  let b = inp[base + half];
  let slot = (head / params.NH) % 3u;
  if (slot == 2u) {
    out[base] = a;
    out[base + half] = b;
    return;
  }
  let t = (head / (3u * params.NH)) % params.T;
  let cs = table[t * half + i];
  let s = sign * cs.y;
  out[base] = a * cs.x - b * s;
  out[base + half] = b * cs.x + a * s;
}

@compute @workgroup_size(WG)
fn rope_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let p = gid.x + gid.y * grid.x * WG;
  if (p < params.B * params.T * 3u * params.NH * (params.HS / 2u)) {
    rotate(p, 1.0);
  }
}

@compute @workgroup_size(WG)
fn rope_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let p = gid.x + gid.y * grid.x * WG;
  if (p < params.B * params.T * 3u * params.NH * (params.HS / 2u)) {
    rotate(p, -1.0);
  }
}
