// DOMAIN's chunk selection reaches the characters it promises, also when it draws the stream's short last chunk.
import { describe, expect, it } from 'vitest';
import { builtCorpus } from '../corpus.fixture';
import { DOC_SEPARATOR } from '../manifest';
import { seededPermutation } from '../sampler';
import { deriveSeed } from './common';
import { DOMAIN_CHUNK_CHARS, makeDomainTask, selectChunks } from './domain';

/** The selection as it was before the fix: ceil(chars / 4096) chunks, whatever their length. */
function formerChunks(length: number, chars: number, seed: number): number[] {
  const count = Math.ceil(length / DOMAIN_CHUNK_CHARS);
  return Array.from(seededPermutation(count, seed).subarray(0, Math.ceil(chars / DOMAIN_CHUNK_CHARS))).sort((a, b) => a - b);
}

/** Chunk indices of a selection from a stream whose chunk c holds the letter 65 + c only. */
function chunksOf(selection: Uint8Array): number[] {
  return new TextDecoder().decode(selection).split(DOC_SEPARATOR).map((part) => part.charCodeAt(0) - 65);
}

describe('DOMAIN chunk selection', () => {
  // Five full chunks and a 100-character last one.
  const tokens = Uint8Array.from({ length: 5 * DOMAIN_CHUNK_CHARS + 100 }, (_, i) => 65 + Math.floor(i / DOMAIN_CHUNK_CHARS));
  const shortChunk = 5;

  it('keeps taking chunks until it holds `chars` characters when it draws the short last chunk', () => {
    const seed = [...Array(200).keys()].find((s) => seededPermutation(6, s)[0] === shortChunk)!;
    expect(seed).toBeDefined();
    expect(formerChunks(tokens.length, 200, seed)).toEqual([shortChunk]); // 100 characters: short of 200
    const selection = selectChunks(tokens, 200, seed);
    expect(selection.length).toBeGreaterThanOrEqual(200);
    expect(chunksOf(selection)).toEqual([seededPermutation(6, seed)[1], shortChunk].sort((a, b) => a - b));
  });

  it('reaches `chars` for every seed and size, and keeps every selection that already did', () => {
    for (let seed = 0; seed < 100; seed++) {
      for (const chars of [1, 4096, 4097, 8192, 9000, 4 * 4096 + 50]) {
        const selection = selectChunks(tokens, chars, seed);
        const content = chunksOf(selection).reduce((n, c) => n + (c === shortChunk ? 100 : DOMAIN_CHUNK_CHARS), 0);
        expect(content).toBeGreaterThanOrEqual(chars);
        const former = formerChunks(tokens.length, chars, seed);
        if (former.reduce((n, c) => n + (c === shortChunk ? 100 : DOMAIN_CHUNK_CHARS), 0) >= chars) expect(chunksOf(selection)).toEqual(former);
      }
    }
  });

  it('gives seed 46 at 2,049 characters enough text for a fine-tuning batch of 16 windows (was 1,495 characters)', async () => {
    const corpus = await builtCorpus(['domain-train', 'domain-test', 'validation']);
    const full = corpus.files['domain-train']!;
    expect(full.length % DOMAIN_CHUNK_CHARS).toBe(1495);
    for (const trainChars of [2049, 4096]) {
      const task = makeDomainTask(corpus, { seed: 46, trainChars });
      expect(task.train.length).toBeGreaterThanOrEqual(trainChars);
      expect(Math.floor((task.train.length - 1) / 128)).toBeGreaterThanOrEqual(16);
      expect(task.train).toEqual(selectChunks(full, trainChars, deriveSeed(46, 'DOMAIN/train')));
    }
  });
});
