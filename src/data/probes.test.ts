import { beforeAll, describe, expect, it } from 'vitest';
import { builtCorpus } from './corpus.fixture';
import { documentsOf, documentText, imdbRecords, type Corpus } from './corpus';
import { makeGenreProbe, makeSentimentProbe, type ProbeSet } from './probes';

let corpus: Corpus;
beforeAll(async () => {
  corpus = await builtCorpus(['probe-brown', 'imdb-tails', 'imdb-labels']);
});

function classCounts(labels: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

function expectBalancedAndDisjoint(probe: ProbeSet): void {
  for (const split of [probe.train, probe.test]) {
    expect(split.texts.length).toBe(split.labels.length);
    const counts = classCounts(split.labels, probe.classes.length);
    expect(new Set(counts).size, `class counts ${counts}`).toBe(1);
    expect(counts[0]).toBeGreaterThan(100);
  }
  const trainTexts = new Set(probe.train.texts);
  expect(probe.test.texts.filter((t) => trainTexts.has(t))).toEqual([]);
}

describe('sentiment probe', () => {
  it('is balanced, disjoint, drawn from the probe pool only, and seeded', () => {
    const probe = makeSentimentProbe(corpus, { seed: 1 });
    expect(probe.classes).toEqual(['negative', 'positive']);
    expectBalancedAndDisjoint(probe);
    expect(probe.train.texts.every((t) => t.length <= 128)).toBe(true);
    const { tails } = imdbRecords(corpus);
    const sentPoolTails = new Set(tails.slice(...corpus.manifest.imdb.sentPool).map((t) => t.slice(-128)));
    expect(probe.train.texts.filter((t) => sentPoolTails.has(t))).toEqual([]);
    expect(makeSentimentProbe(corpus, { seed: 1 })).toEqual(probe);
    expect(makeSentimentProbe(corpus, { seed: 2 }).test.texts).not.toEqual(probe.test.texts);
    expect(makeSentimentProbe(corpus, { seed: 1, perClassTrain: 50 }).train.texts.length).toBe(100);
  });
});

describe('genre probe', () => {
  it('has 4 balanced super-genres whose train and test chunks come from different held-out files', () => {
    const probe = makeGenreProbe(corpus, { seed: 1, chars: 128 });
    expect(probe.classes).toEqual(['press', 'nonfiction', 'learned', 'fiction']);
    expectBalancedAndDisjoint(probe);
    expect(probe.test.texts.every((t) => t.length === 128)).toBe(true);
    const fileOf = new Map<string, string>();
    for (const doc of documentsOf(corpus, 'probe-brown')) {
      const text = documentText(doc);
      for (let at = 0; at + 128 <= text.length; at += 128) fileOf.set(text.slice(at, at + 128), doc.entry.id);
    }
    const trainFiles = new Set(probe.train.texts.map((t) => fileOf.get(t)));
    // Each chunk's group is its file, so the probe's cross-validation can keep a file in one fold.
    const fileOfGroup = new Map<number, string | undefined>();
    probe.train.texts.forEach((t, i) => {
      const file = fileOf.get(t);
      expect(fileOfGroup.get(probe.train.groups[i]) ?? file).toBe(file);
      fileOfGroup.set(probe.train.groups[i], file);
    });
    expect(fileOfGroup.size).toBe(trainFiles.size);
    const testFiles = new Set(probe.test.texts.map((t) => fileOf.get(t)));
    expect(trainFiles.has(undefined)).toBe(false);
    expect([...testFiles].filter((f) => trainFiles.has(f))).toEqual([]);
    expect(makeGenreProbe(corpus, { seed: 1, chars: 128 })).toEqual(probe);
    expect(makeGenreProbe(corpus, { seed: 2, chars: 128 }).test.texts).not.toEqual(probe.test.texts);
  });
});
