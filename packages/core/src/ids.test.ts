import { describe, expect, it } from 'vitest';
import { APPLICATION_ID_PATTERN, newApplicationId, newTaskToken, uuidv7 } from './ids.js';

describe('ids', () => {
  it('makes UUID v7 application ids that carry the time and sort by it', () => {
    const earlier = newApplicationId(Date.UTC(2026, 0, 1));
    const later = newApplicationId(Date.UTC(2026, 0, 1) + 1);
    expect(earlier).toMatch(APPLICATION_ID_PATTERN);
    expect(earlier < later).toBe(true);
    expect(uuidv7(0x0123456789ab).slice(0, 13)).toBe('01234567-89ab');
  });

  it('never repeats an id or a token, across many pool refills', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newApplicationId(Date.UTC(2026, 0, 1))));
    const tokens = new Set(Array.from({ length: 5000 }, () => newTaskToken()));
    expect(ids.size).toBe(5000);
    expect(tokens.size).toBe(5000);
    for (const token of tokens) expect(token).toMatch(/^tt_[0-9a-f]{32}$/);
  });
});
