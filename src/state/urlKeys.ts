// The share URL's key table, version 1 (style.md 8, after TensorFlow Playground's State.PROPS): one row per
// sweep field and per single-run setting, each with a readable key. Rows never change meaning: a new
// meaning gets a new URL version with its own table and decoder (url.ts keeps every decoder).
import { TASKS, type SweepDefinition, type TaskName, type TaskSpec } from '../lab/sweep';
import type { SingleRunSettings } from './labModel';

/** A value the table cannot read: names the key and the text. */
export class UrlValueError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(key ? `${key}: ${message}` : message);
    this.name = 'UrlValueError';
  }
}

/** What a row reads into and writes from. */
export interface UrlDraft {
  sweep: SweepDefinition;
  singleRun: SingleRunSettings;
}

export interface UrlKey {
  key: string;
  /** The field it carries, as the schema names it (messages map schema paths back to keys). */
  field: string;
  write: (state: UrlDraft) => string;
  read: (text: string, draft: UrlDraft) => void;
}

const NUMBER_TEXT = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** A plain decimal number: no hex, no Infinity, no NaN, no empty string. */
export function parseUrlNumber(key: string, text: string): number {
  if (!NUMBER_TEXT.test(text)) throw new UrlValueError(key, `"${clip(text)}" is not a number`);
  return Number(text);
}

function parseUrlList(key: string, text: string): number[] {
  if (text === '') return [];
  return text.split(',').map((part) => parseUrlNumber(key, part));
}

/** Shortest text that reads back to the same number (String() round-trips every finite double). */
const formatNumber = (x: number): string => String(x);

export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Draft = UrlDraft;
const numberKey = (key: string, field: string, get: (d: Draft) => number, set: (d: Draft, v: number) => void): UrlKey => ({
  key,
  field,
  write: (d) => formatNumber(get(d)),
  read: (text, d) => set(d, parseUrlNumber(key, text)),
});

const listKey = (key: string, field: string, get: (d: Draft) => number[], set: (d: Draft, v: number[]) => void): UrlKey => ({
  key,
  field,
  write: (d) => get(d).map(formatNumber).join(','),
  read: (text, d) => set(d, parseUrlList(key, text)),
});

function oneOf<T extends string>(key: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UrlValueError(key, `unknown value "${clip(text)}" (known: ${allowed.join(', ')})`);
  return text as T;
}

/** budget=tpp:140 (tokens per parameter) or budget=steps:4000. */
const budgetKey: UrlKey = {
  key: 'budget',
  field: 'pretrain.budget',
  write: ({ sweep }) => `${sweep.pretrain.budget.kind === 'tokensPerParam' ? 'tpp' : 'steps'}:${formatNumber(sweep.pretrain.budget.value)}`,
  read: (text, d) => {
    const [kind, value, extra] = text.split(':');
    if (extra !== undefined || value === undefined) throw new UrlValueError('budget', `"${clip(text)}" is not tpp:N or steps:N`);
    const k = oneOf('budget', kind, ['tpp', 'steps'] as const);
    d.sweep.pretrain.budget = { kind: k === 'tpp' ? 'tokensPerParam' : 'steps', value: parseUrlNumber('budget', value) };
  },
};

/**
 * Sizes a bare task name stands for in v1 links, frozen here (not read from defaultSweep) so that an old
 * link means the same sweep after the defaults change.
 */
const V1_TASK_SIZES = new Map<string, TaskSpec>([
  ['ADD-R', { name: 'ADD-R', trainSize: 40_000, testSize: 500 }],
  ['KV', { name: 'KV', trainSize: 40_000, testSize: 500 }],
  ['SENT', { name: 'SENT', trainSize: 20_000, testSize: 1_000 }],
  ['DOMAIN', { name: 'DOMAIN', trainSize: 400_000, testSize: 100_000 }],
]);

/** tasks=ADD-R,KV,SENT,DOMAIN (V1_TASK_SIZES) or NAME:trainSize:testSize per task. */
const tasksKey: UrlKey = {
  key: 'tasks',
  field: 'tasks',
  write: ({ sweep }) =>
    sweep.tasks
      .map((t) => {
        const d = V1_TASK_SIZES.get(t.name);
        return d && d.trainSize === t.trainSize && d.testSize === t.testSize ? t.name : `${t.name}:${t.trainSize}:${t.testSize}`;
      })
      .join(','),
  read: (text, d) => {
    d.sweep.tasks = text === '' ? [] : text.split(',').map(readTask);
  },
};

function readTask(item: string): TaskSpec {
  const [name, train, test, extra] = item.split(':');
  const task: TaskName = oneOf('tasks', name, TASKS);
  if (train === undefined && test === undefined) {
    const sizes = V1_TASK_SIZES.get(task);
    if (!sizes) throw new UrlValueError('tasks', `${task} has no default sizes: write ${task}:trainSize:testSize`);
    return { ...sizes };
  }
  if (test === undefined || extra !== undefined) throw new UrlValueError('tasks', `"${clip(item)}" is not NAME or NAME:trainSize:testSize`);
  return { name: task, trainSize: parseUrlNumber('tasks', train), testSize: parseUrlNumber('tasks', test) };
}

const flagKey = (key: string, field: string, get: (d: Draft) => boolean, set: (d: Draft, v: boolean) => void): UrlKey => ({
  key,
  field,
  write: (d) => (get(d) ? '1' : '0'),
  read: (text, d) => set(d, oneOf(key, text, ['0', '1'] as const) === '1'),
});

/** Version 1: every sweep field, then the single run. Order = the order keys appear in a written URL. */
export const URL_KEYS_V1: readonly UrlKey[] = [
  { key: 'preset', field: 'preset', write: (d) => d.sweep.preset, read: () => undefined }, // read first, by url.ts
  { key: 'name', field: 'name', write: (d) => d.sweep.name, read: (text, d) => void (d.sweep.name = text) },
  { key: 'dg', field: 'decayGroup', write: (d) => d.sweep.decayGroup, read: (t, d) => void (d.sweep.decayGroup = oneOf('dg', t, ['all', 'matrices'] as const)) },
  listKey('wd', 'lambdas', (d) => d.sweep.lambdas, (d, v) => (d.sweep.lambdas = v)),
  listKey('seeds', 'seeds', (d) => d.sweep.seeds, (d, v) => (d.sweep.seeds = v)),
  budgetKey,
  numberKey('lr', 'pretrain.peakLr', (d) => d.sweep.pretrain.peakLr, (d, v) => (d.sweep.pretrain.peakLr = v)),
  numberKey('batch', 'pretrain.batch', (d) => d.sweep.pretrain.batch, (d, v) => (d.sweep.pretrain.batch = v)),
  numberKey('warmup', 'pretrain.warmupFrac', (d) => d.sweep.pretrain.warmupFrac, (d, v) => (d.sweep.pretrain.warmupFrac = v)),
  numberKey('minlr', 'pretrain.minLrFrac', (d) => d.sweep.pretrain.minLrFrac, (d, v) => (d.sweep.pretrain.minLrFrac = v)),
  numberKey('evalevery', 'pretrain.evalEvery', (d) => d.sweep.pretrain.evalEvery, (d, v) => (d.sweep.pretrain.evalEvery = v)),
  numberKey('ftlr', 'finetune.lr', (d) => d.sweep.finetune.lr, (d, v) => (d.sweep.finetune.lr = v)),
  numberKey('ftepochs', 'finetune.epochs', (d) => d.sweep.finetune.epochs, (d, v) => (d.sweep.finetune.epochs = v)),
  numberKey('ftbatch', 'finetune.batch', (d) => d.sweep.finetune.batch, (d, v) => (d.sweep.finetune.batch = v)),
  numberKey('ftwd', 'finetune.weightDecay', (d) => d.sweep.finetune.weightDecay, (d, v) => (d.sweep.finetune.weightDecay = v)),
  numberKey('ftwarmup', 'finetune.warmupFrac', (d) => d.sweep.finetune.warmupFrac, (d, v) => (d.sweep.finetune.warmupFrac = v)),
  tasksKey,
  {
    key: 'probes',
    field: 'probes',
    write: (d) => d.sweep.probes.join(','),
    read: (t, d) => void (d.sweep.probes = t === '' ? [] : t.split(',').map((p) => oneOf('probes', p, ['sentiment', 'genre'] as const))),
  },
  flagKey('control', 'randomInitControl', (d) => d.sweep.randomInitControl, (d, v) => (d.sweep.randomInitControl = v)),
  numberKey('sigma', 'perturbationSigma', (d) => d.sweep.perturbationSigma, (d, v) => (d.sweep.perturbationSigma = v)),
  numberKey('trainwd', 'singleRun.lambda', (d) => d.singleRun.lambda, (d, v) => (d.singleRun.lambda = v)),
  numberKey('trainseed', 'singleRun.seed', (d) => d.singleRun.seed, (d, v) => (d.singleRun.seed = v)),
];

/** The key that carries a schema path ('lambdas.1' -> 'wd'), for messages. */
export function keyForPath(keys: readonly UrlKey[], path: string): string {
  let best: UrlKey | undefined;
  for (const k of keys) if ((path === k.field || path.startsWith(`${k.field}.`)) && k.field.length > (best?.field.length ?? -1)) best = k;
  return best ? best.key : path || '(settings)';
}
