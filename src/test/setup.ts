// Per test file: the WebGPU globals (GPUBufferUsage, GPUMapMode, ...) that the npm `webgpu` package provides,
// and the release of the file's GPU device.
import { afterAll } from 'vitest';
import { globals } from 'webgpu';
import { releaseTestGpu } from './gpu';

Object.assign(globalThis, globals);
afterAll(releaseTestGpu);
