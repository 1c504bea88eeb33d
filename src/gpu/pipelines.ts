// Pipeline cache keyed by kernel (shader + entry point) and its `override` constants. Every module and
// pipeline is labelled with the kernel name, so any later error message names the kernel.
import { GpuFaultError, type GpuFaults } from './faults';

/** One WGSL entry point: `code` is the text of a file in shaders/, imported with `?raw`. */
export interface KernelSource {
  /** Kernel name, the same in WGSL, wrapper, reference, test and bench (e.g. `matmul_forward`). */
  name: string;
  code: string;
  entryPoint: string;
}

export type Overrides = Record<string, number>;

export class KernelCompileError extends Error {
  constructor(
    readonly kernel: string,
    readonly messages: string[],
  ) {
    super(`WGSL compilation failed in "${kernel}":\n${messages.join('\n')}`);
    this.name = 'KernelCompileError';
  }
}

function keyOf(kernel: KernelSource, overrides: Overrides): string {
  const consts = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${overrides[k]}`)
    .join(',');
  return `${kernel.name}:${kernel.entryPoint}:${consts}`;
}

function labelOf(kernel: KernelSource, overrides: Overrides): string {
  const consts = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
  return consts.length ? `${kernel.name}(${consts.join(',')})` : kernel.name;
}

export class PipelineCache {
  private pipelines = new Map<string, GPUComputePipeline>();
  private modules = new Map<string, GPUShaderModule>();

  constructor(
    private device: GPUDevice,
    private faults: GpuFaults,
  ) {}

  /**
   * One module per pipeline (kernel and overrides): Chrome stalled compiling a second pipeline from a module
   * already used with other override values (seen with SwiftShader, Chromium 156), and a module costs little.
   */
  private module(kernel: KernelSource, overrides: Overrides): GPUShaderModule {
    const key = `${keyOf(kernel, overrides)}\u0000${kernel.code}`;
    let module = this.modules.get(key);
    if (!module) {
      module = this.device.createShaderModule({ label: kernel.name, code: kernel.code });
      this.modules.set(key, module);
    }
    return module;
  }

  /**
   * Compiles and caches a pipeline, checking the shader's compilation messages and the pipeline's
   * validation. Throws a KernelCompileError / GpuFaultError naming the kernel. Call before `get`.
   */
  async prepare(kernel: KernelSource, overrides: Overrides = {}): Promise<GPUComputePipeline> {
    const key = keyOf(kernel, overrides);
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const label = labelOf(kernel, overrides);
    const module = this.module(kernel, overrides);
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      const messages = errors.map((m) => `${kernel.name}.wgsl:${m.lineNum}:${m.linePos} ${m.message}`);
      this.faults.record('compilation', messages.join('\n'), kernel.name);
      throw new KernelCompileError(kernel.name, messages);
    }
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label,
        layout: 'auto',
        compute: { module, entryPoint: kernel.entryPoint, constants: overrides },
      });
      this.pipelines.set(key, pipeline);
      return pipeline;
    } catch (error) {
      const fault = this.faults.record('validation', String((error as Error).message ?? error), label);
      throw new GpuFaultError(fault);
    }
  }

  /** A pipeline already prepared; creating one synchronously here would hide compile errors. */
  get(kernel: KernelSource, overrides: Overrides = {}): GPUComputePipeline {
    const pipeline = this.pipelines.get(keyOf(kernel, overrides));
    if (!pipeline) throw new Error(`pipeline "${labelOf(kernel, overrides)}" was not prepared: await gpu.pipelines.prepare() first`);
    return pipeline;
  }
}
