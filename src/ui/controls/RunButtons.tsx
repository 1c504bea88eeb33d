// Train (one lambda), Sweep (lambda grid x seeds), Pause, Resume, Cancel: callbacks with disabled states
// that follow the runner's state, and a line that says what each start button will do.
import { useEffect, useRef } from 'react';
import type { RunState } from '../../state/runnerSlice';
import { formatLambda } from './sweepEdit';

export interface RunButtonsProps {
  runState: RunState;
  /** False while something the runs need is missing (GPU, corpus, an invalid sweep): Train and Sweep disabled. */
  canStart: boolean;
  /** Why the start buttons are disabled (shown beside them). */
  blockedReason?: string;
  lambda: number;
  seed: number;
  /** The status of the finished run at (lambda, seed) that Train would re-run and replace, if any. */
  trainReplaces?: string;
  /** The device that made the open results, when that alone makes Train and Sweep start a new sweep. */
  openResultsDevice?: string;
  /** The adapter is a software fallback (no GPU driver): runs take many times longer than on a GPU. */
  softwareAdapter?: boolean;
  lambdaCount: number;
  seedCount: number;
  /** Measured or estimated seconds per run on this device: shows the sweep's duration. */
  secondsPerRun?: number;
  /** Shown instead of "Running…" (data loading progress). */
  runningText?: string;
  onTrain: () => void;
  onSweep: () => void;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Keeps keyboard focus on the run controls as they change state: the pressed button is disabled by its own
 * press (Train, Sweep, Pause, Resume), and a disabled button loses focus to <body>. Focus moves to the button
 * that now matters (Pause while running, Resume while paused, Train when idle again), and only when it was lost.
 */
function useFocusFollowsRun(runState: RunState, group: React.RefObject<HTMLDivElement | null>): void {
  const previous = useRef(runState);
  useEffect(() => {
    if (previous.current === runState) return;
    previous.current = runState;
    const active = document.activeElement;
    const lost = !active || active === document.body || (group.current?.contains(active) && (active as HTMLButtonElement).disabled);
    if (!lost) return;
    const next = group.current?.querySelector<HTMLButtonElement>(`button[data-focus-in~="${runState}"]:not(:disabled)`);
    next?.focus();
  }, [runState, group]);
}

export function RunButtons(props: RunButtonsProps) {
  const { runState, canStart, blockedReason, lambda, seed, lambdaCount, seedCount, secondsPerRun } = props;
  const group = useRef<HTMLDivElement>(null);
  useFocusFollowsRun(runState, group);
  const idle = runState === 'idle';
  const runs = lambdaCount * seedCount;
  const eta = secondsPerRun ? ` (about ${formatDuration(secondsPerRun)} per run, ${formatDuration(secondsPerRun * runs)} in all)` : '';
  return (
    <div className="run-buttons" role="group" aria-label="Run controls" data-run-state={runState} ref={group}>
      <div className="button-row">
        <button type="button" onClick={props.onTrain} disabled={!idle || !canStart} data-focus-in="idle">
          Train
        </button>
        <button type="button" onClick={props.onSweep} disabled={!idle || !canStart}>
          Sweep
        </button>
        <span className="button-gap" />
        <button type="button" className="secondary" onClick={props.onPause} disabled={runState !== 'running'} data-focus-in="running">
          Pause
        </button>
        <button type="button" className="secondary" onClick={props.onResume} disabled={runState !== 'paused'} data-focus-in="paused">
          Resume
        </button>
        <button type="button" className="danger" onClick={props.onCancel} disabled={runState !== 'running' && runState !== 'paused'}>
          Cancel
        </button>
      </div>
      <p className="run-hint" data-testid="run-hint">
        {!idle ? (
          runState === 'paused' ? 'Paused: Resume continues from the last step; Cancel keeps finished runs.' : runState === 'cancelling' ? 'Cancelling…' : (props.runningText ?? 'Running…')
        ) : !canStart ? (
          <span className="blocked">{blockedReason ?? 'Not ready to train yet.'}</span>
        ) : (
          <>
            {props.trainReplaces
              ? `Train: re-runs λ = ${formatLambda(lambda)}, seed ${seed}, replacing the ${props.trainReplaces} run there.`
              : `Train: one run at λ = ${formatLambda(lambda)}, seed ${seed}.`}{' '}
            Sweep: {lambdaCount} λ × {seedCount} seed{seedCount === 1 ? '' : 's'} = {runs} runs{eta}.
            {props.openResultsDevice ? ` Both start a new sweep: the open results were made on ${props.openResultsDevice}, and runs of two devices are not mixed.` : ''}
            {props.softwareAdapter ? ' This is a software GPU (no GPU driver): a run takes many times longer than on a GPU; to try the lab here, pick the tiny preset without KV and PIGLATIN (their prompts do not fit its 16-token rows).' : ''}
          </>
        )}
      </p>
    </div>
  );
}
