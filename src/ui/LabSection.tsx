import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { describeAdapter } from '../gpu/adapter';
import { estimateSecondsPerRun } from '../lab/runEstimate';
import { selectViewedResults } from '../state/labSlice';
import { otherDeviceOfOpenResults, runTrainReplaces } from '../state/labModel';
import { useLab } from '../state/store';
import { OTHER_TAB_TRAINING, trainingElsewhere } from '../state/trainingLock';
import { LabCharts } from './charts/LabCharts';
import { runRows } from './charts/runRows';
import { ExperimentControls } from './controls/ExperimentControls';
import { RunsTable } from './RunsTable';

/** Seconds a run of the edited sweep should take on this device, from the finished runs in view. */
function useSecondsPerRun(): number | undefined {
  const results = useLab((s) => s.results);
  const sweep = useLab((s) => s.sweep);
  const adapter = useLab((s) => s.adapter);
  return useMemo(() => estimateSecondsPerRun(results, sweep, adapter && describeAdapter(adapter)), [results, sweep, adapter]);
}

const MB = 1e6;

/**
 * What the runner is doing before the first metrics arrive: fetching the data a run needs (first visit: the
 * corpus, tens of MB), then compiling the kernels and running the first submit of steps.
 */
function useRunningText(): string | undefined {
  const data = useLab((s) => s.runnerData);
  const streaming = useLab((s) => Object.keys(s.live).length > 0);
  if (!data || (data.totalBytes && data.receivedBytes >= data.totalBytes)) {
    return streaming ? undefined : 'Running… preparing the GPU kernels and the first steps (the live curve starts with them).';
  }
  const total = data.totalBytes ? ` of ${(data.totalBytes / MB).toFixed(1)}` : '';
  return `Running… loading the training data (${(data.receivedBytes / MB).toFixed(1)}${total} MB).`;
}

function blockedReason(gpuStatus: string, shared: boolean, otherTab: boolean): string | undefined {
  if (shared) return 'Viewing shared results: Re-run to verify, or go back to your results to train.';
  if (gpuStatus !== 'ready') return 'Training needs a WebGPU device (see the device panel).';
  if (otherTab) return OTHER_TAB_TRAINING;
  return undefined;
}

const OTHER_TAB_POLL_MS = 3000;

/** Whether another tab of the lab holds the training lock, checked while this tab is idle and visible (a start
 *  is refused then anyway: this says so before the click). */
function useOtherTabTraining(idle: boolean): boolean {
  const [other, setOther] = useState(false);
  useEffect(() => {
    if (!idle) return;
    let live = true;
    const check = () => {
      if (document.visibilityState === 'visible') void trainingElsewhere().then((held) => live && setOther(held));
    };
    check();
    const timer = setInterval(check, OTHER_TAB_POLL_MS);
    document.addEventListener('visibilitychange', check);
    return () => {
      live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', check);
    };
  }, [idle]);
  return idle && other;
}

/** Controls, runs table and charts: the lab itself. */
export function LabSection() {
  const sweep = useLab((s) => s.sweep);
  const setSweep = useLab((s) => s.setSweep);
  const single = useLab((s) => s.singleRun);
  const setSingleRun = useLab((s) => s.setSingleRun);
  const runState = useLab((s) => s.runState);
  const gpuStatus = useLab((s) => s.gpuStatus);
  const shared = useLab((s) => Boolean(s.shared));
  const actions = useLab.getState(); // actions never change; reading them does not subscribe
  const otherTab = useOtherTabTraining(runState === 'idle');
  const reason = blockedReason(gpuStatus, shared, otherTab);
  const secondsPerRun = useSecondsPerRun();
  const runningText = useRunningText();
  const here = useLab((s) => (s.adapter ? describeAdapter(s.adapter) : 'unknown'));
  const replaced = useLab((s) => runTrainReplaces(s.results, s.sweep, s.singleRun, here)?.status);
  const otherDevice = useLab((s) => otherDeviceOfOpenResults(s.results, s.sweep, here));
  const software = useLab((s) => Boolean(s.adapter?.isFallbackAdapter));

  return (
    <>
      <ExperimentControls
        sweep={sweep}
        onSweepChange={setSweep}
        lambda={single.lambda}
        seed={single.seed}
        trainReplaces={replaced}
        openResultsDevice={otherDevice}
        softwareAdapter={software}
        onLambdaChange={(lambda) => setSingleRun({ lambda })}
        runState={runState}
        canStart={!reason}
        blockedReason={reason}
        secondsPerRun={secondsPerRun}
        runningText={runningText}
        onTrain={() => void actions.startTrain()}
        onSweep={() => void actions.startSweep()}
        onPause={actions.pauseRun}
        onResume={actions.resumeRun}
        onCancel={actions.cancelRun}
      />
      <LiveResults />
    </>
  );
}

/**
 * The runs table and the charts: the only part of the page that live metrics re-render. Metric batches and
 * run results render as a transition (useDeferredValue): React renders them in slices between frames and
 * drops a stale one when a newer one arrives, so streaming metrics do not hold the main thread
 * (bench/page.ts measures it).
 */
function LiveResults() {
  const results = useDeferredValue(useLab(selectViewedResults) ?? null);
  const live = useDeferredValue(useLab((s) => s.live));
  const selected = useLab((s) => s.selectedRunIds);
  const setSelected = useLab((s) => s.setSelectedRuns);
  const running = useLab((s) => s.runState !== 'idle');
  const openReference = useLab((s) => s.openReference);
  const { rows, tasks } = useMemo(() => (results ? runRows(results, live) : { rows: [], tasks: [] }), [results, live]);
  return (
    <>
      <RunsTable rows={rows} tasks={tasks} selected={selected} onSelectionChange={setSelected} onOpenReference={running ? undefined : openReference} />
      <LabCharts results={results} compareRunIds={selected} live={live} running={running} />
    </>
  );
}

