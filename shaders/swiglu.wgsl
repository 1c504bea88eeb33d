// swiglu_forward / swiglu_backward: the SwiGLU MLP's gate. gu rows (BT, 2F) are [gate | up];
// h = silu(gate) * up with silu(a) = a * sigmoid(a). The backward overwrites dgu:
//   dgate = dh * up * sigmoid(a) * (1 + a * (1 - sigmoid(a))),  dup = dh * silu(a).
// One thread per (row, j < F); grid folded into y past the per-dimension workgroup limit.

struct Params {
  BT: u32,
  F: u32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> h: array<f32>;  // (BT, F)
@group(0) @binding(1) var<storage, read> gu: array<f32>;       // (BT, 2F)
@group(0) @binding(2) var<uniform> params: Params;

// The backward's bindings (entry points share binding numbers, each uses its own subset).
@group(0) @binding(0) var<storage, read_write> dgu: array<f32>;  // (BT, 2F)
@group(0) @binding(1) var<storage, read> dh: array<f32>;         // (BT, F)
@group(0) @binding(2) var<storage, read> bgu: array<f32>;        // (BT, 2F)
@group(0) @binding(3) var<uniform> bparams: Params;

// 1 / (1 + exp(-a)); exp overflows to +inf for a < -88, giving 0 as it should.
fn sigmoid(a: f32) -> f32 {
  return 1.0 / (1.0 + exp(-a));
}

@compute @workgroup_size(WG)
fn swiglu_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let n = gid.x + gid.y * grid.x * WG;
  let F = params.F;
  if (n < params.BT * F) {
    let g = n + (n / F) * F;  // row * 2F + j
    let a = gu[g];
    h[n] = a * sigmoid(a) * gu[g + F];
  }
}

@compute @workgroup_size(WG)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let n = gid.x + gid.y * grid.x * WG;
  let F = bparams.F;
  if (n < bparams.BT * F) {
    let g = n + (n / F) * F;
    let a = bgu[g];
    let u = bgu[g + F];
    let s = sigmoid(a);
    let d = dh[n];
    dgu[g] = d * u * s * (1.0 + a * (1.0 - s));
    dgu[g + F] = d * a * s;
  }
}
