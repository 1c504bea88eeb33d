// Downstream tasks to fine-tune on: one checkbox per task with its training-set size (editable when on).
import { maxTrainSize, TASKS, type SweepDefinition, type TaskName } from '../../lab/sweep';
import { NumberField } from './NumberField';
import { defaultTaskSpec, formatCount } from './sweepEdit';

export const TASK_BLURBS: Record<TaskName, string> = {
  'ADD-R': '3-digit sums, digits reversed (exact match)',
  KV: 'in-context key-value recall (exact match)',
  SENT: 'IMDB review sentiment (accuracy)',
  DOMAIN: 'continued pretraining on an unseen domain (bits/char)',
  PIGLATIN: 'pig-latin translation (exact match)',
};

/** DOMAIN's size is characters of text; the others count examples. */
export function taskUnit(name: TaskName): string {
  return name === 'DOMAIN' ? 'characters' : 'examples';
}

export interface TaskPickerProps {
  tasks: SweepDefinition['tasks'];
  onToggle: (name: TaskName, enabled: boolean) => void;
  onSizeChange: (name: TaskName, trainSize: number) => void;
  /** The smallest size a task may have (one fine-tuning batch: minTrainSize). */
  minSize: (name: TaskName) => number;
  disabled?: boolean;
}

export function TaskPicker({ tasks, onToggle, onSizeChange, minSize, disabled }: TaskPickerProps) {
  return (
    <fieldset className="task-picker" disabled={disabled}>
      <legend>Fine-tuning tasks</legend>
      {TASKS.map((name) => {
        const spec = tasks.find((t) => t.name === name);
        const size = (spec ?? defaultTaskSpec(name)).trainSize;
        return (
          <div key={name} className={`task-row ${spec ? 'on' : 'off'}`} title={TASK_BLURBS[name]}>
            <label className="check">
              <input type="checkbox" checked={!!spec} onChange={(e) => onToggle(name, e.target.checked)} />
              <span className="task-name">{name}</span>
            </label>
            {spec ? (
              <NumberField
                className="task-size-entry"
                label={`${name} training ${taskUnit(name)}`}
                value={spec.trainSize}
                min={minSize(name)}
                max={maxTrainSize(spec)}
                integer
                step={1000}
                onCommit={(n) => onSizeChange(name, n)}
                suffix={<span data-testid={`task-size-${name}`}>{name === 'DOMAIN' ? 'chars' : 'examples'}</span>}
              />
            ) : (
              <span className="task-off" data-testid={`task-size-${name}`}>
                {formatCount(size)} {taskUnit(name)} · {TASK_BLURBS[name]}
              </span>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
