// The experiment panel: model preset, pretraining budget, weight decay (one lambda, the sweep's grid and
// the decay group), seeds, fine-tuning tasks and learning rate, and the run buttons. Everything is props:
// the sweep being edited comes in, edited copies go out through onSweepChange.
import { useId, useMemo, useState } from 'react';
import { paramCount, PRESETS, type PresetName } from '../../model/config';
import { minTrainSize } from '../../lab/runnerPlan';
import type { SweepDefinition } from '../../lab/sweep';
import { LambdaControl } from './LambdaControl';
import { LambdaGridEditor } from './LambdaGridEditor';
import { NumberField } from './NumberField';
import { RunButtons, type RunButtonsProps } from './RunButtons';
import { TaskPicker } from './TaskPicker';
import { formatCount, formatNumber, parseNumberList, sortedUnique, sweepSchedule, sweepTimescale, withLambdas, withPreset, withTask, withTaskSize } from './sweepEdit';

/** The run buttons' props that the panel passes through (lambda, seed and the grid's sizes it supplies). */
type PassedRunButtonsProps = Omit<RunButtonsProps, 'lambda' | 'seed' | 'lambdaCount' | 'seedCount'>;

export interface ExperimentControlsProps extends PassedRunButtonsProps {
  sweep: SweepDefinition;
  onSweepChange: (sweep: SweepDefinition) => void;
  /** The lambda a single Train run uses. */
  lambda: number;
  onLambdaChange: (lambda: number) => void;
  /** The seed a single Train run uses (default: the sweep's first seed). */
  seed?: number;
}

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function presetSummary(name: PresetName): string {
  const { model, train } = PRESETS[name];
  const params = paramCount(model);
  return `${name}: ${formatCount(params)} params, ${formatCount(params * train.tokensPerParam)} tokens`;
}

export function ExperimentControls(props: ExperimentControlsProps) {
  const { sweep, onSweepChange: set, lambda, onLambdaChange, seed, ...runButtons } = props;
  const { runState } = runButtons;
  const locked = runState !== 'idle';
  const ts = useMemo(() => sweepTimescale(sweep, lambda), [sweep, lambda]);
  const decayName = useId();

  return (
    <section className="panel controls-panel" aria-labelledby="controls-title" data-testid="experiment-controls">
      <h2 id="controls-title">Experiment</h2>
      <div className="controls-grid">
        <PretrainGroup sweep={sweep} onSweepChange={set} locked={locked} />

        <fieldset className="control-group" disabled={locked}>
          <legend>Weight decay</legend>
          <LambdaControl lambda={lambda} onLambdaChange={onLambdaChange} timescale={ts} />
          <div className="radio-row" role="radiogroup" aria-label="Decay group">
            <span className="radio-title">Decay applies to</span>
            <label className="check" title="Every parameter, embeddings and norm gains too (the paper's Llama runs)">
              <input type="radio" name={decayName} checked={sweep.decayGroup === 'all'} onChange={() => set({ ...sweep, decayGroup: 'all' })} />
              all params
            </label>
            <label className="check" title="Only tensors with 2 or more dimensions">
              <input type="radio" name={decayName} checked={sweep.decayGroup === 'matrices'} onChange={() => set({ ...sweep, decayGroup: 'matrices' })} />
              matrices only
            </label>
          </div>
        </fieldset>

        <fieldset className="control-group" disabled={locked}>
          <legend>Sweep</legend>
          <LambdaGridEditor lambdas={sweep.lambdas} onLambdasChange={(l) => set(withLambdas(sweep, l))} S={ts.S} />
          <SeedsField seeds={sweep.seeds} onSeedsChange={(seeds) => set({ ...sweep, seeds })} />
        </fieldset>

        <fieldset className="control-group" disabled={locked}>
          <legend>Fine-tuning</legend>
          <NumberField
            label="Fine-tuning learning rate"
            value={sweep.finetune.lr}
            min={1e-6}
            max={1}
            onCommit={(lr) => set({ ...sweep, finetune: { ...sweep.finetune, lr } })}
            suffix={`same for every λ · ${sweep.finetune.epochs} epochs · batch ${sweep.finetune.batch} · no decay`}
          />
          <TaskPicker
            tasks={sweep.tasks}
            onToggle={(name, on) => set(withTask(sweep, name, on))}
            onSizeChange={(name, n) => set(withTaskSize(sweep, name, n))}
            minSize={(name) => minTrainSize(sweep, name)}
          />
        </fieldset>
      </div>
      <RunButtons
        {...runButtons}
        canStart={runButtons.canStart && sweep.tasks.length > 0}
        blockedReason={sweep.tasks.length === 0 ? 'Choose at least one fine-tuning task.' : runButtons.blockedReason}
        lambda={lambda}
        seed={seed ?? sweep.seeds[0]}
        lambdaCount={sweep.lambdas.length}
        seedCount={sweep.seeds.length}
      />
    </section>
  );
}

/** Preset (with parameter count and token budget) and the pretraining budget in tokens/param or steps. */
function PretrainGroup({ sweep, onSweepChange: set, locked }: { sweep: SweepDefinition; onSweepChange: (s: SweepDefinition) => void; locked: boolean }) {
  const schedule = useMemo(() => sweepSchedule(sweep), [sweep]);
  const presetId = useId();
  const budgetId = useId();
  const { budget } = sweep.pretrain;
  const setPretrain = (part: Partial<SweepDefinition['pretrain']>) => set({ ...sweep, pretrain: { ...sweep.pretrain, ...part } });
  return (
    <fieldset className="control-group" disabled={locked}>
      <legend>Model and pretraining</legend>
      <div className="field">
        <label htmlFor={presetId}>Preset</label>
        <select id={presetId} value={sweep.preset} onChange={(e) => set(withPreset(sweep, e.target.value as PresetName))}>
          {PRESET_NAMES.map((name) => (
            <option key={name} value={name}>
              {presetSummary(name)}
            </option>
          ))}
        </select>
      </div>
      <p className="field-note">{PRESETS[sweep.preset].description}</p>
      <div className="field-pair">
        <div className="field">
          <label htmlFor={budgetId}>Budget in</label>
          <select
            id={budgetId}
            value={budget.kind}
            onChange={(e) => setPretrain({ budget: e.target.value === 'steps' ? { kind: 'steps', value: schedule.steps } : { kind: 'tokensPerParam', value: +schedule.tokensPerParam.toPrecision(3) } })}
          >
            <option value="tokensPerParam">tokens/param</option>
            <option value="steps">steps</option>
          </select>
        </div>
        <NumberField
          label={budget.kind === 'steps' ? 'Pretraining steps' : 'Tokens per parameter'}
          value={budget.value}
          min={1}
          max={budget.kind === 'steps' ? 10_000_000 : 10_000}
          integer={budget.kind === 'steps'}
          onCommit={(value) => setPretrain({ budget: { kind: budget.kind, value } })}
        />
      </div>
      <p className="field-note" data-testid="budget-summary">
        {formatCount(schedule.params)} parameters · {formatCount(schedule.tokens)} tokens · {schedule.steps.toLocaleString('en-US')} steps · {formatNumber(schedule.tokensPerParam)} tokens/param · peak lr {formatNumber(schedule.peakLr)} · {formatNumber(+schedule.epochs.toPrecision(2))} epochs of the training text
      </p>
      {schedule.epochs > 1 ? (
        <p className="field-note warn" data-testid="budget-epochs">
          More than one pass over the training text: the model sees text again, where the paper pretrains for a single epoch.
        </p>
      ) : null}
    </fieldset>
  );
}

const MAX_SEEDS = 16;

/** Seeds as a list ("0, 1, 2"): distinct non-negative integers, at most 16. */
function SeedsField({ seeds, onSeedsChange }: { seeds: readonly number[]; onSeedsChange: (seeds: number[]) => void }) {
  const id = useId();
  const [draft, setDraft] = useState(seeds.join(', '));
  const [shown, setShown] = useState(seeds);
  if (shown !== seeds) {
    setShown(seeds);
    if (parseNumberList(draft)?.join() !== seeds.join()) setDraft(seeds.join(', '));
  }
  const parse = (text: string) => {
    const list = parseNumberList(text);
    if (!list || !list.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31)) return null;
    const unique = sortedUnique(list);
    return unique.length <= MAX_SEEDS ? unique : null;
  };
  const invalid = parse(draft) === null;
  return (
    <div className="field seeds-field">
      <label htmlFor={id}>Seeds</label>
      <span className="field-input">
        <input
          id={id}
          type="text"
          inputMode="numeric"
          value={draft}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            const next = parse(e.target.value);
            if (next && next.join() !== seeds.join()) onSeedsChange(next);
          }}
          onBlur={() => invalid && setDraft(seeds.join(', '))}
        />
        <span className="field-suffix">
          {seeds.length} seed{seeds.length === 1 ? '' : 's'}: each seed runs every λ (paired comparisons)
        </span>
      </span>
      {invalid ? (
        <span className="field-error" id={`${id}-error`}>
          Seeds are whole numbers from 0, separated by commas, at most {MAX_SEEDS}; until then {seeds.join(', ')} stay.
        </span>
      ) : null}
    </div>
  );
}
