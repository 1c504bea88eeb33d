import { afterEach, describe, expect, it } from 'vitest';
import { errorLine, isMainCommand, UsageError } from './cli';

describe('CLI helpers', () => {
  const argv = process.argv;
  afterEach(() => {
    process.argv = argv;
  });

  it('recognises the command Node started, as a source file or a bundle', () => {
    process.argv = ['node', '/repo/dist-cli/sweep.mjs'];
    expect(isMainCommand('sweep')).toBe(true);
    expect(isMainCommand('calibrate')).toBe(false);
    expect(isMainCommand('sweep-merge')).toBe(false);
    process.argv = ['node', 'src/cli/sweep-merge.ts'];
    expect(isMainCommand('sweep-merge')).toBe(true);
    process.argv = ['node'];
    expect(isMainCommand('sweep')).toBe(false);
  });

  it('adds the usage line to argument errors only', () => {
    expect(errorLine(new UsageError('--out is required'), 'usage: x')).toBe('error: --out is required\nusage: x');
    expect(errorLine(new Error('disk full'), 'usage: x')).toBe('error: disk full');
    expect(errorLine('plain', 'usage: x')).toBe('error: plain');
  });
});
