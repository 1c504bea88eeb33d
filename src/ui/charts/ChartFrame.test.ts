import { describe, expect, it } from 'vitest';
import { radioKeyTarget } from './ChartFrame';

const options = [{ value: 'a' }, { value: 'b' }, { value: 'c', disabled: true }, { value: 'd' }] as const;

describe('segmented control keys (radio group pattern)', () => {
  it('arrows step to the next or previous enabled option, wrapping at the ends, skipping disabled ones', () => {
    expect(radioKeyTarget(options, 'a', 'ArrowRight')).toBe('b');
    expect(radioKeyTarget(options, 'b', 'ArrowDown')).toBe('d');
    expect(radioKeyTarget(options, 'd', 'ArrowRight')).toBe('a');
    expect(radioKeyTarget(options, 'd', 'ArrowLeft')).toBe('b');
    expect(radioKeyTarget(options, 'a', 'ArrowUp')).toBe('d');
  });
  it('Home and End go to the first and last enabled option; other keys do nothing', () => {
    expect(radioKeyTarget(options, 'b', 'Home')).toBe('a');
    expect(radioKeyTarget([...options.slice(0, 3)], 'a', 'End')).toBe('b');
    expect(radioKeyTarget(options, 'b', 'Tab')).toBeUndefined();
    expect(radioKeyTarget(options, 'b', ' ')).toBeUndefined();
    expect(radioKeyTarget([{ value: 'x', disabled: true }], 'x', 'ArrowRight')).toBeUndefined();
  });
  it('from a disabled or unknown option, arrows still land on an enabled one', () => {
    expect(radioKeyTarget(options, 'c', 'ArrowRight')).toBe('d');
    expect(radioKeyTarget(options, 'c', 'ArrowLeft')).toBe('b');
    expect(radioKeyTarget(options as readonly { value: string; disabled?: boolean }[], 'z', 'ArrowRight')).toBe('a');
    expect(radioKeyTarget(options as readonly { value: string; disabled?: boolean }[], 'z', 'ArrowLeft')).toBe('d');
  });
});
