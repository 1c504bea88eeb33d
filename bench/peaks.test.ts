// The datasheet table matches the adapters the benchmarks met (the H200 run's adapter, as Dawn described it)
// and says when it guesses.
import { describe, expect, it } from 'vitest';
import { datasheetPeak, peakLine } from './peaks';

const adapter = (device: string, description = '') => ({ vendor: 'nvidia', architecture: '', device, description });

describe('datasheet peaks', () => {
  it('knows the H200 of the recorded runs and the H100 variants; nothing else', () => {
    expect(datasheetPeak(adapter('nvidia-h200', 'NVIDIA: 580.159.04 580.159.4.0'))).toMatchObject({ fp32Tflops: 67, memoryTBps: 4.8 });
    expect(datasheetPeak(adapter('NVIDIA H100 PCIe'))).toMatchObject({ fp32Tflops: 51, memoryTBps: 2.0 });
    expect(datasheetPeak(adapter('NVIDIA H100 80GB HBM3 SXM5'))).toMatchObject({ fp32Tflops: 67, memoryTBps: 3.35 });
    expect(datasheetPeak(adapter('NVIDIA H100 80GB HBM3 SXM5'))?.assumption).toBeUndefined();
    expect(datasheetPeak(adapter('nvidia-h100'))?.assumption).toMatch(/taken as SXM5/);
    expect(datasheetPeak({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device' })).toBeUndefined();
    expect(datasheetPeak(adapter('NVIDIA GH200 480GB'))).toBeUndefined();
  });

  it('states the fractions the measured ceilings reach (the H200 run: 38.1 TFLOP/s, 4.18 TB/s)', () => {
    const line = peakLine(datasheetPeak(adapter('nvidia-h200')), { gflops: 38053, gbps: 4177.6 });
    expect(line).toContain('67 TFLOP/s FP32 (FMA), 4.8 TB/s; this run\'s ceilings reach 57% and 87% of them');
    expect(peakLine(undefined, { gflops: 1, gbps: 1 })).toMatch(/not known/);
  });
});
