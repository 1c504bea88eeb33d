// The corpus build: idempotent, deterministic, and its cleaning steps.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILE_NAMES } from '../../src/data/manifest';
import { brownToText, detokenize, stripTag, superGenreOf } from './brown';
import { buildData, DEFAULT_OUT_DIR } from './build';
import { cutGutenbergTrailer, tidyDocument } from './sources';
import { reviewTail } from './imdb';
import { newNormalizeStats } from '../../src/data/normalize';

describe('buildData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plasticity-build-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds in seconds, skips when up to date, rebuilds a damaged file, and is deterministic', async () => {
    const first = await buildData({ outDir: dir });
    expect(first.skipped).toBe(false);
    expect(first.ms).toBeLessThan(30_000);
    const mtime = statSync(join(dir, 'train.bin')).mtimeMs;

    const second = await buildData({ outDir: dir });
    expect(second.skipped).toBe(true);
    expect(second.ms).toBeLessThan(2_000);
    expect(statSync(join(dir, 'train.bin')).mtimeMs).toBe(mtime);

    writeFileSync(join(dir, 'imdb-labels.bin'), 'x');
    const third = await buildData({ outDir: dir });
    expect(third.skipped).toBe(false);
    expect(third.manifest).toEqual(first.manifest);

    const shipped = await buildData(); // public/data, as `npm run data` builds it
    for (const name of DATA_FILE_NAMES) {
      expect(readFileSync(join(dir, `${name}.bin`)).equals(readFileSync(join(DEFAULT_OUT_DIR, `${name}.bin`))), name).toBe(true);
    }
    expect(shipped.manifest).toEqual(first.manifest);
  });

  it('records sources with licences and sizes that add up', async () => {
    const { manifest } = await buildData({ outDir: dir });
    expect(manifest.sources.map((s) => s.id)).toEqual(['gutenberg', 'sotu', 'brown', 'imdb']);
    for (const source of manifest.sources) expect(source.licence.length).toBeGreaterThan(10);
    const textBytes = (['train', 'validation', 'domain-train', 'domain-test', 'probe-brown'] as const)
      .map((name) => manifest.files[name].docs!.reduce((n, d) => n + d.length, 0))
      .reduce((a, b) => a + b, 0);
    const sourceChars = manifest.sources.filter((s) => s.id !== 'imdb').reduce((n, s) => n + s.chars, 0);
    expect(textBytes).toBe(sourceChars);
    expect(manifest.files.train.bytes).toBeGreaterThan(20_000_000);
  });
});

describe('cleaning', () => {
  it('strips Brown tags and restores natural spacing', () => {
    expect(stripTag('Fulton/np-tl')).toBe('Fulton');
    expect(stripTag('1/2/cd')).toBe('1/2');
    expect(detokenize(['He', 'said', ',', '``', 'no', 'evidence', "''", '(', 'none', ')', '.'])).toBe('He said, "no evidence" (none).');
    const raw = '\n\n\tThe/at Fulton/np-tl jury/nn said/vbd ./.\nIt/pps agreed/vbd ./.\n\n\n\tNext/ap para/nn ./.\n';
    expect(brownToText(raw)).toBe('The Fulton jury said. It agreed.\nNext para.');
    expect(superGenreOf('mystery')).toBe('fiction');
  });

  it('cuts the Project Gutenberg licence trailer', () => {
    const book = 'last line of the story.\n\nEnd of Project Gutenberg\'s Book\n\n*** END OF THE PROJECT GUTENBERG EBOOK ***\nlicence';
    expect(tidyDocument(cutGutenbergTrailer(book))).toBe('last line of the story.');
    expect(cutGutenbergTrailer('no trailer here')).toBe('no trailer here');
  });

  it('takes the cleaned last 200 characters of an IMDB review', () => {
    const review = 'x'.repeat(300) + ' Great<br /><br />film \u0096 really.';
    const tail = reviewTail(review, newNormalizeStats());
    expect(tail.length).toBe(200);
    expect(tail.endsWith('xxx Great film - really.')).toBe(true);
    expect(reviewTail('Short.<br />Fine.', newNormalizeStats())).toBe('Short. Fine.');
  });
});
