// Every results chart, derived from one Results document, plus the live chart of the runs in flight. Each
// chart's data is derived in a memo and kept by content (useStable); the charts are memo components that
// re-render only when their data changes, so a batch of live metrics re-renders the live chart alone.
import { useMemo } from 'react';
import type { Results } from '../../lab/results';
import { PRESETS } from '../../model/config';
import type { LiveRun } from '../../state/labModel';
import { chartLambdas, lambdaAxis, lossCurves, plasticityData, weightNormCurves } from './data';
import { LiveChart } from './LiveChart';
import { LossChart, WeightNormChart } from './LossChart';
import { probeData, rankData, scalarData } from './mechanismData';
import { PlasticityChart } from './PlasticityChart';
import { ProbeChart } from './ProbeChart';
import { RankChart } from './RankChart';
import { ScalarChart } from './ScalarChart';

export interface LabChartsProps {
  results: Results | null;
  /** Runs picked in the runs table: the per-run curves (loss, weight norms) show only these; all when empty. */
  compareRunIds?: readonly string[];
  /** The lab slice's `live`: series and progress of runs in flight, drawn by the live chart alone. */
  live?: Readonly<Record<string, LiveRun>>;
  /** The runner is running or paused (the live chart shows while it is). */
  running?: boolean;
  /** Points per curve after downsampling. */
  maxPoints?: number;
}

/** JSON signatures by object identity: a re-render with the same memoised object does not serialise it again. */
const signatures = new WeakMap<object, string>();
function signatureOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  let signature = signatures.get(value);
  if (signature === undefined) signatures.set(value, (signature = JSON.stringify(value)));
  return signature;
}

/** Keeps the previous value while its JSON is unchanged, so memo'd charts skip re-rendering. */
export function useStable<T>(value: T): T {
  const signature = signatureOf(value);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on content on purpose
  return useMemo(() => value, [signature]);
}

const NO_RUNS: Results['runs'] = [];
const NO_CONTROLS: Results['controls'] = [];
const NO_LIVE: Readonly<Record<string, LiveRun>> = {};

export function LabCharts({ results, compareRunIds = [], live = NO_LIVE, maxPoints = 300, running = false }: LabChartsProps) {
  const runs = results?.runs ?? NO_RUNS;
  const controls = results?.controls ?? NO_CONTROLS;
  const lambdaKey = results ? chartLambdas(results).join(',') : '';
  const axis = useMemo(() => lambdaAxis(lambdaKey ? lambdaKey.split(',').map(Number) : []), [lambdaKey]);
  const compareKey = compareRunIds.join('\n');
  const curveRuns = useMemo(() => {
    const ids = new Set(compareKey ? compareKey.split('\n') : []);
    return ids.size ? runs.filter((r) => ids.has(r.id)) : runs;
  }, [runs, compareKey]);
  const headSize = results ? PRESETS[results.sweep.preset].model.HS : null;

  const loss = useMemo(() => lossCurves(curveRuns, maxPoints), [curveRuns, maxPoints]);
  const norms = useStable(useMemo(() => weightNormCurves(curveRuns, maxPoints), [curveRuns, maxPoints]));
  const plasticity = useStable(useMemo(() => plasticityData(runs, axis, controls), [runs, axis, controls]));
  const probes = useStable(useMemo(() => probeData(runs), [runs]));
  const ranks = useStable(useMemo(() => rankData(runs, axis, headSize), [runs, axis, headSize]));
  const scalars = useStable(useMemo(() => scalarData(runs, axis), [runs, axis]));

  return (
    <section className="lab-charts" aria-label="Results" data-testid="lab-charts">
      <PlasticityChart tasks={plasticity} axis={axis} />
      <h3 className="chart-group-title">Training</h3>
      <LiveChart runs={runs} live={live} active={running} />
      <div className="chart-grid">
        <LossChart views={loss} />
        <WeightNormChart views={norms} />
      </div>
      <h3 className="chart-group-title">
        Mechanisms <span className="muted">(correlational, as in the paper)</span>
      </h3>
      <div className="chart-grid chart-grid-3">
        <RankChart views={ranks} axis={axis} />
        <ScalarChart views={scalars} axis={axis} />
        <ProbeChart views={probes} />
      </div>
    </section>
  );
}
