// The one store, in small slices. The training loop lives outside React (in the worker).
import { create } from 'zustand';
import { createCorpusSlice, type CorpusSlice } from './corpusSlice';
import { createGpuSlice, type GpuSlice } from './gpuSlice';

export type LabState = GpuSlice & CorpusSlice;

export const useLab = create<LabState>()((...args) => ({
  ...createGpuSlice(...args),
  ...createCorpusSlice(...args),
}));
