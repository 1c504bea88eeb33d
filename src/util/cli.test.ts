import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { errorLine, EXIT, exitCodesHelp, helpText, invokedAs, isMainCommand, parseFlags, shellQuote, stopOnSignals, UsageError, wantsHelp, type SignalHost } from './cli';

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

describe('CLI arguments and help', () => {
  it('reads --flag value pairs of the allowed flags, and names an unknown flag or a missing value', () => {
    expect(parseFlags(['--out', 'x', '--seed', '3'], ['--out', '--seed'])).toEqual({ '--out': 'x', '--seed': '3' });
    expect(() => parseFlags(['--outt', 'x'], ['--out'])).toThrow(new UsageError('unknown argument "--outt"'));
    expect(() => parseFlags(['--out'], ['--out'])).toThrow(new UsageError('--out needs a value'));
  });

  it('sees -h or --help anywhere, and the help lists every flag, -h itself, the notes and the exit codes', () => {
    expect(wantsHelp(['--out', 'x', '-h'])).toBe(true);
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--out', 'x'])).toBe(false);
    const help = helpText('usage: x', 'Does x.', [{ flag: '--out <dir>', help: 'where (default runs/)' }, { flag: '--n <N>', help: 'how many' }], ['A note.']);
    expect(help.split('\n')).toEqual([
      'usage: x', '', 'Does x.', '',
      '  --out <dir>  where (default runs/)',
      '  --n <N>      how many',
      '  -h, --help   print this help and exit',
      '', 'A note.', '', exitCodesHelp(),
    ]);
    expect(exitCodesHelp()).toMatch(/^exit codes: 0 done, 1 error or bad arguments, 130 cancelled \(Ctrl-C or SIGTERM/);
    expect(exitCodesHelp(true)).toMatch(/1 error or bad arguments, 2 diverged, 130 cancelled/);
    expect(EXIT).toEqual({ done: 0, error: 1, diverged: 2, cancelled: 130 });
  });
});

describe('the command as it was started', () => {
  it('is the bundle run with node, or the source file with tsx, relative to the working directory', () => {
    const as = (script: string, cwd: string) => invokedAs(script, cwd, 'fallback');
    expect(as('/repo/dist-cli/train.mjs', '/repo')).toBe('node dist-cli/train.mjs');
    expect(as('/repo/src/cli/train.ts', '/repo')).toBe('npx tsx src/cli/train.ts');
    expect(as('/repo/dist-cli/train.mjs', '/repo/runs')).toBe('node /repo/dist-cli/train.mjs'); // not below: absolute
    expect(as('/my repo/dist-cli/train.mjs', '/')).toBe("node 'my repo/dist-cli/train.mjs'");
    expect(invokedAs(undefined, '/repo', 'node dist-cli/train.mjs')).toBe('node dist-cli/train.mjs');
  });

  it('quotes only what the shell would split or expand', () => {
    expect(shellQuote('runs/lab-wd0.1-s1/checkpoint.bin')).toBe('runs/lab-wd0.1-s1/checkpoint.bin');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('Ctrl-C and SIGTERM', () => {
  function host() {
    const events = new EventEmitter();
    const calls = { exits: [] as number[], lines: [] as string[] };
    const h: SignalHost = { on: (signal, listener) => events.on(signal, listener), exit: (code) => void calls.exits.push(code), write: (line) => void calls.lines.push(line) };
    return { events, calls, h };
  }

  it('SIGTERM (Slurm, Kubernetes) stops gracefully as Ctrl-C does; a second signal quits at once with the shell code', () => {
    const term = host();
    const signal = stopOnSignals('stopping at the next submit', term.h);
    expect(signal.aborted).toBe(false);
    term.events.emit('SIGTERM');
    expect(signal.aborted).toBe(true);
    expect(term.calls).toEqual({ exits: [], lines: ['SIGTERM: stopping at the next submit; Ctrl-C or SIGTERM again quits at once'] });
    term.events.emit('SIGTERM');
    expect(term.calls.exits).toEqual([143]);

    const int = host();
    const other = stopOnSignals('stopping', int.h);
    int.events.emit('SIGINT');
    expect(other.aborted).toBe(true);
    expect(int.calls.lines).toEqual(['Ctrl-C: stopping; Ctrl-C or SIGTERM again quits at once']);
    int.events.emit('SIGINT');
    expect(int.calls.exits).toEqual([130]);
  });
});
