import { describe, expect, it } from 'vitest';
import { summarize } from './stats.js';
import { evaluateTargets } from './targets.js';

describe('the Postgres targets', () => {
  it('are evaluated, met or missed, when the pg case ran', () => {
    const targets = evaluateTargets(
      summarize([
        { name: 'pg.sqlite_engine_concurrent', unit: 'executions/s', values: [4_000, 4_100, 3_900] },
        { name: 'pg.engine_concurrent', unit: 'executions/s', values: [1_600, 1_700, 1_500], floor: 'pg.sqlite_engine_concurrent' },
        { name: 'pg.sqlite_review', unit: 'reviews/s', values: [9_000, 9_500, 8_500] },
        { name: 'pg.review', unit: 'reviews/s', values: [1_100, 1_000, 1_200], floor: 'pg.sqlite_review' },
      ]),
    );
    expect(targets.map((t) => [t.name, t.value, t.met])).toEqual([
      ['pg.engine_concurrent_rate', 1_600, true],
      ['pg.review_rate', 1_100, false],
    ]);
  });

  it('are left out when the pg case was skipped (no figures)', () => {
    const targets = evaluateTargets(summarize([{ name: 'review.durable', unit: 'reviews/s', values: [9_000] }]));
    expect(targets.map((t) => t.name)).toEqual(['review.rate']);
  });
});

describe('the CLI targets', () => {
  it('judge a first run (a fresh folder, a new database) on its own target, beside version and submit', () => {
    const targets = evaluateTargets(
      summarize([
        { name: 'cli.node_floor_ms', unit: 'ms', values: [40, 41, 42] },
        { name: 'cli.version_ms', unit: 'ms', values: [60, 61, 62], floor: 'cli.node_floor_ms' },
        { name: 'cli.submit_ms', unit: 'ms', values: [250, 260, 270], floor: 'cli.node_floor_ms' },
        { name: 'cli.first_run_ms', unit: 'ms', values: [590, 650, 700], floor: 'cli.node_floor_ms' },
      ]),
    );
    expect(targets.map((t) => [t.name, t.value, t.met])).toEqual([
      ['cli.version', 61, true],
      ['cli.submit', 260, true],
      ['cli.first_run', 650, false],
    ]);
  });
});
