/**
 * Case 1, engine throughput: the auto-approve path with instant checks, durable on a SQLite file (sequential, and
 * 64 in flight), against the floor: the same XState machine run to completion with no store, in the same process.
 */
import { persistWhen } from '../actor.js';
import { join } from 'node:path';
import { createApplicationMachine, createRuntime, type Runtime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { createActor } from 'xstate';
import { nowMs, pool, progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';

const INPUT = { name: 'Spock', address: '123 Enterprise Street' };
const CONCURRENCY = 64;

/** The floor: one execution of the bare machine, started, run to its final state, snapshotted, stopped. */
function runBare(machine: ReturnType<typeof createApplicationMachine>): Promise<unknown> {
  return persistWhen(createActor(machine, { input: INPUT }), (snapshot) => snapshot.status === 'done');
}

async function measure(count: number, one: () => Promise<unknown>, concurrency = 1): Promise<number> {
  const start = nowMs();
  await pool(count, concurrency, one);
  return count / ((nowMs() - start) / 1000);
}

runCase(async ({ quick, runs, dir }) => {
  const count = quick ? 1_500 : 10_000;
  const machine = createApplicationMachine();
  const sequential: Runtime = createRuntime({ store: createSqliteStore({ path: join(dir, 'engine-seq.db') }) });
  const concurrent: Runtime = createRuntime({ store: createSqliteStore({ path: join(dir, 'engine-conc.db') }) });
  const floor: number[] = [];
  const seq: number[] = [];
  const conc: number[] = [];
  const check = await sequential.submit(INPUT);
  if (check.state !== 'APPROVED') throw new Error(`expected APPROVED, got ${check.state}`);
  // Warm-up: every path, a fraction of the count.
  const warm = count;
  await measure(warm, () => runBare(machine));
  await measure(warm, () => sequential.submit(INPUT));
  await measure(warm, () => concurrent.submit(INPUT), CONCURRENCY);
  for (let run = 1; run <= runs; run++) {
    // Interleaved, so a slow moment of the machine hits the floor and the figure alike.
    floor.push(await measure(count, () => runBare(machine)));
    seq.push(await measure(count, () => sequential.submit(INPUT)));
    conc.push(await measure(count, () => concurrent.submit(INPUT), CONCURRENCY));
    progress(
      `engine run ${run}/${runs}: floor ${floor.at(-1)!.toFixed(0)}/s, durable sequential ${seq.at(-1)!.toFixed(0)}/s, durable ×${CONCURRENCY} ${conc.at(-1)!.toFixed(0)}/s`,
    );
  }
  await sequential.close();
  await concurrent.close();
  return [
    { name: 'engine.floor', unit: 'executions/s', values: floor },
    { name: 'engine.durable_sequential', unit: 'executions/s', values: seq, floor: 'engine.floor' },
    { name: 'engine.durable_concurrent', unit: 'executions/s', values: conc, floor: 'engine.floor' },
  ] satisfies RawFigure[];
});
