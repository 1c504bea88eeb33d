// The one store, in small slices. The training loop lives outside React (in the worker).
import { create } from 'zustand';
import { createCorpusSlice, type CorpusSlice } from './corpusSlice';
import { createGpuSlice, type GpuSlice } from './gpuSlice';
import { createLabSlice, type LabSlice } from './labSlice';
import { createRunnerSlice, type RunnerSlice } from './runnerSlice';

export type LabState = GpuSlice & CorpusSlice & LabSlice & RunnerSlice;

export const useLab = create<LabState>()((...args) => ({
  ...createGpuSlice(...args),
  ...createCorpusSlice(...args),
  ...createLabSlice(...args),
  ...createRunnerSlice(...args),
}));
