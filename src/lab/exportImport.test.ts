import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { csvField, csvTablesZip, downloadBlob, DOWNLOAD_URL_LIFETIME_MS, exportCsvTables, exportFileName, exportResultsJson, importResultsJson, ImportError, plasticityCsv, runsCsv, toCsv } from './exportImport';
import { makeResults } from './persist/fixture';
import { parseResults, resultsToJson } from './results';
import { defaultSweep } from './sweep';
import { chartLambdas, lambdaAxis, plasticityView } from '../ui/charts/data';

/** RFC 4180 reader (test only): quoted fields, doubled quotes, CRLF rows. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted) field += c;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  return rows;
}

describe('results JSON export and import', () => {
  const results = makeResults(defaultSweep('lab'), 9);

  it('round-trips: what is exported imports again (non-finite numbers as null)', () => {
    const text = exportResultsJson(results);
    expect(importResultsJson(text, 'r.json')).toEqual(parseResults(JSON.parse(resultsToJson(results))));
    expect(exportFileName(results, '.json')).toBe('plasticity-lab-lab-2026-11-26.json');
  });

  const bad: [string, string, RegExp][] = [
    ['empty file', '  ', /x\.json is empty/],
    ['not JSON', '{"kind": ', /x\.json is not JSON/],
    ['not an object', '[1, 2]', /expected a JSON object/],
    ['another kind of file', '{"kind": "other"}', /not a Plasticity Lab results file \(kind: "other"\)/],
    ['a sweep definition', JSON.stringify(defaultSweep()), /kind: missing; it looks like a sweep definition/],
  ];
  it.each(bad)('%s gives a clear error', (_name, text, message) => {
    expect(() => importResultsJson(text, 'x.json')).toThrow(ImportError);
    expect(() => importResultsJson(text, 'x.json')).toThrow(message);
  });

  it('a bad field is named by its path', () => {
    const doc = JSON.parse(exportResultsJson(results));
    doc.runs[3].finetunes[1].score.metric = 'percent';
    doc.sweep.lambdas = [0, -1];
    const attempt = () => importResultsJson(JSON.stringify(doc), 'upload.json');
    expect(attempt).toThrow(/upload\.json is not a valid Plasticity Lab results file/);
    expect(attempt).toThrow(/runs\.3\.finetunes\.1\.score\.metric/);
    expect(attempt).toThrow(/sweep\.lambdas\.1/);
  });
});

describe('CSV tables', () => {
  const results = makeResults(defaultSweep('lab'), 9);

  it('fields with commas, quotes, line breaks are quoted; formulas are defused; missing numbers are empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-1.5)).toBe('-1.5');
    expect([csvField(NaN), csvField(Infinity), csvField(null), csvField(undefined)]).toEqual(['', '', '', '']);
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('runs: one row per run, every row as wide as the header, awkward text survives a CSV reader', () => {
    const tricky = { ...results, runs: results.runs.map((r, i) => (i === 2 ? { ...r, status: 'failed' as const, error: 'loss "exploded", step 3\r\nat lr 0.003' } : r)) };
    const rows = readCsv(runsCsv(tricky));
    expect(rows).toHaveLength(1 + 15);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
    const header = rows[0];
    expect(header.slice(0, 3)).toEqual(['run', 'lambda', 'seed']);
    expect(header).toContain('ADD-R_score');
    expect(rows[3][header.indexOf('error')]).toBe('loss "exploded", step 3\r\nat lr 0.003');
    expect(rows[1][header.indexOf('tau_over_T')]).toBe(''); // Infinity at lambda 0
    expect(Number(rows[1][header.indexOf('val_bpc')])).toBe(results.runs[0].base!.valBitsPerChar);
  });

  it('plasticity: per lambda and quantity, summarized across the 3 seeds', () => {
    const rows = readCsv(plasticityCsv(results));
    const header = rows[0];
    expect(header).toEqual(['lambda', 'quantity', 'task', 'metric', 'n', 'mean', 'std', 'ci95_lo', 'ci95_hi']);
    // 5 lambdas x (base bpc, gap, 4 tasks x (score, gain), answer NLL for the 2 exact-match tasks)
    expect(rows).toHaveLength(1 + 5 * (2 + 4 * 2 + 2));
    const row = rows.find((r) => r[0] === '0.3' && r[1] === 'score' && r[2] === 'KV')!;
    const values = results.runs.filter((r) => r.lambda === 0.3).map((r) => r.finetunes.find((f) => f.task === 'KV')!.score.value!);
    expect(row[4]).toBe('3');
    expect(Number(row[5])).toBeCloseTo(values.reduce((a, b) => a + b) / 3, 12);
    expect(Number(row[7])).toBeLessThan(Number(row[5]));
  });

  it('plasticity counts what the charts count: finished fine-tunes whatever the run status, one per lambda and seed', () => {
    const runs = structuredClone(results.runs);
    const at = (lambda: number, seed: number) => runs.findIndex((r) => r.lambda === lambda && r.seed === seed);
    runs[at(0.3, 0)].status = 'failed'; // stopped later: its finished fine-tunes still count
    const kv = runs[at(0.3, 1)].finetunes.find((f) => f.task === 'KV')!;
    Object.assign(kv, { status: 'diverged', score: { ...kv.score, value: 0.99 } }); // diverged: left out, even with a value
    runs.push({ ...structuredClone(runs[at(0.3, 2)]), id: 'again' }); // a second run of (0.3, 2): not counted twice
    const mixed = { ...results, runs };
    const csv = readCsv(plasticityCsv(mixed));
    const cell = (quantity: string, task: string) => csv.find((r) => r[0] === '0.3' && r[1] === quantity && r[2] === task)!;
    const view = plasticityView(runs, lambdaAxis(chartLambdas(mixed)), 'KV', 'score')!;
    const chart = view.rows.find((r) => r.lambda === 0.3)!;
    expect(cell('score', 'KV')[4]).toBe(String(chart.n));
    expect(chart.n).toBe(2);
    expect(100 * Number(cell('score', 'KV')[5])).toBeCloseTo(chart.ft!, 10);
    expect(cell('score', 'ADD-R')[4]).toBe('3');
    expect(cell('base_val_bpc', '')[4]).toBe('4'); // base values: every run that has one, as the charts' right axis
  });

  it('probes and spectra: one row per probe and per head', () => {
    const tables = exportCsvTables(results);
    expect(Object.keys(tables)).toEqual(['runs', 'plasticity', 'probes', 'spectra']);
    expect(readCsv(tables.probes)).toHaveLength(1 + 15 * 2 * 3 * 2); // probes x (embeddings + 2 layers) x poolings
    const spectra = readCsv(tables.spectra);
    expect(spectra).toHaveLength(1 + 15 * 2 * 4); // layers x heads
    expect(spectra[0]).toContain('qk_pseudo_rank2');
  });

  it('"Export CSV tables" is one zip holding the four tables, named after the sweep', () => {
    const files = unzipSync(csvTablesZip(results));
    const stem = exportFileName(results, '');
    expect(Object.keys(files)).toEqual(['runs', 'plasticity', 'probes', 'spectra'].map((t) => `${stem}-${t}.csv`));
    const tables = exportCsvTables(results);
    for (const [name, text] of Object.entries(tables)) expect(strFromU8(files[`${stem}-${name}.csv`]), name).toBe(text);
  });
});

describe('downloads', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('start one download and revoke its URL only after the browser has had time to read it', () => {
    vi.useFakeTimers();
    const clicked: { href: string; download: string }[] = [];
    const anchor = { href: '', download: '', click: () => clicked.push({ href: anchor.href, download: anchor.download }), remove: () => {} };
    vi.stubGlobal('document', { createElement: () => anchor, body: { append: () => {} } });
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:tables');
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    downloadBlob('t.zip', new Blob(['zip bytes']));
    expect(clicked).toEqual([{ href: 'blob:tables', download: 't.zip' }]);
    vi.advanceTimersByTime(DOWNLOAD_URL_LIFETIME_MS - 1);
    expect(revoke).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(revoke).toHaveBeenCalledWith('blob:tables');
  });
});
