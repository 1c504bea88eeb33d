import { describe, expect, it } from 'vitest';
import { viewOfPhase } from './LiveChart';

describe('viewOfPhase', () => {
  it('shows the curve of the phase the run is in', () => {
    expect(viewOfPhase('pretrain')).toBe('pretrain');
    expect(viewOfPhase('finetune.ADD-R')).toBe('ft:ADD-R');
    expect(viewOfPhase('finetune.KV')).toBe('ft:KV');
  });
  it('leaves the view alone between phases', () => {
    expect(viewOfPhase('measure')).toBeUndefined();
    expect(viewOfPhase(undefined)).toBeUndefined();
  });
});
