import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions, and a swap of neighbours as one edit', () => {
    expect(editDistance('approve', 'approve')).toBe(0);
    expect(editDistance('aprove', 'approve')).toBe(1);
    expect(editDistance('approvee', 'approve')).toBe(1);
    expect(editDistance('apprive', 'approve')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('', 'db')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closest', () => {
  const commands = ['submit', 'list', 'show', 'history', 'review', 'approve', 'reject', 'redrive', 'check', 'serve', 'demo'];

  it('suggests the nearest command for a typo', () => {
    expect(closest('aprove', commands)).toBe('approve');
    expect(closest('lsit', commands)).toBe('list');
    expect(closest('submt', commands)).toBe('submit');
    expect(closest('Demo', commands)).toBe('demo');
  });

  it('suggests nothing when nothing is close, or the word is too short to tell', () => {
    expect(closest('frobnicate', commands)).toBeUndefined();
    expect(closest('x', commands)).toBeUndefined();
    expect(closest('ls', commands)).toBeUndefined();
  });

  it('words the hint, or leaves it out', () => {
    expect(didYouMean('nmae', ['name', 'address'])).toBe(" (did you mean 'name'?)");
    expect(didYouMean('zzzz', ['name', 'address'])).toBe('');
  });
});
