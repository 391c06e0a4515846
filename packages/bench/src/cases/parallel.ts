/**
 * Case 2, parallelism: each check takes 50 ms. Latency of one execution (one in flight at a time), against a
 * serial variant measured in the same run, where the address check starts only when the name check has finished.
 */
import { join } from 'node:path';
import { checkAddress, checkName } from '@bank/checks';
import { createRuntime, type CheckFns } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { nowMs, progress, runCase, sleep } from '../child.js';
import { percentile, type RawFigure } from '../stats.js';

const CHECK_MS = 50;
const INPUT = { name: 'Spock', address: '123 Enterprise Street' };

/** Both checks sleep 50 ms, concurrently: the machine's parallel regions. */
const parallelChecks: CheckFns = {
  name: async (v) => (await sleep(CHECK_MS), checkName(v)),
  address: async (v) => (await sleep(CHECK_MS), checkAddress(v)),
};

/** The serial emulation: the address check waits for the name check to finish, then takes its own 50 ms. */
function serialChecks(): CheckFns {
  let nameDone: Promise<void> = Promise.resolve();
  return {
    name: (v) => {
      const done = sleep(CHECK_MS);
      nameDone = done;
      return done.then(() => checkName(v));
    },
    address: async (v) => {
      await nameDone;
      await sleep(CHECK_MS);
      return checkAddress(v);
    },
  };
}

runCase(async ({ quick, runs, dir }) => {
  const count = quick ? 15 : 60;
  const parallel = createRuntime({ store: createSqliteStore({ path: join(dir, 'parallel.db') }), checks: parallelChecks });
  const serial = createRuntime({ store: createSqliteStore({ path: join(dir, 'serial.db') }), checks: serialChecks() });
  const latencies = async (runtime: typeof parallel, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = nowMs();
      const app = await runtime.submit(INPUT);
      out.push(nowMs() - start);
      if (app.state !== 'APPROVED') throw new Error(`expected APPROVED, got ${app.state}`);
    }
    return out;
  };
  await latencies(parallel, 5);
  await latencies(serial, 5);
  const p50: number[] = [];
  const p99: number[] = [];
  const serialP50: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const par = await latencies(parallel, count);
    const ser = await latencies(serial, count);
    p50.push(percentile(par, 50));
    p99.push(percentile(par, 99));
    serialP50.push(percentile(ser, 50));
    progress(
      `parallel run ${run}/${runs}: p50 ${p50.at(-1)!.toFixed(2)} ms, p99 ${p99.at(-1)!.toFixed(2)} ms, serial p50 ${serialP50.at(-1)!.toFixed(2)} ms`,
    );
  }
  await parallel.close();
  await serial.close();
  return [
    { name: 'parallel.p50', unit: 'ms', values: p50, floor: 'parallel.serial_p50' },
    { name: 'parallel.p99', unit: 'ms', values: p99, floor: 'parallel.serial_p50' },
    { name: 'parallel.serial_p50', unit: 'ms', values: serialP50 },
  ] satisfies RawFigure[];
});
