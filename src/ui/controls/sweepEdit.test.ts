import { describe, expect, it } from 'vitest';
import { defaultSweep, parseSweep } from '../../lab/sweep';
import { paramCount, PRESETS, timescale, TRAIN_SPLIT_TOKENS } from '../../model/config';
import { composeSvg, escapeXml, legendSvg } from '../ChartExport';
import { sliderText } from './LambdaControl';
import { validNumber } from './NumberField';
import {
  formatLambda,
  formatNumber,
  LAMBDA_NOTCHES,
  notchIndex,
  PAPER_GRID,
  parseNumberList,
  sweepSchedule,
  sweepTimescale,
  withLambdas,
  withPreset,
  withTask,
  withTaskSize,
} from './sweepEdit';

describe('weight decay slider notches', () => {
  it('start at 0, then run 1e-4 .. 10 log-spaced, and hold every value of the paper grid', () => {
    expect(LAMBDA_NOTCHES[0]).toBe(0);
    expect(LAMBDA_NOTCHES[1]).toBe(1e-4);
    expect(LAMBDA_NOTCHES.at(-1)).toBe(10);
    for (let i = 2; i < LAMBDA_NOTCHES.length; i++) expect(LAMBDA_NOTCHES[i]).toBeGreaterThan(LAMBDA_NOTCHES[i - 1]);
    for (const l of PAPER_GRID) expect(LAMBDA_NOTCHES[notchIndex(l)]).toBe(l);
  });

  it('map any lambda to the nearest notch in log space', () => {
    expect(notchIndex(0)).toBe(0);
    expect(notchIndex(1e-6)).toBe(0);
    expect(LAMBDA_NOTCHES[notchIndex(0.65)]).toBe(0.6);
    expect(LAMBDA_NOTCHES[notchIndex(0.7)]).toBe(0.8); // |ln(0.8/0.7)| = 0.134 < |ln(0.7/0.6)| = 0.154
    expect(LAMBDA_NOTCHES[notchIndex(50)]).toBe(10);
  });
});

describe('formatting and parsing', () => {
  it('writes lambda as people do', () => {
    expect([0, 1e-4, 3e-3, 1.5e-3, 0.01, 0.3, 1.5, 10].map(formatLambda)).toEqual(['0', '1e-4', '3e-3', '1.5e-3', '0.01', '0.3', '1.5', '10']);
  });

  it('formats timescale numbers with an explicit infinity and a dash for missing values', () => {
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(6.4612)).toBe('6.46');
    expect(formatNumber(2.3e-5)).toBe('2.3e-5');
  });

  it('parses lists with commas, spaces or semicolons and rejects any bad entry', () => {
    expect(parseNumberList('0, 0.1 1e-3;3')).toEqual([0, 0.1, 1e-3, 3]);
    expect(parseNumberList('0.1, x')).toBeNull();
    expect(parseNumberList('  ')).toBeNull();
  });

  it('accepts a numeric entry only in range (and whole where asked)', () => {
    expect(validNumber('1e-3', { min: 0, max: 100 })).toBe(1e-3);
    expect(validNumber('-1', { min: 0 })).toBeNull();
    expect(validNumber('2.5', { integer: true })).toBeNull();
    expect(validNumber('', {})).toBeNull();
  });
});

describe('schedule and timescale of a sweep', () => {
  it('the default sweep reproduces the preset: parameters, steps and S', () => {
    const sweep = defaultSweep();
    const s = sweepSchedule(sweep);
    const lab = PRESETS.lab;
    expect(s.params).toBe(paramCount(lab.model));
    expect(s.steps).toBe(lab.train.steps);
    expect(sweepTimescale(sweep, 0.3)).toEqual(timescale(lab.train, 0.3));
  });

  it('a step budget sets the steps directly; tokens per param follow', () => {
    const sweep = defaultSweep();
    const s = sweepSchedule({ ...sweep, pretrain: { ...sweep.pretrain, budget: { kind: 'steps', value: 1000 } } });
    expect(s.steps).toBe(1000);
    expect(s.tokens).toBe(1000 * sweep.pretrain.batch * PRESETS.lab.model.T);
    expect(s.tokensPerParam).toBeCloseTo(s.tokens / s.params, 12);
  });

  it('counts passes over the training split: the lab preset stays within one, 140 tokens/param on tpp20 does not', () => {
    expect(sweepSchedule(defaultSweep()).epochs).toBeLessThan(1);
    const tpp20 = withPreset(defaultSweep(), 'tpp20');
    const long = sweepSchedule({ ...tpp20, pretrain: { ...tpp20.pretrain, budget: { kind: 'tokensPerParam', value: 140 } } });
    expect(long.epochs).toBeCloseTo(long.tokens / TRAIN_SPLIT_TOKENS, 12);
    expect(long.epochs).toBeGreaterThan(6);
  });
});

describe('sweep edits stay valid sweeps', () => {
  it('changing the preset keeps the grid, seeds and tasks and takes its learning rates', () => {
    const sweep = { ...defaultSweep(), lambdas: [0, 1], seeds: [4] };
    const next = parseSweep(withPreset(sweep, 'tpp20'));
    expect(next).toMatchObject({ preset: 'tpp20', lambdas: [0, 1], seeds: [4], tasks: sweep.tasks });
    expect(next.pretrain.peakLr).toBe(PRESETS.tpp20.train.peakLr);
    expect(next.pretrain.budget).toEqual({ kind: 'tokensPerParam', value: 20 });
  });

  it('tasks switch on with default sizes in TASKS order, off, and resize', () => {
    let sweep = withTask(defaultSweep(), 'PIGLATIN', true);
    expect(sweep.tasks.map((t) => t.name)).toEqual(['ADD-R', 'KV', 'SENT', 'DOMAIN', 'PIGLATIN']);
    sweep = withTask(withTask(sweep, 'KV', false), 'KV', true);
    expect(sweep.tasks.map((t) => t.name)).toEqual(['ADD-R', 'KV', 'SENT', 'DOMAIN', 'PIGLATIN']);
    sweep = withTaskSize(sweep, 'SENT', 5000);
    expect(parseSweep(sweep).tasks.find((t) => t.name === 'SENT')!.trainSize).toBe(5000);
  });

  it('lambda grids are sorted, distinct and in range', () => {
    expect(withLambdas(defaultSweep(), [3, 0.1, 3, -1, 0, 200]).lambdas).toEqual([0, 0.1, 3]);
  });
});

describe('chart export SVG', () => {
  it('escapes text and composes one standalone document with title, parts and legend', () => {
    expect(escapeXml('a<b & "c"')).toBe('a&lt;b &amp; &quot;c&quot;');
    const svg = composeSvg({
      width: 400,
      height: 200,
      title: 'Loss <curves>',
      parts: [{ x: 10, y: 20, markup: '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><line/></svg>' }],
      texts: [{ x: 4, y: 8, text: 'ADD-R' }],
      legend: [{ label: 'λ 0.1', color: '#123456' }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Loss &lt;curves&gt;');
    expect(svg).toContain('<svg x="10" y="54" xmlns'); // offset by the title band
    expect(svg).toContain('>ADD-R</text>');
    expect(svg).toContain('λ 0.1');
    expect(svg.match(/<svg/g)).toHaveLength(2);
  });

  it('wraps legend rows at the width', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ label: `λ item ${i}`, color: '#000' }));
    expect(legendSvg(items, 200, 0).height).toBeGreaterThan(legendSvg(items, 2000, 0).height);
    expect(legendSvg([], 200, 0)).toEqual({ markup: '', height: 0 });
  });
});

describe('the lambda slider', () => {
  it('announces the lambda Train runs, and the notch it shows when lambda lies between notches', () => {
    expect(sliderText(0.1, LAMBDA_NOTCHES[notchIndex(0.1)])).toBe('λ = 0.1');
    expect(sliderText(50, LAMBDA_NOTCHES[notchIndex(50)])).toBe('λ = 50 (slider at the nearest notch, 10)');
  });
});
