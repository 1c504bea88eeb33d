// Shared by the runner's tests: the tiny sweep (configs/tiny.json), hosts on the CPU engine with a file store
// in a scratch directory, recorded events, and results with what may differ between two runs of the same
// sweep (timings, devices, event logs) stripped, so equal numbers compare equal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Corpus } from '../data/corpus';
import { loadCorpusFromDisk } from '../data/node';
import { createCpuEngine } from '../engine/cpu';
import type { Engine } from '../engine/types';
import type { ModelConfig } from '../model/config';
import { openFileStore, type FileResultStore } from './persist/files';
import { requiredDataFiles, type RunnerEvent, type RunnerHost } from './runner';
import { parseSweep, type SweepDefinition } from './sweep';

export const TINY_CONFIG = 'configs/tiny.json';

export function tinySweep(): SweepDefinition {
  return parseSweep(JSON.parse(readFileSync(TINY_CONFIG, 'utf8')), TINY_CONFIG);
}

let corpus: Promise<Corpus> | undefined;
/** Every file any tiny sweep of the tests reads, loaded once per test file. */
export function testCorpus(): Promise<Corpus> {
  const sweep = { ...tinySweep(), tasks: [...tinySweep().tasks, { name: 'DOMAIN' as const, trainSize: 64, testSize: 64 }] };
  corpus ??= loadCorpusFromDisk({ files: requiredDataFiles(sweep) });
  return corpus;
}

export function scratchDir(prefix = 'plasticity-runner-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestHost extends RunnerHost {
  store: FileResultStore;
  events: RunnerEvent[];
  logs: string[];
}

/** A host on the CPU engine (or `createEngine`), storing in `dir`; `onEvent` may abort, inspect, ... */
export async function cpuHost(dir: string, onEvent?: (event: RunnerEvent) => void, createEngine?: (config: ModelConfig) => Promise<Engine>): Promise<TestHost> {
  const events: RunnerEvent[] = [];
  const logs: string[] = [];
  return {
    createEngine: createEngine ?? (async (config) => createCpuEngine(config)),
    corpus: await testCorpus(),
    store: await openFileStore(dir),
    device: { adapter: 'cpu (test)', vendor: 'cpu', architecture: 'cpu', build: 'test' },
    events, logs,
    emit(event) {
      events.push(event);
      if (event.type === 'log') logs.push(event.message);
      onEvent?.(event);
    },
  };
}

const VARIES = new Set(['seconds', 'tokensPerSecond', 'events', 'createdAt', 'updatedAt', 'device']);

/** The results as JSON would store them, without timings, devices and event logs. */
export function comparable(results: unknown): unknown {
  return JSON.parse(JSON.stringify(results, (key, v) => (VARIES.has(key) ? undefined : typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
