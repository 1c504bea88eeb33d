// One place where every GPU failure becomes visible state: uncaptured validation / out-of-memory / internal
// errors, shader compilation errors and device loss. Each fault carries the label of the GPU object (kernel)
// that caused it, parsed from Dawn's/Chrome's message (`[ComputePipeline "matmul_forward"]`).

export type GpuFaultKind = 'validation' | 'out-of-memory' | 'internal' | 'compilation' | 'lost';

export interface GpuFault {
  kind: GpuFaultKind;
  /** The GPU object's label (kernel name) the error names, or 'unlabelled'. */
  label: string;
  message: string;
  time: number;
}

type Listener = (fault: GpuFault) => void;

// `[Kind "label"]` or `[Invalid Kind "label"]` (objects), `[KindDescriptor ""label""]` (what a create call was
// given: Dawn quotes the label twice), `[Invalid CommandBuffer from CommandEncoder "label"]`.
const LABEL_PATTERN = /\[(?:Invalid )?([A-Za-z]+)(?: from [A-Za-z]+)? (""?)([^"\]]+)\2\]/g;
/** Objects that every call goes through: named only when nothing more specific is. */
const CONTAINERS = new Set(['Device', 'Queue', 'Adapter', 'Instance']);

/**
 * The label of the GPU object an error is about: the first labelled object or descriptor the message names,
 * skipping the device and queue ("While calling [Device "d"].CreateBuffer([BufferDescriptor ""params""])"
 * names the buffer "params"); the device's label if nothing else is named; else 'unlabelled'.
 */
export function labelFromMessage(message: string): string {
  const named = [...message.matchAll(LABEL_PATTERN)].map((m) => ({ kind: m[1], label: m[3] }));
  return (named.find((n) => !CONTAINERS.has(n.kind)) ?? named[0])?.label ?? 'unlabelled';
}

export class GpuFaults {
  readonly list: GpuFault[] = [];
  private listeners = new Set<Listener>();

  record(kind: GpuFaultKind, message: string, label = labelFromMessage(message)): GpuFault {
    const fault: GpuFault = { kind, label, message, time: Date.now() };
    this.list.push(fault);
    for (const listener of this.listeners) listener(fault);
    return fault;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws the first fault recorded since `mark` (an index into `list`), so callers fail loudly. */
  throwIfAny(mark = 0): void {
    const fault = this.list[mark];
    if (fault) throw new GpuFaultError(fault);
  }
}

export class GpuFaultError extends Error {
  constructor(readonly fault: GpuFault) {
    super(`GPU ${fault.kind} error in "${fault.label}": ${fault.message}`);
    this.name = 'GpuFaultError';
  }
}

function kindOf(error: GPUError): GpuFaultKind {
  if (error instanceof GPUOutOfMemoryError) return 'out-of-memory';
  if (error instanceof GPUValidationError) return 'validation';
  return 'internal';
}

/** Routes a device's uncaptured errors and its loss into `faults`. */
export function watchDevice(device: GPUDevice, faults: GpuFaults): void {
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    faults.record(kindOf(error), error.message);
  });
  void device.lost.then((info) => {
    faults.record('lost', `device lost (${info.reason}): ${info.message}`, device.label || 'device');
  });
}

async function popScope(device: GPUDevice): Promise<GPUError | null> {
  try {
    return await device.popErrorScope();
  } catch {
    return null; // a lost device's scopes are gone: its loss is recorded by watchDevice
  }
}

/**
 * Runs `body` (awaited) inside validation + out-of-memory error scopes, so errors of the GPU objects it creates
 * come back here rather than as uncaptured faults. A captured error is recorded (labelled with the object its
 * message names, else `label`) and thrown as a GpuFaultError; it wins over an exception of `body` (it is the
 * root cause). Scopes are per device, not per caller: keep `body` short, as other work's errors land in them.
 */
export async function withErrorScope<T>(device: GPUDevice, faults: GpuFaults, label: string, body: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body() };
  } catch (error) {
    outcome = { ok: false, error }; // the scopes are popped below either way
  }
  const validation = await popScope(device);
  const memory = await popScope(device);
  const error = validation ?? memory;
  if (error) {
    const named = labelFromMessage(error.message);
    throw new GpuFaultError(faults.record(kindOf(error), error.message, named === 'unlabelled' ? label : named));
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
