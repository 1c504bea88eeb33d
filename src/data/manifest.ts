// The corpus manifest (public/data/manifest.json), written by tools/data and checked wherever it is read.
// It lists every data file with its size and sha256, the documents inside each file (id, source, byte
// range), the split lists, the sources with their licences, and the vocabulary the files are encoded in.
import { z } from 'zod';

export const MANIFEST_FORMAT = 1;
export const MANIFEST_NAME = 'manifest.json';

/** Every data file the build writes, `<name>.bin` next to the manifest. */
export const DATA_FILE_NAMES = [
  'train', // pretraining text (Uint8 token ids, documents joined by DOC_SEPARATOR)
  'validation', // held-out pretraining text from the same sources: base validation loss, train/val gap
  'domain-train', // DOMAIN task: verse and drama never in pretraining, fine-tuning text
  'domain-test', // DOMAIN task: other verse and drama documents, evaluation text
  'probe-brown', // Brown files held out of pretraining for the genre probe
  'imdb-tails', // IMDB review tails, one per line (SENT task and sentiment probe)
  'imdb-labels', // one byte per IMDB tail: 0 negative, 1 positive
] as const;
export type DataFileName = (typeof DATA_FILE_NAMES)[number];

/** Text files (token streams made of documents); the rest are record files. */
export const TEXT_FILE_NAMES = ['train', 'validation', 'domain-train', 'domain-test', 'probe-brown'] as const;
export type TextFileName = (typeof TEXT_FILE_NAMES)[number];

export const SOURCE_IDS = ['gutenberg', 'sotu', 'brown', 'imdb'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

/** Documents inside a text file are joined by this (a blank line). */
export const DOC_SEPARATOR = '\n\n';

const count = z.number().int().nonnegative();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const DocEntrySchema = z.object({
  id: z.string().min(1), // "<source>/<name>", e.g. "brown/ca01", "gutenberg/austen-emma"
  source: z.enum(SOURCE_IDS),
  offset: count, // byte offset of the document's first token in its file
  length: count, // tokens
  genre: z.string().optional(), // Brown only: the genre letter's name, e.g. "news"
});
export type DocEntry = z.infer<typeof DocEntrySchema>;

export const FileEntrySchema = z.object({
  path: z.string().min(1), // relative to the manifest
  bytes: count,
  sha256: sha256Hex,
  docs: z.array(DocEntrySchema).optional(), // text files only
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

export const SourceEntrySchema = z.object({
  id: z.enum(SOURCE_IDS),
  package: z.string(),
  version: z.string(),
  licence: z.string(),
  description: z.string(),
  documents: count,
  chars: count, // after cleaning
  mappedChars: count, // replaced through the typographic table (curly quotes, dashes, ...)
  droppedChars: count, // dropped after NFKD (accents, degree signs, ...)
  droppedTop: z.record(z.string(), count), // the most frequent dropped characters
});
export type SourceEntry = z.infer<typeof SourceEntrySchema>;

export const ImdbEntrySchema = z.object({
  records: count,
  positive: count,
  negative: count,
  duplicatesDropped: count,
  tailChars: count,
  /** Record ranges [start, end): SENT draws only from `sentPool`, the sentiment probe only from `probePool`. */
  sentPool: z.tuple([count, count]),
  probePool: z.tuple([count, count]),
});
export type ImdbEntry = z.infer<typeof ImdbEntrySchema>;

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  inputsHash: sha256Hex, // of the source packages' versions and the build code: the build skips when it matches
  splitSeed: z.number().int(),
  vocab: z.object({
    size: z.literal(128),
    padId: z.literal(0),
    unkId: z.literal(26),
    text: z.string(),
  }),
  docSeparator: z.literal(DOC_SEPARATOR),
  sources: z.array(SourceEntrySchema),
  files: z.object(
    Object.fromEntries(DATA_FILE_NAMES.map((name) => [name, FileEntrySchema])) as Record<DataFileName, typeof FileEntrySchema>,
  ),
  splits: z.object({
    train: z.array(z.string()),
    validation: z.array(z.string()),
    domainTrain: z.array(z.string()),
    domainTest: z.array(z.string()),
    probeBrown: z.array(z.string()),
  }),
  /** DOMAIN task: which documents, and why. */
  domain: z.object({ description: z.string() }),
  /** Genre probe classes: super-genre name -> Brown genre names. */
  brownSuperGenres: z.record(z.string(), z.array(z.string())),
  imdb: ImdbEntrySchema,
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Parses and checks a manifest; `where` names it in the error (a path or URL). */
export function parseManifest(json: unknown, where: string): Manifest {
  const result = ManifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Data manifest ${where} is invalid (${issue.path.join('.') || 'root'}: ${issue.message}). ` +
        'Rebuild the corpus with `npm run data`.',
    );
  }
  return result.data;
}
