// What the command-line entry points (src/cli/*.ts) share: the error class for bad arguments (printed with the
// usage line), the one-line error report, whether a command is the script Node was started with, and Ctrl-C
// as a graceful stop.
import { basename } from 'node:path';

/** Bad arguments or input files: reported with the command's usage line. */
export class UsageError extends Error {}

/** `error: <message>`, followed by the usage line when the arguments were at fault. */
export function errorLine(error: unknown, usage: string): string {
  return `error: ${error instanceof Error ? error.message : String(error)}${error instanceof UsageError ? `\n${usage}` : ''}`;
}

/**
 * True when Node was started on the command `name`: src/cli/<name>.ts (tsx) or its bundle dist-cli/<name>.mjs.
 * By name, not by import.meta.url: a command another command imports (calibrate runs sweep's main) is bundled
 * into a shared chunk, whose URL is not the script's.
 */
export function isMainCommand(name: string): boolean {
  const script = process.argv[1];
  return script !== undefined && basename(script).replace(/\.(m?js|ts)$/, '') === name;
}

/**
 * The first Ctrl-C aborts the returned signal (the command stops at its next submit, after printing
 * `message`); a second one quits at once with the usual exit status 130.
 */
export function stopOnCtrlC(message = 'stopping at the next submit (rerun to resume from the last checkpoint)'): AbortSignal {
  const abort = new AbortController();
  process.once('SIGINT', () => {
    console.log(`Ctrl-C: ${message}; Ctrl-C again to quit now`);
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  return abort.signal;
}
