// Linear probes (science.md, measurement 3): how linearly separable the classes of a probe set are in one
// layer's hidden states. Features are standardized with mean/std fit on the training rows only; an
// L2-regularized multinomial logistic regression (binary logistic for 2 classes; logistic.ts) is fit by
// preconditioned L-BFGS; the L2 strength is chosen by stratified k-fold cross-validation on the train split
// over a log grid; the score is accuracy on the held-out test split. Deterministic: the seed fixes the folds
// and nothing else is random.
import { Rng } from '../../util/rng';
import { augmentedGram, correctCount, fitLogistic, fitStandardizer, standardized, weightRows, type Dataset } from './logistic';

type Features = Float64Array | Float32Array;

/**
 * L2 strengths tried by cross-validation, strongest first, in decades. On standardized features with the
 * mean loss, 1 shrinks hard and 1e-6 is close to unregularized (sklearn's C = 1 is l2 = 1 / n, about 3e-4 at
 * n = 3000).
 */
export const DEFAULT_L2_GRID: readonly number[] = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

export interface ProbeInput {
  trainX: Features; // (nTrain, d) row-major; nTrain = trainY.length
  trainY: ArrayLike<number>; // class indices in [0, classes)
  testX: Features; // (nTest, d)
  testY: ArrayLike<number>;
  classes: number;
  seed: number; // fixes the fold assignment
  trainGroups?: ArrayLike<number>; // source of each training example: a group stays in one fold (default: each its own)
  folds?: number; // default 5
  l2Grid?: readonly number[]; // default DEFAULT_L2_GRID
  maxIterations?: number; // L-BFGS cap per fit (default 300)
}

export interface ProbeResult {
  accuracy: number; // on the test split, with the chosen L2, refit on the whole train split
  chosenL2: number;
  cvAccuracy: number; // pooled cross-validation accuracy at the chosen L2
  cvCurve: Array<{ l2: number; accuracy: number }>; // every grid point, l2 ascending
  trainAccuracy: number;
  /** Test accuracy of always predicting the most frequent training class: the floor to compare against. */
  majorityAccuracy: number;
  d: number;
}

/** Fits for each l2 in order (strongest first), each warm-started from the previous solution. */
function fitPath(data: Dataset, classes: number, l2s: readonly number[], maxIterations: number): Float64Array[] {
  const gram = augmentedGram(data);
  let w: Float64Array = new Float64Array(weightRows(classes) * (data.d + 1));
  return l2s.map((l2) => (w = fitLogistic(data, gram, classes, l2, w, maxIterations)));
}

/**
 * Fold id per example: each class's groups (by default each example is its own) shuffled (seeded) and dealt
 * round-robin, so folds are stratified and a group's examples (chunks of one file) share a fold: the held-out
 * fold never holds text from a source the fitted folds saw, as the test split never does.
 */
export function stratifiedFolds(y: ArrayLike<number>, classes: number, folds: number, seed: number, groups?: ArrayLike<number>): Int32Array {
  const rng = new Rng(seed);
  const groupOf = (i: number) => (groups ? groups[i] : i);
  const fold = new Int32Array(y.length);
  const foldOfGroup = new Map<number, number>();
  let dealt = 0;
  for (let c = 0; c < classes; c++) {
    const members = new Set<number>(); // this class's groups, in order of first appearance
    for (let i = 0; i < y.length; i++) if (y[i] === c) members.add(groupOf(i));
    for (const g of rng.shuffle([...members])) {
      if (foldOfGroup.has(g)) throw new Error(`stratifiedFolds: group ${g} holds examples of more than one class`);
      foldOfGroup.set(g, dealt++ % folds);
    }
  }
  if (foldOfGroup.size < folds) throw new Error(`stratifiedFolds: ${foldOfGroup.size} groups for ${folds} folds`);
  for (let i = 0; i < y.length; i++) fold[i] = foldOfGroup.get(groupOf(i))!;
  return fold;
}

function checkInput(input: ProbeInput, folds: number): number {
  const { trainX, trainY, testX, testY, classes } = input;
  if (!(Number.isInteger(classes) && classes >= 2)) throw new Error(`fitProbe: classes must be an integer >= 2, got ${classes}`);
  if (!(Number.isInteger(folds) && folds >= 2)) throw new Error(`fitProbe: folds must be an integer >= 2, got ${folds}`);
  if (trainY.length < folds) throw new Error(`fitProbe: ${trainY.length} training examples for ${folds} folds`);
  const d = trainX.length / trainY.length;
  if (!Number.isInteger(d) || d < 1) throw new Error(`fitProbe: trainX has ${trainX.length} values for ${trainY.length} labels`);
  if (testX.length !== testY.length * d) throw new Error(`fitProbe: testX has ${testX.length} values, expected ${testY.length} x ${d}`);
  if (input.trainGroups && input.trainGroups.length !== trainY.length) throw new Error(`fitProbe: ${input.trainGroups.length} groups for ${trainY.length} training examples`);
  for (const labels of [trainY, testY]) {
    for (let i = 0; i < labels.length; i++) {
      if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < classes)) throw new Error(`fitProbe: label ${labels[i]} at ${i} is not in [0, ${classes})`);
    }
  }
  return d;
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function majorityAccuracy(trainY: ArrayLike<number>, testY: ArrayLike<number>, classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < trainY.length; i++) counts[trainY[i]]++;
  const majority = counts.indexOf(Math.max(...counts));
  let hits = 0;
  for (let i = 0; i < testY.length; i++) if (testY[i] === majority) hits++;
  return testY.length > 0 ? hits / testY.length : NaN;
}

/**
 * Cross-validated L2 logistic probe. The chosen L2 has the highest pooled CV accuracy; ties go to the
 * stronger regularization. Standardization is refit inside every fold (train folds only) and on the whole
 * train split for the final fit; the test split never informs any choice.
 */
export function fitProbe(input: ProbeInput): ProbeResult {
  const { trainX, trainY, testX, testY, classes, seed, folds = 5, maxIterations = 300 } = input;
  const d = checkInput(input, folds);
  const grid = [...(input.l2Grid ?? DEFAULT_L2_GRID)].sort((a, b) => b - a);
  const fold = stratifiedFolds(trainY, classes, folds, seed, input.trainGroups);
  const correctByL2 = new Array<number>(grid.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const fitRows = range(trainY.length).filter((i) => fold[i] !== f);
    const heldRows = range(trainY.length).filter((i) => fold[i] === f);
    const st = fitStandardizer(trainX, d, fitRows);
    const train = standardized(trainX, trainY, d, fitRows, st);
    const held = standardized(trainX, trainY, d, heldRows, st);
    fitPath(train, classes, grid, maxIterations).forEach((w, g) => (correctByL2[g] += correctCount(w, held, classes)));
  }
  let best = 0; // grid is strongest first, so strict > keeps the strongest of tied L2s
  for (let g = 1; g < grid.length; g++) if (correctByL2[g] > correctByL2[best]) best = g;
  const all = range(trainY.length);
  const st = fitStandardizer(trainX, d, all);
  const train = standardized(trainX, trainY, d, all, st);
  const test = standardized(testX, testY, d, range(testY.length), st); // train statistics
  const w = fitPath(train, classes, grid.slice(0, best + 1), maxIterations)[best];
  return {
    accuracy: testY.length > 0 ? correctCount(w, test, classes) / testY.length : NaN,
    chosenL2: grid[best],
    cvAccuracy: correctByL2[best] / trainY.length,
    cvCurve: grid.map((l2, g) => ({ l2, accuracy: correctByL2[g] / trainY.length })).reverse(),
    trainAccuracy: correctCount(w, train, classes) / trainY.length,
    majorityAccuracy: majorityAccuracy(trainY, testY, classes),
    d,
  };
}
