// The build id recorded with every result: package version + git commit (+dirty), fixed at build time.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function buildId(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  try {
    const commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return `${version}+${commit}${dirty ? '.dirty' : ''}`;
  } catch {
    return `${version}+unknown`;
  }
}
