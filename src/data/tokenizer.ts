// Character-level tokenizer. Token ids are ASCII codes, so the vocabulary is 128 ids (already a multiple of
// 64). Only printable ASCII (32..126) and newline (10) are text; of the other codes, two are reserved:
//   PAD_ID = 0  (NUL): padding after a fine-tuning example; never a target (its loss mask is 0)
//   UNK_ID = 26 (SUB, ASCII's own "substitute character"): any character outside the text set
// encode() maps every character outside the text set to UNK_ID and counts it; the corpus build normalizes
// text first (normalize.ts), so the shipped corpus contains no UNK at all.

export const VOCAB_SIZE = 128;
export const PAD_ID = 0;
export const UNK_ID = 26;
export const NEWLINE_ID = 10;
/** What decode() prints for UNK_ID. */
export const UNK_CHAR = '\uFFFD';

/** True for the 96 ids that stand for text: newline and printable ASCII 32..126. */
export function isTextId(id: number): boolean {
  return id === NEWLINE_ID || (id >= 32 && id <= 126);
}

/** Counts kept by encode(): how many characters fell outside the vocabulary. */
export interface EncodeStats {
  chars: number;
  unknown: number;
}

/**
 * Text -> token ids (Uint8, one per character; a surrogate pair is one character). Characters outside the
 * text set become UNK_ID; `stats`, when given, accumulates their count.
 */
export function encode(text: string, stats?: EncodeStats): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  let unknown = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++; // surrogate pair: one character
    if (isTextId(code)) {
      out[n++] = code;
    } else {
      out[n++] = UNK_ID;
      unknown++;
    }
  }
  if (stats) {
    stats.chars += n;
    stats.unknown += unknown;
  }
  return n === out.length ? out : out.slice(0, n);
}

const latin1 = new TextDecoder('latin1'); // ids 0..127 are ASCII, which latin1 decodes unchanged

/** Token ids -> text. PAD_ID decodes to nothing, UNK_ID to UNK_CHAR; any other non-text id throws. */
export function decode(ids: ArrayLike<number>): string {
  let allText = true;
  for (let i = 0; i < ids.length && allText; i++) allText = isTextId(ids[i]);
  if (allText) return latin1.decode(ids instanceof Uint8Array ? ids : Uint8Array.from(ids));
  let s = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (isTextId(id)) s += String.fromCharCode(id);
    else if (id === UNK_ID) s += UNK_CHAR;
    else if (id !== PAD_ID) throw new RangeError(`decode: token id ${id} at position ${i} is not in the vocabulary`);
  }
  return s;
}

/** Throws, naming `where`, if any id is outside 0..VOCAB_SIZE-1 (a boundary check for engines). */
export function assertTokenRange(ids: ArrayLike<number>, where: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < VOCAB_SIZE && Number.isInteger(id))) {
      throw new RangeError(`${where}: token id ${id} at position ${i} is outside 0..${VOCAB_SIZE - 1}`);
    }
  }
}
