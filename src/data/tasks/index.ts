// The task registry: one line per task, and which corpus files each needs.
import { documentsOf, documentText, imdbRecords, type Corpus } from '../corpus';
import type { DataFileName } from '../manifest';
import { makeAddRTask } from './addr';
import { makeDomainTask } from './domain';
import { makeKvTask } from './kv';
import { makePigLatinTask } from './piglatin';
import { makeSentTask } from './sent';
import type { AnyTask, TaskName } from './types';

export * from './types';
export { makeAddRTask, addrExample, addrAnswer } from './addr';
export { makeKvTask, kvExample } from './kv';
export { makeSentTask, sentExample, SENT_CHOICES } from './sent';
export { makeDomainTask, evaluateDomain } from './domain';
export { makePigLatinTask, pigLatinWord, pigLatinExample } from './piglatin';
export { encodeExample, encodeExampleBatch, fitPrompt, ExampleSampler } from './format';
export { ROW_MULTIPLE, rowTokens, taskRowLength } from './rows';
export * from './evaluate';

export const TASK_NAMES: readonly TaskName[] = ['ADD-R', 'KV', 'SENT', 'DOMAIN', 'PIGLATIN'];

export interface TaskConfig {
  seed: number;
  /** Training examples; for DOMAIN, training characters. */
  trainSize: number;
  /** Test examples (DOMAIN: unused, its test set is the domain-test file). */
  testSize: number;
}

/** Corpus files a task needs loaded (none for the generated tasks). */
export const TASK_FILES: Record<TaskName, readonly DataFileName[]> = {
  'ADD-R': [],
  KV: [],
  SENT: ['imdb-tails', 'imdb-labels'],
  DOMAIN: ['domain-train', 'domain-test', 'validation'],
  PIGLATIN: ['train'],
};

export function makeTask(name: TaskName, corpus: Corpus, config: TaskConfig): AnyTask {
  switch (name) {
    case 'ADD-R':
      return makeAddRTask(config);
    case 'KV':
      return makeKvTask(config);
    case 'SENT':
      return makeSentTask(imdbRecords(corpus), corpus.manifest.imdb.sentPool, config);
    case 'DOMAIN':
      return makeDomainTask(corpus, { seed: config.seed, trainChars: config.trainSize });
    case 'PIGLATIN':
      return makePigLatinTask({ ...config, documents: documentsOf(corpus, 'train').map(documentText) });
  }
}
