// The measurement library the experiment runner calls (science.md, "What the lab measures"): pure float64
// math over flat parameters and feature matrices; no GPU, no I/O, deterministic for a seed.
export { DEFAULT_L2_GRID, fitProbe, stratifiedFolds, type ProbeInput, type ProbeResult } from './probe';
export {
  effectiveRank,
  headFactors,
  headMatrix,
  headSpectra,
  layerSpectrumMeans,
  pseudoRank,
  spectrumMetrics,
  type HeadProduct,
  type HeadShape,
  type HeadSpectrum,
  type LayerSpectrumMeans,
  type SpectrumMetrics,
} from './spectra';
export {
  mean,
  pairedDifferences,
  plasticityTable,
  sampleStd,
  summarize,
  tCoverage,
  tCritical,
  type Interval,
  type PairedSummary,
  type PlasticityOptions,
  type PlasticityRow,
  type RunRecord,
  type ScoreDirection,
  type SeedValue,
  type Summary,
} from './stats';
export { matrix, productSingularValues, singularValues, type Matrix } from './svd';
export { layerNorms, normGroup, perturbParams, tensorNorms, totalNorm, type GroupNorm, type PerturbOptions, type TensorNorm } from './weights';
