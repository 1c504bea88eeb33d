// The page's one-click GPU self-test: each registered kernel checks itself on random inputs against its
// CPU reference. Runs anywhere `src/gpu` runs (page, worker, Node).
import type { Gpu } from '../gpu/adapter';
import { kernelSelfTests } from './index';

export interface SelfTestResult {
  kernel: string;
  passed: boolean;
  detail: string;
  ms: number;
}

export async function runSelfTests(gpu: Gpu): Promise<SelfTestResult[]> {
  const results: SelfTestResult[] = [];
  for (const test of kernelSelfTests) {
    const t0 = performance.now();
    try {
      const { ok, report } = await test.run(gpu);
      results.push({ kernel: test.kernel, passed: ok, detail: report, ms: performance.now() - t0 });
    } catch (error) {
      results.push({ kernel: test.kernel, passed: false, detail: String((error as Error).message ?? error), ms: performance.now() - t0 });
    }
  }
  return results;
}
