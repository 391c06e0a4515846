import { describe, expect, it } from 'vitest';
import { requestIdFor } from './logger.js';

describe('requestIdFor', () => {
  it('keeps 1 to 128 safe characters', () => {
    for (const id of ['a', 'req-1', 'abc.DEF_123:x=y', 'x'.repeat(128)]) expect(requestIdFor(id)).toBe(id);
  });

  it('replaces anything else with a new UUID', () => {
    const ids = [undefined, '', 'x'.repeat(129), 'with space', 'quote"', 'line\nbreak', 'ünïcode'].map(requestIdFor);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
