import { describe, expect, it } from 'vitest';
import { newNormalizeStats, normalizeText, droppedTotal } from './normalize';
import { assertTokenRange, decode, encode, isTextId, PAD_ID, UNK_CHAR, UNK_ID, VOCAB_SIZE } from './tokenizer';

describe('tokenizer', () => {
  it('round-trips every text character', () => {
    let all = '\n';
    for (let c = 32; c <= 126; c++) all += String.fromCharCode(c);
    const ids = encode(all);
    expect(ids.length).toBe(96);
    expect(Array.from(ids)).toEqual(Array.from(all, (ch) => ch.charCodeAt(0)));
    expect(decode(ids)).toBe(all);
    expect(decode(encode('347+125=274\nHello, "world"!'))).toBe('347+125=274\nHello, "world"!');
  });

  it('has 128 ids with 96 of them text and PAD/UNK outside the text set', () => {
    expect(VOCAB_SIZE).toBe(128);
    const textIds = Array.from({ length: VOCAB_SIZE }, (_, i) => i).filter(isTextId);
    expect(textIds.length).toBe(96);
    expect(isTextId(PAD_ID)).toBe(false);
    expect(isTextId(UNK_ID)).toBe(false);
  });

  it('maps characters outside the vocabulary to UNK and counts them (a surrogate pair is one character)', () => {
    const stats = { chars: 0, unknown: 0 };
    const ids = encode('caf\u00e9\t\u{1F600}!', stats);
    expect(Array.from(ids)).toEqual([99, 97, 102, UNK_ID, UNK_ID, UNK_ID, 33]);
    expect(stats).toEqual({ chars: 7, unknown: 3 });
    expect(decode(ids)).toBe(`caf${UNK_CHAR}${UNK_CHAR}${UNK_CHAR}!`);
  });

  it('decodes PAD to nothing and rejects ids that are neither text nor PAD/UNK', () => {
    expect(decode([104, 105, PAD_ID, PAD_ID])).toBe('hi');
    expect(() => decode([104, 7])).toThrow(/token id 7 at position 1/);
    expect(() => assertTokenRange([1, 128], 'batch')).toThrow(/batch: token id 128 at position 1/);
    expect(() => assertTokenRange(new Uint8Array([0, 127]), 'batch')).not.toThrow();
  });
});

describe('normalizeText', () => {
  it('maps typographic punctuation to ASCII and counts the mapping', () => {
    const stats = newNormalizeStats();
    const out = normalizeText('\u201cIt\u2019s\u201d \u2014 a 1\u20132 win\u2026\r\nnext\ttab', stats);
    expect(out).toBe('"It\'s" -- a 1-2 win...\nnext tab');
    expect(stats.mapped).toBe(7);
    expect(droppedTotal(stats)).toBe(0);
  });

  it('decomposes accents (NFKD) and drops what is left, counting each dropped character', () => {
    const stats = newNormalizeStats();
    expect(normalizeText('caf\u00e9 \uFB01ne 54\u00b0 na\u00efve \u00e6on \u00bd', stats)).toBe('cafe fine 54 naive aeon 1/2');
    expect(stats.dropped).toEqual({ '\u0301': 1, '\u00b0': 1, '\u0308': 1 });
    expect(droppedTotal(stats)).toBe(3);
  });

  it('maps Windows-1252 punctuation that arrived as C1 control codes', () => {
    expect(normalizeText('a\u0096b\u0085 \u0091q\u0092')).toBe("a-b... 'q'");
  });

  it('output only ever contains vocabulary text', () => {
    const stats = { chars: 0, unknown: 0 };
    encode(normalizeText('\u0000\u0002\u001a\u00a0\u3000\u{1F600}\u2603z\u00bd'), stats);
    expect(stats.unknown).toBe(0);
  });
});
