// The report's tables, read from the committed H200 sweep: the numbers docs/results/README.md quotes come out
// of the page's own statistics (means, 95% t intervals, paired differences).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importResultsJson } from '../../src/lab/exportImport';
import { baseTable, formatStat, probeTable, report, taskTable } from './report';

const results = importResultsJson(readFileSync('docs/results/2026-11-26-h200-default-sweep.json', 'utf8'));
const row = (table: string, lambda: string) => table.split('\n').find((line) => line.startsWith(`| ${lambda} |`))?.split(' | ');

describe('report', () => {
  it('formats a mean with its 95% half-width, the mean alone for one seed, a dash for none', () => {
    expect(formatStat({ mean: 2.0634, band: [2.0314, 2.0954], n: 3 }, 3)).toBe('2.063 ± 0.032');
    expect(formatStat({ mean: 0.5, band: null, n: 1 }, 1, 100)).toBe('50.0');
    expect(formatStat(null, 3)).toBe('-');
  });

  it('summarizes the base models per lambda (mean and interval across the 3 seeds)', () => {
    const table = baseTable(results);
    const values = results.runs.filter((r) => r.lambda === 0).map((r) => r.base!.valBitsPerChar!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(row(table, '0')?.[2]).toBe('3'); // seeds
    expect(row(table, '0')?.[3].startsWith(mean.toFixed(3))).toBe(true);
    expect(table.split('\n')).toHaveLength(2 + results.sweep.lambdas.length);
  });

  it('gives each exact-match task its score, answer NLL, paired difference and steps to 50%', () => {
    const kv = taskTable(results, 'KV')!;
    expect(kv).toContain('best after fine-tuning by score: lambda 0.1');
    const reference = row(kv, '0.1')!;
    expect(reference[3]).toBe('-'); // no paired difference against itself
    const seeds = results.runs.filter((r) => r.lambda === 0.1).map((r) => r.finetunes.find((f) => f.task === 'KV')!);
    expect(reference.at(-2)).toBe(`${seeds.filter((f) => f.stepsTo50 != null).length} of 3`);
    const add = taskTable(results, 'ADD-R')!;
    expect(row(add, '0.1')?.at(-1)).toMatch(/^563 ± 0 \|$/);
  });

  it('adds forgetting for DOMAIN, probes beside the untrained model, and the base optimum', () => {
    expect(taskTable(results, 'DOMAIN')).toContain('forgetting (bits/char)');
    expect(probeTable(results)).toContain('genre/last best layer (%)');
    expect(report(results, 'sweep')).toContain('Best base validation loss: lambda 0.');
  });
});
