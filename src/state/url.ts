// Share URLs. The settings travel as readable, versioned keys in the query (urlKeys.ts: ?v=1&preset=lab&
// wd=0,0.1,0.3,1,3&seeds=0,1,2&...), the results summary (urlSummary.ts) as `r=` in the fragment. Reading a
// link never throws: a bad link gives the defaults plus a message saying what was wrong. Unknown keys are
// ignored; each URL version keeps its decoder so old links still open.
import { PRESETS, type PresetName } from '../model/config';
import { defaultSweep, SweepSchema, type SweepDefinition } from '../lab/sweep';
import type { Results } from '../lab/results';
import { DEFAULT_SINGLE_RUN, SingleRunSchema, type SharedView, type SingleRunSettings } from './labModel';
import { PayloadError } from './urlBytes';
import { clip, keyForPath, URL_KEYS_V1, UrlValueError, type UrlDraft, type UrlKey } from './urlKeys';
import { decodeSummary, encodeSummary } from './urlSummary';

export const URL_VERSION = 1;
/** The fragment key of the results summary. */
export const SUMMARY_KEY = 'r';
/** Longer links are not read at all (browsers cap URLs near 2 MB anyway). */
export const MAX_URL_CHARS = 2_500_000;

export interface DecodedLabUrl {
  sweep: SweepDefinition;
  singleRun: SingleRunSettings;
  /** Present when the link carried a valid results summary. */
  shared?: SharedView;
  /** Why (part of) the link was not used; empty for a clean link or none. */
  messages: string[];
  /** The sweep and single run came from the link (it had settings); else they are the defaults. */
  fromLink: boolean;
}

/** Percent-encoding that leaves ',' and ':' readable (both are legal in a query). */
const encodeValue = (text: string): string => encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%3A/gi, ':');

const writeKeys = (keys: readonly UrlKey[], draft: UrlDraft): string => keys.map((k) => `${k.key}=${encodeValue(k.write(draft))}`).join('&');

const SWEEP_KEYS_V1 = URL_KEYS_V1.filter((k) => !k.field.startsWith('singleRun.'));

/** The canonical settings text of a sweep (v1): what a results summary is bound to. */
const settingsKeyV1 = (sweep: SweepDefinition): string => `v=1&${writeKeys(SWEEP_KEYS_V1, { sweep, singleRun: DEFAULT_SINGLE_RUN })}`;

export function sweepSettingsKey(sweep: SweepDefinition, version = URL_VERSION): string {
  return VERSIONS[version].settingsKey(sweep);
}

/** The query (without '?') for the settings: every key of the current version, in table order. */
export function encodeSettingsQuery(sweep: SweepDefinition, singleRun: SingleRunSettings): string {
  return `v=${URL_VERSION}&${writeKeys(URL_KEYS_V1, { sweep, singleRun })}`;
}

/** A link to these settings and, when given, a summary of these results (sharer's device and date inside). */
export function buildShareUrl(baseHref: string, sweep: SweepDefinition, singleRun: SingleRunSettings, results?: Results, sharedAt = new Date()): string {
  const base = baseHref.replace(/[?#].*$/s, '');
  const fragment = results ? `#${SUMMARY_KEY}=${encodeSummary({ ...results, sweep }, sweepSettingsKey(sweep), sharedAt.toISOString())}` : '';
  return `${base}?${encodeSettingsQuery(sweep, singleRun)}${fragment}`;
}

function issuesByKey(keys: readonly UrlKey[], prefix: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 4)
    .map((i) => {
      const path = prefix + i.path.map(String).join('.');
      return `${keyForPath(keys, path)} (${path}): ${i.message}`;
    })
    .join('; ');
}

function decodeV1(params: URLSearchParams): UrlDraft {
  const presetText = params.get('preset');
  if (presetText !== null && !Object.hasOwn(PRESETS, presetText)) throw new UrlValueError('preset', `unknown preset "${clip(presetText)}" (known: ${Object.keys(PRESETS).join(', ')})`);
  const draft: UrlDraft = { sweep: defaultSweep((presetText as PresetName | null) ?? 'lab'), singleRun: { ...DEFAULT_SINGLE_RUN } };
  for (const k of URL_KEYS_V1) {
    const text = params.get(k.key);
    if (text !== null && k.key !== 'preset') k.read(text, draft);
  }
  const sweep = SweepSchema.safeParse(draft.sweep);
  if (!sweep.success) throw new UrlValueError('', issuesByKey(URL_KEYS_V1, '', sweep.error.issues));
  const single = SingleRunSchema.safeParse(draft.singleRun);
  if (!single.success) throw new UrlValueError('', issuesByKey(URL_KEYS_V1, 'singleRun.', single.error.issues));
  return { sweep: sweep.data, singleRun: single.data };
}

/**
 * Every URL version, kept forever so old links still open: its decoder, and its writer of the canonical
 * settings text (so a summary in an old link still matches its settings after the table grows).
 */
const VERSIONS: Record<number, { decode: (params: URLSearchParams) => UrlDraft; settingsKey: (sweep: SweepDefinition) => string }> = {
  1: { decode: decodeV1, settingsKey: settingsKeyV1 },
};

const defaults = (): UrlDraft => ({ sweep: defaultSweep('lab'), singleRun: { ...DEFAULT_SINGLE_RUN } });
/** The defaults, and why the link was not used. */
const unread = (message: string): DecodedLabUrl => ({ ...defaults(), messages: [message], fromLink: false });

function decodeSettings(params: URLSearchParams): UrlDraft & { version: number } {
  const version = params.get('v');
  if (version === null) {
    const known = URL_KEYS_V1.find((k) => params.has(k.key));
    if (!known) return { ...defaults(), version: URL_VERSION };
    throw new UrlValueError('v', `missing: the link has settings (${known.key}=...) but no version`);
  }
  if (!/^\d{1,4}$/.test(version)) throw new UrlValueError('v', `"${clip(version)}" is not a version number`);
  const reader = VERSIONS[Number(version)];
  if (!reader) {
    const newest = Math.max(...Object.keys(VERSIONS).map(Number));
    const why = Number(version) > newest ? 'was made by a newer version of the lab' : 'is a version this lab never wrote';
    throw new UrlValueError('v', `v=${version} ${why} (this page reads v1 to v${newest})`);
  }
  return { ...reader.decode(params), version: Number(version) };
}

/** Query keys, then fragment keys; a key given twice takes its later value (an edit appended to a link wins). */
function linkParams(url: URL): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of [...new URLSearchParams(url.search), ...new URLSearchParams(url.hash.replace(/^#/, ''))]) params.set(key, value);
  return params;
}

/** Settings, single run and shared results from a link; never throws. */
export function decodeLabUrl(href: string): DecodedLabUrl {
  if (href.length > MAX_URL_CHARS) return unread(`This link is too long to read (${href.length} characters). Showing the default sweep.`);
  let params: URLSearchParams;
  try {
    params = linkParams(new URL(href, 'http://localhost/'));
  } catch {
    return unread('This link is not a valid URL. Showing the default sweep.');
  }
  let draft: UrlDraft & { version: number };
  try {
    draft = decodeSettings(params);
  } catch (error) {
    const why = error instanceof UrlValueError ? error.message : String(error);
    const dropped = params.has(SUMMARY_KEY) ? ' Its shared results were not opened.' : '';
    return unread(`Could not read this link's settings (${why}). Showing the default sweep.${dropped}`);
  }
  const { sweep, singleRun, version } = draft;
  const fromLink = params.has('v');
  const summary = params.get(SUMMARY_KEY);
  if (summary === null) return { sweep, singleRun, messages: [], fromLink };
  try {
    return { sweep, singleRun, shared: decodeSummary(summary, sweep, sweepSettingsKey(sweep, version)), messages: [], fromLink };
  } catch (error) {
    // The settings read fine: they stay (a cut-off link keeps what it still says), only the results are dropped.
    const why = error instanceof PayloadError ? error.message : `unexpected error: ${String(error)}`;
    return { sweep, singleRun, messages: [`Could not open the shared results in this link: ${why}. Its settings are in the editor; Sweep runs them here.`], fromLink };
  }
}
