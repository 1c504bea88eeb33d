// DOMAIN: continued pretraining on text held out of pretraining and from another domain (verse and drama;
// see the manifest's `domain.description`), then
//   bits per character on the domain's test documents (teacher forced, fixed evenly spaced windows), and
//   forgetting = pretraining validation bits/char after fine-tuning minus before.
// trainChars sets the fine-tuning set's size: a seeded choice of 4,096-character chunks of domain-train
// holding at least trainChars characters, kept in file order and joined by the document separator (all of it
// when trainChars covers the file).
import { requireFile, type Corpus } from '../corpus';
import { DOC_SEPARATOR } from '../manifest';
import { seededPermutation } from '../sampler';
import { encode } from '../tokenizer';
import { checkSize, deriveSeed } from './common';
import { evaluateBitsPerChar } from './evaluate';
import type { DomainTask, WindowNllFn } from './types';

export const DOMAIN_CHUNK_CHARS = 4096;

export interface DomainOptions {
  seed: number;
  /** Characters of domain text to fine-tune on (default: all of domain-train). */
  trainChars?: number;
}

/**
 * A seeded selection of whole chunks totalling at least `chars` tokens (or the whole stream): chunks are taken
 * in a seeded order until their characters reach `chars`, then joined in file order. The stream's last chunk is
 * usually short (domain-train's is 1,495 characters), so when it is drawn one chunk more than
 * ceil(chars / 4096) may be needed; every selection that already reached `chars` is the one it always was.
 */
export function selectChunks(tokens: Uint8Array, chars: number, seed: number): Uint8Array {
  if (chars >= tokens.length) return tokens;
  const chunkCount = Math.ceil(tokens.length / DOMAIN_CHUNK_CHARS);
  const order = seededPermutation(chunkCount, seed);
  const picked: number[] = [];
  for (let total = 0; total < chars; ) {
    const c = order[picked.length];
    picked.push(c);
    total += Math.min(tokens.length, (c + 1) * DOMAIN_CHUNK_CHARS) - c * DOMAIN_CHUNK_CHARS;
  }
  const chosen = picked.sort((a, b) => a - b);
  const separator = encode(DOC_SEPARATOR);
  const parts = chosen.map((c) => tokens.subarray(c * DOMAIN_CHUNK_CHARS, (c + 1) * DOMAIN_CHUNK_CHARS));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + separator.length * (parts.length - 1));
  let offset = 0;
  parts.forEach((part, i) => {
    if (i > 0) {
      out.set(separator, offset);
      offset += separator.length;
    }
    out.set(part, offset);
    offset += part.length;
  });
  return out;
}

/** DOMAIN from a corpus loaded with domain-train, domain-test and validation. */
export function makeDomainTask(corpus: Corpus, options: DomainOptions): DomainTask {
  const full = requireFile(corpus, 'domain-train');
  const trainChars = options.trainChars ?? full.length;
  checkSize('DOMAIN trainChars', trainChars);
  return {
    name: 'DOMAIN',
    train: selectChunks(full, trainChars, deriveSeed(options.seed, 'DOMAIN/train')),
    test: requireFile(corpus, 'domain-test'),
    validation: requireFile(corpus, 'validation'),
  };
}

export interface DomainEvalOptions {
  seqLen: number;
  /** Windows per stream (default 256, i.e. 32K characters at T 128). */
  maxWindows?: number;
  batchSize?: number;
  /** Validation bits/char of the model before fine-tuning; omit to get forgetting = NaN. */
  validationBitsBefore?: number;
}

export interface DomainResult {
  domainBitsPerChar: number;
  validationBitsPerChar: number;
  /** validationBitsPerChar - validationBitsBefore: how much pretraining loss the fine-tune cost. */
  forgetting: number;
}

export async function evaluateDomain(task: DomainTask, windowNll: WindowNllFn, options: DomainEvalOptions): Promise<DomainResult> {
  const windows = { maxWindows: options.maxWindows ?? 256, batchSize: options.batchSize };
  const domain = await evaluateBitsPerChar(task.test, options.seqLen, windowNll, windows);
  const validation = await evaluateBitsPerChar(task.validation, options.seqLen, windowNll, windows);
  return {
    domainBitsPerChar: domain.bitsPerChar,
    validationBitsPerChar: validation.bitsPerChar,
    forgetting: validation.bitsPerChar - (options.validationBitsBefore ?? Number.NaN),
  };
}
