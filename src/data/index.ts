// The data layer's public API for the page, the worker and the engine (Node-only loading is in ./node).
export * from './tokenizer';
export { normalizeText, newNormalizeStats, type NormalizeStats } from './normalize';
export * from './manifest';
export * from './corpus';
export { loadCorpus, defaultDataBaseUrl, DATA_CACHE_NAME, type LoadProgress, type PageLoadOptions } from './load';
export * from './sampler';
export * from './tasks';
export * from './probes';
