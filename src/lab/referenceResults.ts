// The reference results the page can open without training anything: the default sweep run to the end on an
// NVIDIA H200 (docs/results/README.md says what it shows). The file stays in docs/results, its one home;
// Vite serves it as an asset fetched only when asked for.
import url from '../../docs/results/2026-11-26-h200-default-sweep.json?url';

export const REFERENCE_RESULTS = {
  url,
  fileName: 'the H200 reference sweep (2026-11-26)',
  label: 'Open the H200 reference sweep',
} as const;

/** The reference results file's text; a clear error if it cannot be fetched. */
export async function fetchReferenceResults(fetchText: (url: string) => Promise<Response> = fetch): Promise<string> {
  let response: Response;
  try {
    response = await fetchText(REFERENCE_RESULTS.url);
  } catch (error) {
    throw new Error(`Could not load ${REFERENCE_RESULTS.fileName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!response.ok) throw new Error(`Could not load ${REFERENCE_RESULTS.fileName}: the server answered ${response.status}.`);
  return response.text();
}
