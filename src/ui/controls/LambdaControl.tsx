// Weight decay for a single run: a log-scale slider whose first notch is 0 (then 1e-4 .. 10), an exact
// numeric entry, and the timescale numbers that say what this lambda means for the chosen schedule.
import type { Timescale } from '../../model/config';
import { NumberField } from './NumberField';
import { formatLambda, formatNumber, LAMBDA_NOTCHES, notchIndex } from './sweepEdit';
import { MAX_LAMBDA } from '../../lab/sweep';

/** Labelled slider positions (1e-4 is the notch right after 0, too close to label). */
const TICKS = [0, 1e-3, 1e-2, 0.1, 1, 10];

export interface LambdaControlProps {
  lambda: number;
  onLambdaChange: (lambda: number) => void;
  /** timescale() of the chosen preset and budget at this lambda. */
  timescale: Timescale;
  disabled?: boolean;
}

/** What the slider announces: the λ Train runs, and the notch it sits at when λ lies between notches. */
export function sliderText(lambda: number, notch: number): string {
  return lambda === notch ? `λ = ${formatLambda(lambda)}` : `λ = ${formatLambda(lambda)} (slider at the nearest notch, ${formatLambda(notch)})`;
}

export function LambdaControl({ lambda, onLambdaChange, timescale, disabled }: LambdaControlProps) {
  const index = notchIndex(lambda);
  const last = LAMBDA_NOTCHES.length - 1;
  return (
    <div className="lambda-control">
      <NumberField className="lambda-entry" label="Weight decay λ" value={lambda} min={0} max={MAX_LAMBDA} onCommit={onLambdaChange} disabled={disabled} format={formatLambda} suffix="single run (Train)" />
      <div className="lambda-slider">
        <input
          type="range"
          aria-label="Weight decay λ, log scale"
          min={0}
          max={last}
          step={1}
          value={index}
          disabled={disabled}
          aria-valuetext={sliderText(lambda, LAMBDA_NOTCHES[index])}
          onChange={(e) => onLambdaChange(LAMBDA_NOTCHES[+e.target.value])}
        />
        <div className="slider-ticks" aria-hidden="true">
          {TICKS.map((t) => (
            <span key={t} style={{ left: `${(100 * notchIndex(t)) / last}%` }}>
              {formatLambda(t)}
            </span>
          ))}
        </div>
      </div>
      <TimescaleReadout lambda={lambda} timescale={timescale} />
    </div>
  );
}

export interface TimescaleReadoutProps {
  lambda: number;
  timescale: Timescale;
}

/** S, exp(-lambda S) and tau/T (science.md, Timescale), with the paper's range for comparison. */
export function TimescaleReadout({ lambda, timescale: { S, shrink, tauOverT } }: TimescaleReadoutProps) {
  const note =
    lambda === 0
      ? "λ = 0: no decay (τ/T is infinite). (Paper's Llama runs: S ≈ 1.3–3.)"
      : `λ = ${formatLambda(lambda)}: decay alone would shrink the weights to ${formatNumber(100 * shrink, 2)}% of their size over the run. (Paper's Llama runs: S ≈ 1.3–3.)`;
  return (
    <div className="timescale" data-testid="timescale">
      <dl aria-label="Timescale for the chosen λ">
        <div title="S = Σ over steps of the scheduled learning rate; the paper's Llama runs have S ≈ 1.3–3">
          <dt>
            S = Σ lr<sub>t</sub>
          </dt>
          <dd data-testid="timescale-S">{formatNumber(S)}</dd>
        </div>
        <div title="Decay alone shrinks every weight by this factor over the run">
          <dt>exp(−λS)</dt>
          <dd data-testid="timescale-shrink">{formatNumber(shrink)}</dd>
        </div>
        <div title="AdamW timescale 1/(lr·λ) in units of the run length (Wang & Aitchison 2024)">
          <dt>τ/T</dt>
          <dd data-testid="timescale-tau">{formatNumber(tauOverT)}</dd>
        </div>
      </dl>
      <p className="timescale-note">{note}</p>
    </div>
  );
}
