// The one store, in small slices. The training loop lives outside React (in the worker).
import { create } from 'zustand';
import { createGpuSlice, type GpuSlice } from './gpuSlice';

export type LabState = GpuSlice;

export const useLab = create<LabState>()((...args) => ({
  ...createGpuSlice(...args),
}));
