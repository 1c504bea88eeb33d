// Pause / resume / cancel for a running phase. runPhase checks it between submits (never inside a step),
// so a pause or cancel takes effect within one submit's worth of steps. An AbortSignal works too (cancel).

export type ControlState = 'running' | 'paused' | 'cancelled';

export class PhaseControl {
  private current: ControlState = 'running';
  private waiters: Array<() => void> = [];

  get state(): ControlState {
    return this.current;
  }

  pause(): void {
    if (this.current === 'running') this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'running';
    this.wake();
  }

  /** Final: a cancelled phase stops at the next check and returns status 'cancelled'. */
  cancel(): void {
    this.current = 'cancelled';
    this.wake();
  }

  /** Resolves when the control is no longer paused (resumed or cancelled) or the signal aborts. */
  whilePaused(signal?: AbortSignal): Promise<void> {
    if (this.current !== 'paused' || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
