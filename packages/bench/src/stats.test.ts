import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.js';
import { evaluateTargets } from './targets.js';

describe('median and percentile', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('summarize', () => {
  it('reports median, min, max and runs, and the ratio to the named floor', () => {
    const figures = summarize([
      { name: 'engine.floor', unit: 'executions/s', values: [10_000, 12_000, 11_000] },
      { name: 'engine.durable_sequential', unit: 'executions/s', values: [6_000, 5_000, 7_000], floor: 'engine.floor' },
    ]);
    expect(figures[0]).toEqual({ name: 'engine.floor', unit: 'executions/s', median: 11_000, min: 10_000, max: 12_000, runs: 3 });
    expect(figures[1]).toMatchObject({ median: 6_000, floor: 'engine.floor', ratio: 0.545 });
  });

  it('evaluates the targets of the figures present, met or missed', () => {
    const targets = evaluateTargets(
      summarize([
        { name: 'parallel.serial_p50', unit: 'ms', values: [100, 100, 100] },
        { name: 'parallel.p50', unit: 'ms', values: [51, 52, 53], floor: 'parallel.serial_p50' },
        { name: 'parallel.p99', unit: 'ms', values: [56, 57, 58], floor: 'parallel.serial_p50' },
      ]),
    );
    expect(targets.map((t) => [t.name, t.met])).toEqual([
      ['parallel.p50_vs_serial', true],
      ['parallel.p99_overhead', false],
    ]);
  });
});
