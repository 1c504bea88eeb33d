// GPU timing: timestamp queries around one compute pass when the device has them, else wall time of
// submit + onSubmittedWorkDone (which includes the submit round trip; `method` says which one was used).
import type { Gpu } from './adapter';
import { encodeDispatches, type Dispatch } from './dispatch';
import { readBuffer } from './readback';

export interface Timing {
  /** Median milliseconds per repetition of the dispatch list. */
  ms: number;
  method: 'timestamp-query' | 'wall-clock';
  samples: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `list`, encoded `inner` times per pass, over `reps` passes after one warm-up. */
export async function timeDispatches(gpu: Gpu, list: readonly Dispatch[], reps = 5, inner = 1): Promise<Timing> {
  const { device } = gpu;
  const run = async (timestamps?: GPUComputePassTimestampWrites) => {
    const encoder = device.createCommandEncoder({ label: 'timing' });
    const pass = encoder.beginComputePass({ label: 'timing', timestampWrites: timestamps });
    for (let i = 0; i < inner; i++) encodeDispatches(pass, list);
    pass.end();
    return encoder;
  };
  device.queue.submit([(await run()).finish()]);
  await device.queue.onSubmittedWorkDone();
  const samples: number[] = [];
  if (gpu.hasTimestamps) {
    const querySet = device.createQuerySet({ label: 'timing', type: 'timestamp', count: 2 });
    const resolve = device.createBuffer({
      label: 'timing:resolve',
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    try {
      for (let r = 0; r < reps; r++) {
        const encoder = await run({ querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
        encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
        device.queue.submit([encoder.finish()]);
        const [begin, end] = new BigInt64Array(await readBuffer(gpu, resolve));
        samples.push(Number(end - begin) / 1e6 / inner);
      }
    } finally {
      querySet.destroy();
      resolve.destroy();
    }
    return { ms: median(samples), method: 'timestamp-query', samples };
  }
  for (let r = 0; r < reps; r++) {
    const encoder = await run();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    samples.push((performance.now() - t0) / inner);
  }
  return { ms: median(samples), method: 'wall-clock', samples };
}
