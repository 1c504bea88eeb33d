// Chromium with WebGPU (SwiftShader where there is no GPU; webgpu-runtime.md) against the built lab served by
// `vite preview`: one place for the flags and the server, used by the end-to-end tests (playwright.config.ts),
// the page benchmark (bench/page.ts) and the results plots (tools/results/plots.ts).
import { spawn } from 'node:child_process';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-webgpu-developer-features',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Serves dist/ (run `vite build` first) on 127.0.0.1:port; resolves to a function that stops the server. */
export async function servePreview(port: number): Promise<() => void> {
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(origin)).ok) return () => process.kill(-server.pid!);
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(-server.pid!);
  throw new Error(`vite preview did not answer on ${origin} (run \`npm run build\` first)`);
}
