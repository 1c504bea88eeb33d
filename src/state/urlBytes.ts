// Bytes for share URLs: base64url (RFC 4648 section 5, no padding) and deflate with a hard cap on the
// decompressed size, so a crafted link (a "zip bomb") cannot exhaust memory: fflate's streaming inflater is
// fed small chunks and stopped as soon as its output passes the cap.
import { deflateSync, Inflate } from 'fflate';

export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Strict: only the base64url alphabet, no padding, no impossible length. */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new PayloadError('the results data is cut off (its length is impossible for base64url)');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? LOOKUP[code] : -1;
    if (v < 0) throw new PayloadError(`the results data is not base64url (bad character "${text[i]}" at ${i})`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

export function deflate(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes, { level: 9 });
}

/** Input is fed in chunks this small: one chunk can expand at most ~1032x (deflate's limit), ~0.5 MB. */
const INFLATE_CHUNK = 512;

/** Raw inflate that stops with a PayloadError once the output would pass maxBytes. */
export function inflateBounded(data: Uint8Array, maxBytes: number): Uint8Array {
  if (data.length === 0) throw new PayloadError('the results data is empty');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new PayloadError(`the results data expands to more than ${(maxBytes / 2 ** 20).toFixed(1)} MB; refusing to read it`);
    chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length; i += INFLATE_CHUNK) inflater.push(data.subarray(i, i + INFLATE_CHUNK), i + INFLATE_CHUNK >= data.length);
  } catch (error) {
    if (error instanceof PayloadError) throw error;
    throw new PayloadError(`the results data is not valid deflate (${(error as Error).message ?? error})`);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** UTF-8 text from bytes; invalid sequences are an error, not replacement characters. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PayloadError('the results data is not UTF-8 text');
  }
}

/** FNV-1a, 32 bits, as 8 hex digits: a checksum binding a summary to its settings (not a security measure). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
