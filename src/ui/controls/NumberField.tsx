// A labelled numeric entry that accepts scientific notation (1e-3), keeps the user's text while they type
// and commits every valid value (in range, integer where asked); invalid text is flagged, never committed.
import { useId, useState, type ReactNode } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  onCommit: (value: number) => void;
  min?: number;
  max?: number;
  integer?: boolean;
  step?: number | 'any';
  /** Shown after the input (units, derived numbers). */
  suffix?: ReactNode;
  disabled?: boolean;
  /** Display of the committed value (default String). */
  format?: (value: number) => string;
  className?: string;
}

export function validNumber(text: string, { min = -Infinity, max = Infinity, integer = false }: Pick<NumberFieldProps, 'min' | 'max' | 'integer'>): number | null {
  if (!text.trim()) return null;
  const x = Number(text);
  if (!Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) return null;
  return x;
}

export function NumberField({ label, value, onCommit, min, max, integer, step = 'any', suffix, disabled, format = String, className }: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(() => format(value));
  const [shown, setShown] = useState(value);
  if (!Object.is(value, shown)) {
    // The value changed from outside (another control, a loaded sweep): show it.
    setShown(value);
    setDraft(format(value));
  }
  const parsed = validNumber(draft, { min, max, integer });
  const invalid = parsed === null;
  const range = `${min ?? '−∞'} to ${max ?? '∞'}${integer ? ', whole numbers' : ''}`;

  const change = (text: string) => {
    setDraft(text);
    const x = validNumber(text, { min, max, integer });
    if (x !== null && !Object.is(x, value)) {
      setShown(x);
      onCommit(x);
    }
  };

  return (
    <div className={`field number-field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <span className="field-input">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          step={step}
          min={min}
          max={max}
          value={draft}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
          onChange={(e) => change(e.target.value)}
          onBlur={() => invalid && setDraft(format(value))}
        />
        {suffix ? <span className="field-suffix">{suffix}</span> : null}
      </span>
      {invalid ? (
        <span className="field-error" id={`${id}-error`}>
          Enter a number from {range}; until then {format(value)} stays.
        </span>
      ) : null}
    </div>
  );
}
