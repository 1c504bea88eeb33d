import { describe, expect, it } from 'vitest';
import { makeResults } from '../lab/persist/fixture';
import type { Results } from '../lab/results';
import { defaultSweep, parseSweep, type SweepDefinition } from '../lab/sweep';
import { DEFAULT_SINGLE_RUN } from './labModel';
import { buildShareUrl, decodeLabUrl, encodeSettingsQuery, sweepSettingsKey } from './url';
import { deflate, fnv1a, toBase64Url } from './urlBytes';
import { URL_KEYS_V1 } from './urlKeys';
import { summarizeResults } from './urlSummary';

const BASE = 'https://example.github.io/plasticity-lab/';
const SHARED_AT = new Date('2026-11-27T12:00:00.000Z');

/** A sweep with every field away from its default. */
function editedSweep(): SweepDefinition {
  return parseSweep({
    ...defaultSweep('overtrained'),
    name: 'my sweep, with "quotes" & ünïcode #1',
    decayGroup: 'matrices',
    lambdas: [0, 1e-4, 0.15, 1.5, 10],
    seeds: [7, 11],
    pretrain: { budget: { kind: 'steps', value: 1234 }, peakLr: 0.0025, batch: 16, warmupFrac: 0.05, minLrFrac: 0.2, evalEvery: 100 },
    finetune: { lr: 1.5e-4, epochs: 2, batch: 32, weightDecay: 0.01, warmupFrac: 0.2 },
    tasks: [
      { name: 'KV', trainSize: 1000, testSize: 100 },
      { name: 'PIGLATIN', trainSize: 5000, testSize: 200 },
    ],
    probes: ['genre'],
    randomInitControl: false,
    perturbationSigma: 0.02,
  });
}

/** Leaf paths of a sweep (arrays and the budget/tasks objects count as one field each). */
function sweepFields(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || prefix === 'pretrain.budget') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => sweepFields(v, prefix ? `${prefix}.${k}` : k));
}

describe('share URL settings (versioned key table)', () => {
  it('the default sweep reads as plain keys, seeds included', () => {
    const query = encodeSettingsQuery(defaultSweep('lab'), DEFAULT_SINGLE_RUN);
    expect(query).toContain('v=1&preset=lab&');
    for (const part of ['wd=0,0.1,0.3,1,3', 'seeds=0,1,2', 'dg=all', 'ftlr=0.001', 'tasks=ADD-R,KV,SENT,DOMAIN', 'budget=tpp:140', 'probes=sentiment,genre', 'trainwd=0.1', 'trainseed=0']) {
      expect(query).toContain(part);
    }
  });

  it('every sweep field has its own key', () => {
    const covered = new Set(URL_KEYS_V1.map((k) => k.field));
    const fields = sweepFields(defaultSweep()).filter((f) => f !== 'version');
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
    expect(new Set(URL_KEYS_V1.map((k) => k.key)).size).toBe(URL_KEYS_V1.length);
  });

  it('round-trips every field and the single run', () => {
    const sweep = editedSweep();
    const singleRun = { lambda: 0.3, seed: 42 };
    const decoded = decodeLabUrl(`${BASE}?${encodeSettingsQuery(sweep, singleRun)}`);
    expect(decoded.messages).toEqual([]);
    expect(decoded.sweep).toEqual(sweep);
    expect(decoded.singleRun).toEqual(singleRun);
    for (const preset of ['tiny', 'lab', 'tpp20', 'overtrained'] as const) {
      expect(decodeLabUrl(`${BASE}?${encodeSettingsQuery(defaultSweep(preset), DEFAULT_SINGLE_RUN)}`).sweep).toEqual(defaultSweep(preset));
    }
  });

  it('a v1 link written today still decodes (frozen example)', () => {
    const frozen = `${BASE}?v=1&preset=lab&dg=matrices&wd=0,1&seeds=3&budget=steps:500&ftlr=0.0005&tasks=KV,SENT:100:10&probes=&control=0&trainwd=1&trainseed=3`;
    const d = decodeLabUrl(frozen);
    expect(d.messages).toEqual([]);
    expect(d.sweep).toMatchObject({ preset: 'lab', decayGroup: 'matrices', lambdas: [0, 1], seeds: [3], probes: [], randomInitControl: false });
    expect(d.sweep.pretrain.budget).toEqual({ kind: 'steps', value: 500 });
    expect(d.sweep.tasks).toEqual([{ name: 'KV', trainSize: 40_000, testSize: 500 }, { name: 'SENT', trainSize: 100, testSize: 10 }]);
    expect(d.singleRun).toEqual({ lambda: 1, seed: 3 });
  });

  it('unknown keys are ignored, missing keys take the defaults, settings may sit in the fragment', () => {
    const d = decodeLabUrl(`${BASE}?utm_source=mail&v=1&wd=0,1&colour=red#section`);
    expect(d.messages).toEqual([]);
    expect(d.sweep).toEqual({ ...defaultSweep('lab'), lambdas: [0, 1] });
    expect(decodeLabUrl(`${BASE}#v=1&seeds=5`).sweep.seeds).toEqual([5]);
    expect(decodeLabUrl(BASE)).toEqual({ sweep: defaultSweep('lab'), singleRun: DEFAULT_SINGLE_RUN, messages: [], fromLink: false });
    expect(decodeLabUrl(`${BASE}#v=1&seeds=5`).fromLink).toBe(true);
  });

  it('a key given twice takes its later value, the fragment after the query', () => {
    expect(decodeLabUrl(`${BASE}?v=1&wd=0,1&seeds=0&wd=0.3`).sweep.lambdas).toEqual([0.3]);
    expect(decodeLabUrl(`${BASE}?v=1&seeds=1#seeds=2`).sweep.seeds).toEqual([2]);
  });
});

/** A fragment payload from arbitrary JSON (for tampering). */
const payload = (value: unknown): string => toBase64Url(deflate(new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))));

const defaultSettings = encodeSettingsQuery(defaultSweep('lab'), DEFAULT_SINGLE_RUN);
const goodEnvelope = () => {
  const results: Partial<Results> = summarizeResults(makeResults(defaultSweep('lab'), 3));
  delete results.sweep;
  return { format: 1, sharedAt: SHARED_AT.toISOString(), settings: fnv1a(sweepSettingsKey(defaultSweep('lab'))), results };
};
const withSummary = (r: string) => `${BASE}?${defaultSettings}#r=${r}`;

describe('share URL results summary', () => {
  const results = makeResults();
  const url = buildShareUrl(BASE, results.sweep, DEFAULT_SINGLE_RUN, results, SHARED_AT);

  it('the default sweep with all 15 runs done fits in 16 KB', () => {
    expect(results.runs).toHaveLength(15);
    console.log(`share URL for the default sweep, 15 runs: ${url.length} characters (full results JSON: ${JSON.stringify(results).length})`);
    expect(url.length).toBeLessThan(16 * 1024);
  });

  it('round-trips the summary: device, date, final metrics exactly enough, curves at 32 points', () => {
    const d = decodeLabUrl(url);
    expect(d.messages).toEqual([]);
    expect(d.sweep).toEqual(results.sweep);
    expect(d.shared?.device).toBe(results.device.adapter);
    expect(d.shared?.date).toBe(SHARED_AT.toISOString());
    const got = d.shared!.results;
    expect(got.device).toEqual(results.device);
    expect(got.runs.map((r) => [r.id, r.lambda, r.seed])).toEqual(results.runs.map((r) => [r.id, r.lambda, r.seed]));
    const close = (a: number | null | undefined, b: number | null | undefined, rel: number) => expect(Math.abs((a ?? NaN) - (b ?? NaN))).toBeLessThanOrEqual(rel * Math.abs(b ?? NaN));
    results.runs.forEach((want, i) => {
      const run = got.runs[i];
      close(run.base!.valBitsPerChar, want.base!.valBitsPerChar, 1e-4);
      close(run.base!.trainValGap, want.base!.trainValGap, 1e-4);
      run.finetunes.forEach((f, k) => {
        close(f.score.value, want.finetunes[k].score.value, 1e-4);
        close(f.gain, want.finetunes[k].gain, 1e-4);
        expect(f.curve.x).toHaveLength(32);
        expect(f.curve.x.at(-1)).toBe(want.finetunes[k].curve.x.at(-1));
        const top = Math.max(...want.finetunes[k].curve.y.map((y) => Math.abs(y ?? 0))); // 3 digits of the curve's largest value
        expect(Math.abs(f.curve.y.at(-1)! - want.finetunes[k].curve.y.at(-1)!)).toBeLessThanOrEqual(0.005 * top);
      });
      run.base!.probes.forEach((p, k) => expect(Math.abs(p.accuracy - want.base!.probes[k].accuracy)).toBeLessThanOrEqual(5e-4)); // 3 digits
      expect(run.base!.spectra.map((s) => s.qk.pseudoRank2)).toEqual(want.base!.spectra.map((s) => s.qk.pseudoRank2));
      expect(run.pretrain!.loss.x).toHaveLength(32);
      if (want.lambda === 0) expect(run.timescale.tauOverT).toBeNull(); // Infinity travels as null
      else close(run.timescale.tauOverT, want.timescale.tauOverT, 1e-4);
    });
    expect(got.controls).toHaveLength(results.controls.length);
  });

  it('a share link without results carries the settings only', () => {
    const plain = buildShareUrl(`${BASE}?old=1#x`, editedSweep(), DEFAULT_SINGLE_RUN);
    expect(plain).not.toContain('#');
    expect(plain.startsWith(`${BASE}?v=1`)).toBe(true);
    expect(decodeLabUrl(plain).sweep).toEqual(editedSweep());
  });
});

describe('malformed links give the defaults and a specific message, never an exception', () => {
  const valid = buildShareUrl(BASE, defaultSweep('lab'), DEFAULT_SINGLE_RUN, makeResults(defaultSweep('lab'), 3), SHARED_AT);
  const validR = new URL(valid).hash.slice(3);
  const cut = validR.slice(0, Math.floor(validR.length / 8) * 4);
  const badRun = (() => {
    const e = goodEnvelope();
    (e.results.runs![2] as { lambda: unknown }).lambda = 'x';
    return e;
  })();
  const bomb = toBase64Url(deflate(new Uint8Array(3 * 2 ** 20).fill(32)));

  const cases: [string, string, RegExp][] = [
    ['version not a number', `${BASE}?v=abc`, /v: "abc" is not a version number/],
    ['version from the future', `${BASE}?v=2&wd=0`, /v=2 was made by a newer version/],
    ['version never written', `${BASE}?v=0`, /v=0 is a version this lab never wrote/],
    ['settings without a version', `${BASE}?wd=0,1`, /v: missing/],
    ['unknown preset', `${BASE}?v=1&preset=huge`, /preset: unknown preset "huge"/],
    ['preset named like a prototype property', `${BASE}?v=1&preset=toString`, /preset: unknown preset "toString"/],
    ['lambda not a number', `${BASE}?v=1&wd=0,abc`, /wd: "abc" is not a number/],
    ['negative lambda', `${BASE}?v=1&wd=0,-1`, /wd \(lambdas\.1\): Too small/],
    ['lambda out of range', `${BASE}?v=1&wd=0,1000`, /wd \(lambdas\.1\): Too big/],
    ['no lambdas', `${BASE}?v=1&wd=`, /wd \(lambdas\): Too small/],
    ['fractional seed', `${BASE}?v=1&seeds=1.5`, /seeds \(seeds\.0\)/],
    ['repeated seed', `${BASE}?v=1&seeds=1,1`, /seeds \(seeds\): seeds must be distinct/],
    ['Infinity', `${BASE}?v=1&ftlr=Infinity`, /ftlr: "Infinity" is not a number/],
    ['hex number', `${BASE}?v=1&batch=0x10`, /batch: "0x10" is not a number/],
    ['budget without a value', `${BASE}?v=1&budget=tpp`, /budget: "tpp" is not tpp:N or steps:N/],
    ['budget of unknown kind', `${BASE}?v=1&budget=weeks:3`, /budget: unknown value "weeks"/],
    ['unknown task', `${BASE}?v=1&tasks=ADD-R,FOO`, /tasks: unknown value "FOO"/],
    ['task without default sizes', `${BASE}?v=1&tasks=PIGLATIN`, /PIGLATIN has no default sizes/],
    ['unknown decay group', `${BASE}?v=1&dg=some`, /dg: unknown value "some"/],
    ['flag not 0/1', `${BASE}?v=1&control=yes`, /control: unknown value "yes"/],
    ['unknown probe', `${BASE}?v=1&probes=colour`, /probes: unknown value "colour"/],
    ['single run out of range', `${BASE}?v=1&trainwd=-3`, /trainwd \(singleRun\.lambda\): Too small/],
    ['name too long', `${BASE}?v=1&name=${'x'.repeat(200)}`, /name \(name\): Too big/],
    ['bad base64', withSummary('abc$def'), /not base64url \(bad character "\$"/],
    ['impossible base64 length', withSummary('AAAAA'), /cut off/],
    ['empty summary', withSummary(''), /results data is empty/],
    ['not deflate', withSummary(toBase64Url(new TextEncoder().encode('hello, world'))), /not valid deflate/],
    ['truncated summary', withSummary(cut), /not valid deflate/],
    ['not UTF-8', withSummary(toBase64Url(deflate(new Uint8Array([0xff, 0xfe, 0x80])))), /not UTF-8/],
    ['not JSON', withSummary(payload('{"format": 1, ')), /not JSON/],
    ['unknown summary format', withSummary(payload({ ...goodEnvelope(), format: 9 })), /unknown format/],
    ['bad share date', withSummary(payload({ ...goodEnvelope(), sharedAt: 'yesterday' })), /malformed \(sharedAt/],
    ['a run fails the schema', withSummary(payload(badRun)), /runs\.2\.lambda/],
    ['zip bomb', withSummary(bomb), /expands to more than 2\.0 MB/],
    ['huge summary', withSummary('A'.repeat(1_000_004)), /too long/],
    ['not a URL at all', 'http://[::1', /not a valid URL/],
  ];

  it.each(cases)('%s', (_name, href, message) => {
    const d = decodeLabUrl(href);
    expect(d.sweep).toEqual(defaultSweep('lab'));
    expect(d.singleRun).toEqual(DEFAULT_SINGLE_RUN);
    expect(d.shared).toBeUndefined();
    expect(d.messages).toHaveLength(1);
    expect(d.messages[0]).toMatch(message);
  });

  it(`covers at least 20 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it('results that do not read keep the link\'s own settings in the editor (only the results are dropped)', () => {
    const d = decodeLabUrl(valid.replace('wd=0,0.1,0.3,1,3', 'wd=0,0.1,0.3,1,10'));
    expect(d.sweep.lambdas).toEqual([0, 0.1, 0.3, 1, 10]);
    expect(d.shared).toBeUndefined();
    expect(d.fromLink).toBe(true);
    expect(d.messages).toEqual([expect.stringMatching(/do not match the link's settings.*Its settings are in the editor; Sweep runs them here\.$/)]);
  });

  it('random corruption of a valid link never throws and always yields a valid sweep', () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=&,:%#?';
    for (let i = 0; i < 300; i++) {
      const at = rand(valid.length);
      const mutated = valid.slice(0, at) + chars[rand(chars.length)] + valid.slice(at + 1 + rand(3));
      const d = decodeLabUrl(mutated);
      expect(() => parseSweep(d.sweep)).not.toThrow();
    }
  });
});
