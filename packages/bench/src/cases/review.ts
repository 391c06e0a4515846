/**
 * Case 3, the review path: N applications waiting for review on a SQLite file, then all reviewed with 64 in
 * flight (restore, resume, settle, save). Figure: completed durable reviews per second.
 */
import { persistWhen } from '../actor.js';
import { join } from 'node:path';
import { createApplicationMachine, createRuntime, type ApplicationMachine } from '@bank/core';
import { createActor, type SnapshotFrom } from 'xstate';
import { createSqliteStore } from '@bank/core/sqlite';
import { nowMs, pool, progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';

const FLAGGED = { name: 'Gabe', address: 'ABadAddress' };
const CONCURRENCY = 64;

/** Runs a machine from a snapshot with an event until it is done: the review with no store at all. */
function resumeBare(machine: ApplicationMachine, snapshot: unknown, decision: 'APPROVE' | 'REJECT'): Promise<unknown> {
  const restored = snapshot as SnapshotFrom<ApplicationMachine>;
  const actor = createActor(machine, { snapshot: restored, input: undefined as never });
  return persistWhen(
    actor,
    (s) => s.status === 'done',
    () =>
      actor.send({ type: 'review.submitted', decision, taskToken: restored.context.taskToken ?? '', reviewer: 'bench', at: Date.now() }),
  );
}

/** A persisted snapshot of an execution waiting for review, made by the bare machine. */
function flaggedSnapshot(machine: ApplicationMachine): Promise<unknown> {
  return persistWhen(createActor(machine, { input: FLAGGED }), (snapshot) => snapshot.matches('pendingReview'));
}

runCase(async ({ quick, runs, dir }) => {
  const count = quick ? 1_500 : 10_000;
  const runtime = createRuntime({ store: createSqliteStore({ path: join(dir, 'review.db') }) });
  const once = async (n: number): Promise<number> => {
    const ids: string[] = [];
    await pool(n, CONCURRENCY, async () => {
      const app = await runtime.submit(FLAGGED);
      if (app.state !== 'FLAGGED_FOR_REVIEW') throw new Error(`expected FLAGGED_FOR_REVIEW, got ${app.state}`);
      ids.push(app.id);
    });
    const start = nowMs();
    await pool(ids.length, CONCURRENCY, async (i) => {
      const app = await runtime.review(ids[i]!, i % 2 === 0 ? 'APPROVE' : 'REJECT', { reviewer: 'bench' });
      if (app.state !== 'APPROVED' && app.state !== 'REJECTED') throw new Error(`unexpected state after review: ${app.state}`);
    });
    return n / ((nowMs() - start) / 1000);
  };
  const machine = createApplicationMachine();
  const snapshot = JSON.parse(JSON.stringify(await flaggedSnapshot(machine))) as unknown;
  const bare = async (n: number): Promise<number> => {
    const start = nowMs();
    await pool(n, CONCURRENCY, (i) => resumeBare(machine, JSON.parse(JSON.stringify(snapshot)), i % 2 === 0 ? 'APPROVE' : 'REJECT'));
    return n / ((nowMs() - start) / 1000);
  };
  await bare(count);
  await once(count);
  const floor: number[] = [];
  const values: number[] = [];
  for (let run = 1; run <= runs; run++) {
    floor.push(await bare(count));
    values.push(await once(count));
    progress(`review run ${run}/${runs}: floor ${floor.at(-1)!.toFixed(0)} reviews/s, durable ${values.at(-1)!.toFixed(0)} reviews/s`);
  }
  await runtime.close();
  return [
    { name: 'review.floor', unit: 'reviews/s', values: floor },
    { name: 'review.durable', unit: 'reviews/s', values, floor: 'review.floor' },
  ] satisfies RawFigure[];
});
