// Text normalization to the vocabulary's text set (printable ASCII + newline). Used by the corpus build
// (tools/data) and by anything that turns outside text into prompts, so both agree exactly.
//   1. CRLF and CR -> LF; tab and unicode spaces -> space.
//   2. An explicit table maps typographic characters to ASCII: curly quotes, primes, dashes (em dash -> "--",
//      the Gutenberg convention), ellipsis, bullets, fraction slash, letters NFKD keeps whole (ae, oe, ss,
//      o-slash), and Windows-1252 punctuation that arrived as C1 control codes.
//   3. Anything else non-ASCII goes through NFKD (e -> e + combining accent, ligatures -> letters); what is
//      still outside the text set afterwards (accents, degree signs, control characters) is dropped and counted.

export interface NormalizeStats {
  /** Characters replaced through the explicit table. */
  mapped: number;
  /** Characters dropped (after NFKD), by character, e.g. { '\u0301': 12, '\u00b0': 3 }. */
  dropped: Record<string, number>;
}

export function newNormalizeStats(): NormalizeStats {
  return { mapped: 0, dropped: {} };
}

export function droppedTotal(stats: NormalizeStats): number {
  return Object.values(stats.dropped).reduce((a, b) => a + b, 0);
}

const ASCII_MAP: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u00b4': "'", '\u02bc': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2212': '-', '\u00ad': '',
  '\u2014': '--', '\u2015': '--',
  '\u2026': '...', '\u2022': '*', '\u00b7': '*', '\u2044': '/',
  '\u00e6': 'ae', '\u00c6': 'AE', '\u0153': 'oe', '\u0152': 'OE', '\u00df': 'ss', '\u00f8': 'o', '\u00d8': 'O',
  '\t': ' ', '\u00a0': ' ', '\u2007': ' ', '\u2009': ' ', '\u200a': ' ', '\u202f': ' ', '\u3000': ' ',
  '\u200b': '', '\ufeff': '',
  // Windows-1252 punctuation that reached Unicode as C1 control codes (common in the IMDB reviews)
  '\u0091': "'", '\u0092': "'", '\u0093': '"', '\u0094': '"', '\u0096': '-', '\u0097': '--', '\u0085': '...',
};

function isTextCode(code: number): boolean {
  return code === 10 || (code >= 32 && code <= 126);
}

function normalizeChar(ch: string, stats: NormalizeStats): string {
  const mapped = ASCII_MAP[ch];
  if (mapped !== undefined) {
    stats.mapped++;
    return mapped;
  }
  let out = '';
  for (const part of ch.normalize('NFKD')) {
    if (part.length === 1 && isTextCode(part.charCodeAt(0))) out += part;
    else if (ASCII_MAP[part] !== undefined) out += ASCII_MAP[part]; // e.g. the fraction slash inside NFKD(1/2)
    else stats.dropped[part] = (stats.dropped[part] ?? 0) + 1;
  }
  return out;
}

/** Normalizes `text` to printable ASCII + newline; `stats` accumulates what was mapped and dropped. */
export function normalizeText(text: string, stats: NormalizeStats = newNormalizeStats()): string {
  const unixText = text.replace(/\r\n?/g, '\n');
  let out = '';
  let runStart = 0;
  for (let i = 0; i < unixText.length; i++) {
    if (isTextCode(unixText.charCodeAt(i))) continue;
    out += unixText.slice(runStart, i);
    let ch = unixText[i];
    if (ch >= '\ud800' && ch <= '\udbff' && i + 1 < unixText.length) ch += unixText[++i];
    out += normalizeChar(ch, stats);
    runStart = i + 1;
  }
  return out + unixText.slice(runStart);
}
