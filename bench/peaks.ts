// Datasheet peaks of the GPUs the benchmarks have run on or name as goals, so every run can say what fraction
// of the device's own limits its measured ceilings reach (the napkin math beside the measured-ceiling one).
// FP32 is the non-tensor-core (FMA) rate: WGSL has no tensor-core path. Matched on the adapter's words (Dawn
// names an H200 `nvidia-h200` in `device`); an H100 whose name does not say its form factor is taken as the
// SXM5 part, and the match says so.
import type { AdapterSummary } from '../src/gpu/adapter';

export interface DevicePeak {
  name: string;
  /** FP32 FMA rate, TFLOP/s (2 FLOPs per FMA). */
  fp32Tflops: number;
  /** Memory bandwidth, TB/s. */
  memoryTBps: number;
  /** How the adapter was matched, when it is a guess. */
  assumption?: string;
}

const H100_SXM: DevicePeak = { name: 'NVIDIA H100 SXM5 80 GB (HBM3)', fp32Tflops: 67, memoryTBps: 3.35 };

/** The peaks of the adapter's GPU, or undefined for one not in this table. */
export function datasheetPeak(adapter: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description'>): DevicePeak | undefined {
  const words = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join(' ').toLowerCase();
  if (/gh200/.test(words)) return undefined; // Grace Hopper: its own memory figures, not in this table
  if (/h200/.test(words)) {
    return /nvl/.test(words)
      ? { name: 'NVIDIA H200 NVL 141 GB (HBM3e)', fp32Tflops: 60, memoryTBps: 4.8 }
      : { name: 'NVIDIA H200 SXM 141 GB (HBM3e)', fp32Tflops: 67, memoryTBps: 4.8 };
  }
  if (/h100/.test(words)) {
    if (/pcie/.test(words)) return { name: 'NVIDIA H100 PCIe 80 GB (HBM2e)', fp32Tflops: 51, memoryTBps: 2.0 };
    if (/nvl/.test(words)) return { name: 'NVIDIA H100 NVL 94 GB (HBM3)', fp32Tflops: 60, memoryTBps: 3.9 };
    return /sxm/.test(words) ? H100_SXM : { ...H100_SXM, assumption: 'the adapter does not name its form factor: taken as SXM5' };
  }
  return undefined;
}

/** One line: the datasheet peaks and what fraction of them this run's measured ceilings reach. */
export function peakLine(peak: DevicePeak | undefined, ceilings: { gflops: number; gbps: number }): string {
  if (!peak) return 'datasheet peak: not known for this adapter (bench/peaks.ts)';
  const compute = (100 * ceilings.gflops) / (peak.fp32Tflops * 1000);
  const memory = (100 * ceilings.gbps) / (peak.memoryTBps * 1000);
  return `datasheet peak (${peak.name}${peak.assumption ? `; ${peak.assumption}` : ''}): ${peak.fp32Tflops} TFLOP/s FP32 (FMA), ` +
    `${peak.memoryTBps} TB/s; this run's ceilings reach ${compute.toFixed(0)}% and ${memory.toFixed(0)}% of them`;
}
