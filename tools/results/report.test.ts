// The report's tables, read from the committed H200 sweep: the numbers docs/results/README.md quotes come out
// of the page's own statistics (means, 95% t intervals, paired differences).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importResultsJson } from '../../src/lab/exportImport';
import { resultsToJson } from '../../src/lab/results';
import { baseTable, formatStat, HELP, main, probeTable, report, significant, taskTable } from './report';

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
    expect(kv).toContain('- exact match (%): Best λ after fine-tuning: 0.1, larger than the base optimum (0); vs the base optimum, paired by seed (+ = better): +27.3 pts (95% CI −87.5 – +100). Not distinguishable from the base optimum (the interval contains 0)');
    const reference = row(kv, '0.1')!;
    expect(reference[3]).toBe('-'); // no paired difference against itself
    const seeds = results.runs.filter((r) => r.lambda === 0.1).map((r) => r.finetunes.find((f) => f.task === 'KV')!);
    expect(reference.at(-2)).toBe(`${seeds.filter((f) => f.stepsTo50 != null).length} of 3`);
    const add = taskTable(results, 'ADD-R')!;
    expect(row(add, '0.1')?.at(-1)).toMatch(/^563 ± 0 \|$/);
  });

  it('names ties (ADD-R: 100% at λ 0 and 0.1) and states how finely steps to 50% are resolved', () => {
    const add = taskTable(results, 'ADD-R')!;
    expect(add).toContain('- exact match (%): Best λ after fine-tuning: λ 0 and 0.1 tie, including the base optimum (0)');
    expect(add).toContain('on the first 128 test examples reaches 50%; checkpoints are about 188 steps apart');
  });

  it('orients paired differences so + is better: DOMAIN at λ 3 is worse than 0.1, so negative', () => {
    const domain = taskTable(results, 'DOMAIN')!;
    expect(domain).toContain('vs lambda 0.1 (paired, + = better)');
    expect(row(domain, '3')?.[3]).toBe('-0.356 ± 0.090');
    expect(domain).toContain('- gain (bpc, + is better): Largest gain over base: 0, same as the base optimum (0)');
  });

  it('shows the random-init control as a row in the score (and answer NLL) columns', () => {
    const kv = row(taskTable(results, 'KV')!, 'random init')!;
    const controls = results.controls.filter((c) => c.task === 'KV');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(kv[1]).toBe('-'); // no base model
    expect(kv[2].startsWith((100 * mean(controls.map((c) => c.result.score.value!))).toFixed(1))).toBe(true);
    expect(kv[4].startsWith(mean(controls.map((c) => c.result.score.answerNll!)).toFixed(3))).toBe(true);
    expect(row(taskTable(results, 'ADD-R')!, 'random init')?.at(-2)).toBe('1 of 3');
    expect(taskTable({ ...results, controls: [] }, 'KV')).not.toContain('random init');
  });

  it('adds forgetting for DOMAIN, probes at the last layer (fixed, not picked by test accuracy), and the base optimum', () => {
    expect(taskTable(results, 'DOMAIN')).toContain('forgetting (bits/char)');
    const probes = probeTable(results)!;
    expect(probes).toContain('genre/last last layer (%)');
    const last = (r: (typeof results.runs)[number]) => r.base!.probes.filter((p) => p.probe === 'genre' && p.pooling === 'last').reduce((a, p) => (p.layer > a.layer ? p : a));
    const at0 = results.runs.filter((r) => r.lambda === 0).map((r) => 100 * last(r).accuracy);
    expect(row(probes, '0')?.[1].startsWith((at0.reduce((a, b) => a + b) / at0.length).toFixed(1))).toBe(true);
    expect(report(results, 'sweep')).toContain('Best base validation loss: lambda 0.');
  });
});

describe('report: the command', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'plasticity-report-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const run = (...argv: string[]) => {
    const [out, err]: string[][] = [[], []];
    const code = main(argv, (t) => out.push(t), (t) => err.push(t));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('--help prints the usage to stdout and exits 0; no file or an unknown flag exits 1 on stderr', () => {
    expect(run('--help')).toEqual({ code: 0, out: HELP, err: '' });
    expect(run('x.json', '-h').code).toBe(0);
    expect(HELP).toMatch(/^usage: npm run report -- <results\.json or sweep directory>\n[\s\S]*exit codes: 0 done/);
    expect(run()).toEqual({ code: 1, out: '', err: 'error: give a results file\nusage: npm run report -- <results.json or sweep directory>' });
    expect(run('--json').err).toMatch(/^error: unknown argument "--json"/);
    expect(run(join(scratch, 'missing.json'))).toMatchObject({ code: 1, out: '', err: `error: ${join(scratch, 'missing.json')} does not exist` });
  });

  it('runs as npm run report does (plain tsx, which cannot load the engine\'s shaders)', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'tools/results/report.ts', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect([help.status, help.stdout.trim(), help.stderr]).toEqual([0, HELP, '']);
  }, 60_000);

  it('reads a sweep directory (its results.json) as sweep:merge does, and heads the report with the file it read', () => {
    const dir = join(scratch, 'shard-0');
    mkdirSync(dir);
    writeFileSync(join(dir, 'results.json'), resultsToJson(results));
    const fromDir = run(dir);
    expect(fromDir.code, fromDir.err).toBe(0);
    expect(fromDir.out.split('\n')[0]).toBe(`# ${join(dir, 'results.json')}: ${results.sweep.name}`);
    const file = join(scratch, 'merged.json');
    writeFileSync(file, resultsToJson(results));
    expect(run(file).out.split('\n')[0]).toBe(`# ${file}: ${results.sweep.name}`);
  });

  it('says clearly that a file without finished runs has nothing to tabulate (no undefined, no NaN)', () => {
    for (const [runs, why] of [[[], 'it holds no runs'], [results.runs.slice(0, 2).map((r) => ({ ...r, status: 'pending' as const, base: null, pretrain: null, finetunes: [] })), 'none of its 2 runs (2 pending) has a measured base model yet']] as const) {
      const text = report({ ...results, runs: [...runs], controls: [] }, 'empty.json');
      expect(text).toContain(`**No finished runs**: ${why}, so there is nothing to tabulate.`);
      expect(text).not.toMatch(/undefined|NaN/);
      expect(text).toContain('S = 6.46;');
      expect(text).not.toContain('## Base models');
    }
  });

  it('gives S to 3 significant digits, small or large', () => {
    expect([significant(0.015), significant(0.015349), significant(6.4567), significant(1.6249), significant(1234.5), significant(NaN)]).toEqual(['0.015', '0.0153', '6.46', '1.62', '1230', 'n/a']);
  });
});
