// residual_forward: y = a + b elementwise over N floats (the transformer's skip connection).
// Grid: 1-D in workgroups of WG threads, folded into a second dimension when N / WG exceeds the
// per-dimension limit, so any N fits.

struct Params {
  N: u32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> y: array<f32>;  // (N)
@group(0) @binding(1) var<storage, read> a: array<f32>;        // (N)
@group(0) @binding(2) var<storage, read> b: array<f32>;        // (N)
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn residual_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let i = gid.x + gid.y * grid.x * WG;
  if (i < params.N) {
    y[i] = a[i] + b[i];
  }
}
