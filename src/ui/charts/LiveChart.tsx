// The runs in flight, live: pretraining loss and validation bits/char, then each task's fine-tuning loss, as
// the worker streams them (the lab slice's `live`). Live metrics re-render this chart alone: it draws only
// the runs in flight, so an update costs a line or two of drawing whatever the sweep's size. The comparison
// charts (loss curves of every run, weight norms) take a run's curves when its results arrive.
import { memo, useMemo } from 'react';
import type { RunResult } from '../../lab/results';
import { formatLambda } from '../controls/sweepEdit';
import { type LiveRun } from '../../state/labModel';
import { isFinishedRun } from '../../lab/results';
import { lossCurves } from './data';
import { CurveChart } from './LossChart';

export interface LiveChartProps {
  runs: readonly RunResult[];
  /** The lab slice's live series and progress, by run id. */
  live: Readonly<Record<string, LiveRun>>;
  /** The runner is running (or paused): the chart stays mounted between the runs of a sweep. */
  active: boolean;
}

/** The chart view of a phase: 'pretrain' -> pretraining loss, 'finetune.KV' -> KV's fine-tuning loss. */
export function viewOfPhase(phase: string | undefined): string | undefined {
  if (phase === 'pretrain') return 'pretrain';
  return phase?.startsWith('finetune.') ? `ft:${phase.slice('finetune.'.length)}` : undefined;
}

const STEPS = new Intl.NumberFormat('en-US');

export const LiveChart = memo(function LiveChart({ runs, live, active }: LiveChartProps) {
  const inFlight = useMemo(() => runs.filter((r) => live[r.id] && !isFinishedRun(r)), [runs, live]);
  const views = useMemo(() => lossCurves(inFlight, 400, live), [inFlight, live]);
  const current = inFlight.at(-1);
  // A run that has started but sent no metrics yet (kernels compiling, the first submit of steps running): the
  // runner marks every run of a sweep pending at its start, so the one in hand is the first that moved on, else
  // the first pending one.
  const unfinished = current ? [] : runs.filter((r) => !isFinishedRun(r));
  const starting = unfinished.find((r) => r.status !== 'pending') ?? unfinished[0];
  const progress = current ? live[current.id]?.progress : undefined;
  const where = progress ? `${progress.phase} step ${STEPS.format(progress.step)} / ${STEPS.format(progress.steps)}` : current?.status;
  // Mounted while the runner is active, even between runs, so each new run does not rebuild the chart.
  if (!active && !current) return null;
  return (
    <CurveChart
      views={views}
      preferredView={viewOfPhase(progress?.phase)}
      testId="chart-live"
      title="Run in progress"
      subtitle={current ? `λ ${formatLambda(current.lambda)} · seed ${current.seed}: ${where}. Streamed as it trains; the comparison charts below take its curves when each phase ends.` : undefined}
      emptyText={
        starting
          ? `λ ${formatLambda(starting.lambda)} · seed ${starting.seed}: preparing the GPU kernels and the first steps; its loss appears here with the first metrics.`
          : 'Between runs: the next run streams its loss here as soon as it starts training.'
      }
      height={220}
    />
  );
});
