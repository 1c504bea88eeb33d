// The sweep's lambda grid: one chip per lambda (with its colour, as in every chart, and exp(-lambda S)),
// remove buttons, an entry that adds one or several values, and the paper's and the lab's grids.
import { useId, useRef, useState } from 'react';
import { lambdaColor } from '../charts/colors';
import { DEFAULT_GRID, formatLambda, formatNumber, PAPER_GRID, parseNumberList, sortedUnique } from './sweepEdit';
import { MAX_LAMBDA } from '../../lab/sweep';

export interface LambdaGridEditorProps {
  lambdas: readonly number[];
  onLambdasChange: (lambdas: number[]) => void;
  /** S of the schedule: each chip shows exp(-lambda S). */
  S: number;
  disabled?: boolean;
}

const MAX_LAMBDAS = 32;

export function LambdaGridEditor({ lambdas, onLambdasChange, S, disabled }: LambdaGridEditorProps) {
  const id = useId();
  const [text, setText] = useState('');
  const parsed = text.trim() ? parseNumberList(text) : null;
  const valid = parsed !== null && parsed.every((x) => x >= 0 && x <= MAX_LAMBDA);
  const add = () => {
    if (!valid) return;
    onLambdasChange(sortedUnique([...lambdas, ...parsed]).slice(0, MAX_LAMBDAS));
    setText('');
  };
  const same = (grid: readonly number[]) => grid.length === lambdas.length && grid.every((x, i) => x === lambdas[i]);
  const list = useRef<HTMLUListElement>(null);
  const entry = useRef<HTMLInputElement>(null);
  // A removed chip takes its button, and the keyboard focus, with it: focus goes to the next chip's remove
  // button (the previous one's for the last chip), or to the entry when no chip can be removed any more.
  const remove = (l: number) => {
    const at = lambdas.indexOf(l);
    const rest = lambdas.filter((x) => x !== l);
    onLambdasChange(rest);
    requestAnimationFrame(() => {
      const buttons = list.current?.querySelectorAll<HTMLButtonElement>('button.chip-remove:not(:disabled)');
      const next = buttons?.[Math.min(at, (buttons?.length ?? 1) - 1)];
      (next ?? entry.current)?.focus();
    });
  };
  const invalidText = text.trim() !== '' && !valid;

  return (
    <fieldset className="grid-editor" disabled={disabled}>
      <legend>λ grid ({lambdas.length})</legend>
      <ul className="lambda-chips" aria-label="λ grid" data-testid="lambda-grid" ref={list}>
        {lambdas.map((l) => (
          <li key={l} className="lambda-chip" data-lambda={l} title={`exp(−λS) = ${formatNumber(Math.exp(-l * S))}`}>
            <span className="swatch" style={{ background: lambdaColor(l) }} />
            <span className="chip-value">{formatLambda(l)}</span>
            <button type="button" className="chip-remove" aria-label={`Remove λ ${formatLambda(l)}`} disabled={lambdas.length <= 1} onClick={() => remove(l)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="grid-add">
        <label htmlFor={id}>Add λ values</label>
        <input
          id={id}
          type="text"
          inputMode="decimal"
          placeholder="e.g. 0.6, 1.5"
          value={text}
          ref={entry}
          aria-invalid={invalidText || undefined}
          aria-describedby={invalidText ? `${id}-error` : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), add())}
        />
        <button type="button" className="secondary" onClick={add} disabled={!valid}>
          Add
        </button>
        <button type="button" className="secondary" onClick={() => onLambdasChange([...DEFAULT_GRID])} disabled={same(DEFAULT_GRID)}>
          Lab grid
        </button>
        <button type="button" className="secondary" onClick={() => onLambdasChange([...PAPER_GRID])} disabled={same(PAPER_GRID)} title="0, 1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.6, 1, 1.5, 3, 10">
          Paper grid
        </button>
      </div>
      {invalidText ? (
        <span className="field-error" id={`${id}-error`}>
          λ values are numbers from 0 to {MAX_LAMBDA}, separated by commas.
        </span>
      ) : null}
    </fieldset>
  );
}
