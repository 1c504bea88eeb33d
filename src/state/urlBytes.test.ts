import { describe, expect, it } from 'vitest';
import { deflate, fromBase64Url, inflateBounded, PayloadError, toBase64Url } from './urlBytes';
import { packNumbers, packSeries, unpackNumbers, unpackReviver } from './curvePack';

describe('share URL bytes', () => {
  it('base64url matches Node for every tail length and rejects anything else', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 255);
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    for (const bad of ['ab+c', 'ab/c', 'abc=', 'ab c', 'é', 'abcde']) expect(() => fromBase64Url(bad)).toThrow(PayloadError);
  });

  it('inflate stops at the cap instead of expanding a bomb', () => {
    const data = new Uint8Array(50_000).map((_, i) => i % 251);
    expect(inflateBounded(deflate(data), 50_000)).toEqual(data);
    expect(() => inflateBounded(deflate(data), 49_999)).toThrow(/expands to more than/);
    const bomb = deflate(new Uint8Array(64 * 2 ** 20)); // 64 MB of zeros in ~64 KB
    const started = performance.now();
    expect(() => inflateBounded(bomb, 2 ** 20)).toThrow(/more than 1\.0 MB/);
    expect(performance.now() - started).toBeLessThan(1000); // stopped early, not after inflating 64 MB
  });

  it('curves pack to quantized deltas and back; nulls and exact integers survive', () => {
    const y = [4.8123, 3.1, null, 2.2051, 2.2049];
    const packed = packNumbers(y, 3);
    expect(packed.e).toBe(-2);
    expect(unpackNumbers(packed)).toEqual([4.81, 3.1, null, 2.21, 2.2]);
    expect(unpackNumbers(packNumbers([0, 137, 274, 3965], 3))).toEqual([0, 137, 274, 3965]);
    const series = { x: [0, 8, 16], y: [1e-5, 2e-5, null] };
    expect(JSON.parse(JSON.stringify(packSeries(series, 3)), unpackReviver)).toEqual(series);
    expect(unpackReviver('', { e: 0.5, d: [1] })).toEqual({ e: 0.5, d: [1] }); // malformed: left for the schema
  });
});
