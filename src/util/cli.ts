// What the command-line entry points (src/cli/*.ts) share: the exit codes, the error class for bad arguments
// (printed with the usage line), where lines go (progress to stdout, errors to stderr), the `--flag value`
// parser and the `-h/--help` text, whether a command is the script Node was started with, how it was started
// (for the commands it prints), and Ctrl-C or SIGTERM as a graceful stop.
import { basename, isAbsolute, relative } from 'node:path';

/** The exit codes of every command (README "Command line"). */
export const EXIT = {
  done: 0,
  /** An error, bad arguments or a bad input file. */
  error: 1,
  /** train: the run diverged (its last checkpoint before that is kept). */
  diverged: 2,
  /** Stopped by Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention): sweep and calibrate resume when run again,
   *  train with the --resume command it prints. */
  cancelled: 130,
} as const;

/** The exit codes as a help line; `diverged` only for the commands that have it; `resume`: how a cancelled run goes on. */
export const exitCodesHelp = (diverged = false, resume = 'run the same command again to resume from the last checkpoint'): string =>
  `exit codes: 0 done, 1 error or bad arguments${diverged ? ', 2 diverged' : ''}, 130 cancelled (Ctrl-C or SIGTERM: stopped at the next ` +
  `submit; ${resume})`;

/** Bad arguments or input files: reported with the command's usage line. */
export class UsageError extends Error {}

/** `error: <message>`, followed by the usage line when the arguments were at fault. */
export function errorLine(error: unknown, usage: string): string {
  return `error: ${error instanceof Error ? error.message : String(error)}${error instanceof UsageError ? `\n${usage}` : ''}`;
}

/** Where a command writes: progress and results to `log` (stdout), errors to `error` (stderr). */
export interface CliOutput {
  log?: (line: string) => void;
  error?: (line: string) => void;
}

export const outputOf = (deps: CliOutput): Required<CliOutput> => ({
  log: deps.log ?? ((line) => console.log(line)),
  error: deps.error ?? ((line) => console.error(line)),
});

/** A flag of a command, for its --help: `--out <dir>` and what it means, its default included. */
export interface FlagHelp {
  flag: string;
  help: string;
}

/** True when the arguments ask for help (`-h` or `--help` anywhere): the command prints it and exits 0. */
export const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === '-h' || a === '--help');

/** The --help text: usage, what the command does, one line per flag (with its default), notes, exit codes. */
export function helpText(usage: string, about: string, flags: readonly FlagHelp[], notes: readonly string[] = [], exitCodes = exitCodesHelp()): string {
  const all = [...flags, { flag: '-h, --help', help: 'print this help and exit' }];
  const width = Math.max(...all.map((f) => f.flag.length)) + 2;
  const lines = all.map((f) => `  ${f.flag.padEnd(width)}${f.help}`);
  return [usage, '', about, '', ...lines, ...(notes.length ? ['', ...notes] : []), '', exitCodes].join('\n');
}

/** `--flag value` pairs of the allowed flags (a later one wins); an unknown flag or a missing value is a UsageError. */
export function parseFlags<F extends string>(argv: readonly string[], flags: readonly F[]): Partial<Record<F, string>> {
  const given: Partial<Record<F, string>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as F;
    if (!flags.includes(flag)) throw new UsageError(`unknown argument "${argv[i]}"`);
    if (argv[i + 1] === undefined) throw new UsageError(`${flag} needs a value`);
    given[flag] = argv[i + 1];
  }
  return given;
}

/**
 * True when Node was started on the command `name`: src/cli/<name>.ts (tsx) or its bundle dist-cli/<name>.mjs.
 * By name, not by import.meta.url: a command another command imports (calibrate runs sweep's code) is bundled
 * into a shared chunk, whose URL is not the script's.
 */
export function isMainCommand(name: string): boolean {
  const script = process.argv[1];
  return script !== undefined && basename(script).replace(/\.(m?js|ts)$/, '') === name;
}

/** An argument as the shell reads it back: quoted when it holds anything beyond plain path characters. */
export const shellQuote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);

/**
 * How the running command was started, to print a command that runs it again: `node dist-cli/train.mjs` for
 * a bundle (not `npm run train`, which rebuilds dist-cli/ first: a collision for array jobs), `npx tsx
 * src/cli/train.ts` for a source file; the script relative to the working directory when it lies below it.
 */
export function invokedAs(script: string | undefined, cwd: string, fallback: string): string {
  if (!script) return fallback;
  const rel = relative(cwd, script);
  const path = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script;
  return `${script.endsWith('.ts') ? 'npx tsx' : 'node'} ${shellQuote(path)}`;
}

/** What stopOnSignals listens on and calls: the process, or stand-ins in tests. */
export interface SignalHost {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exit(code: number): void;
  write(line: string): void;
}

const processHost: SignalHost = {
  on: (signal, listener) => process.on(signal, listener),
  exit: (code) => process.exit(code),
  write: (line) => console.error(line),
};

/**
 * The first Ctrl-C (SIGINT) or SIGTERM (what Slurm and Kubernetes send before killing a job, after a grace
 * period) aborts the returned signal and prints `message`: the command stops at its next submit (train writes its
 * checkpoint there; a sweep keeps its last periodic ones) and exits 130 (EXIT.cancelled). A second signal of either kind quits at once, with the shell's
 * code for it: 130 after SIGINT, 143 after SIGTERM.
 */
export function stopOnSignals(message = 'stopping at the next submit (rerun to resume from the last checkpoint)', host: SignalHost = processHost): AbortSignal {
  const abort = new AbortController();
  for (const [signal, name, code] of [['SIGINT', 'Ctrl-C', 130], ['SIGTERM', 'SIGTERM', 143]] as const) {
    host.on(signal, () => {
      if (abort.signal.aborted) return host.exit(code);
      host.write(`${name}: ${message}; Ctrl-C or SIGTERM again quits at once`);
      abort.abort();
    });
  }
  return abort.signal;
}
