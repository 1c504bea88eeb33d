// What the command-line entry points (src/cli/*.ts) share: the error class for bad arguments (printed with the
// usage line), the one-line error report, and whether a module is the script Node was started with.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bad arguments or input files: reported with the command's usage line. */
export class UsageError extends Error {}

/** `error: <message>`, followed by the usage line when the arguments were at fault. */
export function errorLine(error: unknown, usage: string): string {
  return `error: ${error instanceof Error ? error.message : String(error)}${error instanceof UsageError ? `\n${usage}` : ''}`;
}

/** True when the module at `moduleUrl` (import.meta.url) is the script Node runs (not imported by a test). */
export function isMainModule(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}
