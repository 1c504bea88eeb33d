// copy_forward: y = x over N floats as N/4 vec4 (16-byte) loads and stores: the device-to-device copy
// that gives the benchmarks their memory-bandwidth ceiling. Grid: 1-D in workgroups of WG threads, folded
// into a second dimension past the per-dimension limit, like residual_forward.

struct Params {
  N4: u32,  // N / 4
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> y: array<vec4<f32>>;  // (N)
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;        // (N)
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn copy_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) grid: vec3u) {
  let i = gid.x + gid.y * grid.x * WG;
  if (i < params.N4) {
    y[i] = x[i];
  }
}
