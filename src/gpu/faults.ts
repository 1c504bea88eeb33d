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

const LABEL_PATTERN = /\[(?:Invalid )?[A-Za-z]+ "([^"]+)"\]/;

/** The first labelled GPU object named in an error message. */
export function labelFromMessage(message: string): string {
  return LABEL_PATTERN.exec(message)?.[1] ?? 'unlabelled';
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

/** Runs `body` inside validation + out-of-memory error scopes; a captured error is recorded and thrown. */
export async function withErrorScope<T>(device: GPUDevice, faults: GpuFaults, label: string, body: () => T): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const result = body();
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  const error = validation ?? memory;
  if (error) {
    const fault = faults.record(kindOf(error), error.message, label);
    throw new GpuFaultError(fault);
  }
  return result;
}
