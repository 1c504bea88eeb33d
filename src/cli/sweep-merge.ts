// Merge the outputs of a sharded sweep (or of several sessions) into one results file:
//   npm run sweep:merge -- --out merged.json <dir or results.json> <dir or results.json> ...
// Every input is validated with the results schema and must hold the same sweep definition (the merge refuses
// otherwise, naming the field that differs). Runs and controls are combined in the sweep's order (merge.ts);
// the output is a results file the page imports, written whole or not at all (a temporary file and a rename);
// an --out that is one of the inputs is refused before anything is read. Notes go to stdout, errors to stderr.
// Exit codes: 0 merged, 1 error (`--help`: the flags).
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { mergeResults, type MergeInput } from '../lab/merge';
import { RESULTS_FILE } from '../lab/persist/files';
import { parseResults, resultsToJson } from '../lab/results';
import { errorLine, EXIT, helpText, isMainCommand, outputOf, UsageError, wantsHelp, type CliOutput } from '../util/cli';
import { writeFileAtomic } from './trainFiles';

export const USAGE = 'usage: npm run sweep:merge -- --out <merged.json> <dir or results.json> [more ...]        (--help: every flag)';

export const HELP = helpText(
  USAGE,
  'Merges the results of a sharded sweep (or of several sessions) into one results file the page imports.\n' +
    'Every input must hold the same sweep definition; runs missing or unfinished are noted. node dist-cli/sweep-merge.mjs takes the same arguments.',
  [
    { flag: '--out <file>', help: 'the merged results file (required): written whole or not at all, never over one of the inputs' },
    { flag: '<dir or file> ...', help: 'the inputs (at least one): a sweep directory (its results.json) or a results file' },
  ],
  [],
  'exit codes: 0 merged, 1 error or bad arguments',
);

export function parseMergeArgs(argv: readonly string[]): { out: string; inputs: string[] } {
  const inputs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      out = argv[++i];
      if (out === undefined) throw new UsageError('--out needs a value');
    } else if (argv[i].startsWith('--')) throw new UsageError(`unknown argument "${argv[i]}"`);
    else inputs.push(argv[i]);
  }
  if (!out) throw new UsageError('--out <merged.json> is required');
  if (!inputs.length) throw new UsageError('give the shard directories (or results files) to merge');
  return { out, inputs };
}

/** The file an input names: `<dir>/results.json` for a directory, else the path itself. */
const inputFile = (path: string): string => (existsSync(path) && statSync(path).isDirectory() ? join(path, RESULTS_FILE) : path);

/** One file, however named (relative, through a link). */
const canonical = (path: string): string => (existsSync(path) ? realpathSync(path) : resolve(path));

/** Throws unless `out` is none of the inputs (a shard directory, its results.json, a results file). */
export function assertOutNotInput(out: string, inputs: readonly string[]): void {
  const target = canonical(out);
  const clash = inputs.find((input) => canonical(input) === target || canonical(inputFile(input)) === target);
  if (clash !== undefined) {
    throw new UsageError(`--out ${out} is the input ${clash}: the merge would replace what it merges; nothing was written. Choose another --out.`);
  }
}

/** A shard's results: `<dir>/results.json` or the file itself, validated. */
export function readResultsInput(path: string): MergeInput {
  const file = inputFile(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file} does not exist (did that shard run?)` : `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return { where: file, results: parseResults(json, file) };
}

export function main(argv: readonly string[], deps: CliOutput = {}): number {
  const { log, error: fail } = outputOf(deps);
  if (wantsHelp(argv)) return (log(HELP), EXIT.done);
  try {
    const args = parseMergeArgs(argv);
    assertOutNotInput(args.out, args.inputs);
    const { results, notes } = mergeResults(args.inputs.map(readResultsInput));
    const out = resolve(args.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileAtomic(out, resultsToJson(results));
    notes.forEach((note) => log(`note: ${note}`));
    log(`merged ${args.inputs.length} inputs: ${results.runs.length} runs, ${results.controls.length} controls of sweep "${results.sweep.name}" -> ${out}`);
    return EXIT.done;
  } catch (error) {
    fail(errorLine(error, USAGE));
    return EXIT.error;
  }
}

if (isMainCommand('sweep-merge')) process.exitCode = main(process.argv.slice(2));
