import { checkAddress } from '@bank/checks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEvent } from '../application.js';
import { systemClock } from '../clock.js';
import { createMemoryStore } from '../store/memory-store.js';
import { flaky } from '../testing/flaky.js';
import { createRuntime, type Runtime } from './runtime.js';
import { createScheduler, type SchedulerTarget } from './scheduler.js';

const T0 = Date.UTC(2026, 0, 1);
const MAX_SLEEP = 10_000;

/** Times in these tests are milliseconds after T0, the fake clock's start. */
const since = () => Date.now() - T0;

/**
 * A fake target that behaves like a store with a queue of due times: `runDue` fires (and removes) every entry whose
 * time has come, `nextDueAt` answers the earliest one left. `script` overrides the next `runDue` answers, one each.
 */
function createFakeTarget() {
  const queue: number[] = [];
  const fired: { due: number; at: number }[] = [];
  const calls: string[] = [];
  const errors: unknown[] = [];
  const script: (() => Promise<number>)[] = [];
  const nextDueScript: (() => Promise<number | undefined>)[] = [];
  const target: SchedulerTarget = {
    async runDue() {
      calls.push(`runDue@${since()}`);
      const scripted = script.shift();
      if (scripted) return scripted();
      const due = queue.filter((t) => t <= since());
      for (const t of due) {
        queue.splice(queue.indexOf(t), 1);
        fired.push({ due: t, at: since() });
      }
      return due.length;
    },
    async nextDueAt() {
      calls.push(`nextDueAt@${since()}`);
      const scripted = nextDueScript.shift();
      if (scripted) return scripted();
      return queue.length > 0 ? T0 + Math.min(...queue) : undefined;
    },
    now: () => Date.now(),
    onError: (error) => errors.push(error),
  };
  /** Adds an execution due at `t` (ms after T0), as a commit of this or another process would. */
  const add = (t: number) => queue.push(t);
  return { target, queue, fired, calls, errors, script, nextDueScript, add };
}

/** Moves the fake clock to `t` ms after T0, running every timer and promise on the way. */
const advanceTo = (t: number) => vi.advanceTimersByTimeAsync(t - since());

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a first round at once when started, and nothing before', async () => {
    const fake = createFakeTarget();
    fake.add(0);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    await advanceTo(100);
    expect(fake.calls).toStrictEqual([]); // not started: no round
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.fired).toStrictEqual([{ due: 0, at: 100 }]);
    expect(fake.calls[0]).toBe('runDue@100');
    await scheduler.stop();
  });

  it('keeps draining while runDue finds work, then reads the next due time once', async () => {
    const fake = createFakeTarget();
    fake.script.push(
      async () => 3,
      async () => 2,
      async () => 1,
    );
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls).toStrictEqual(['runDue@0', 'runDue@0', 'runDue@0', 'runDue@0', 'nextDueAt@0']);
    await scheduler.stop();
  });

  it('sleeps until the earliest due time: not earlier, not later', async () => {
    const fake = createFakeTarget();
    fake.add(1500);
    fake.add(500);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(499);
    expect(fake.calls).toStrictEqual(['runDue@0', 'nextDueAt@0']); // the first round only
    await advanceTo(500);
    expect(fake.fired).toStrictEqual([{ due: 500, at: 500 }]);
    await advanceTo(1499);
    expect(fake.fired).toHaveLength(1);
    await advanceTo(1500);
    expect(fake.fired).toStrictEqual([
      { due: 500, at: 500 },
      { due: 1500, at: 1500 },
    ]);
    // Each round that fired drained once more and read the next due time: nothing ran in between.
    expect(fake.calls).toStrictEqual([
      'runDue@0',
      'nextDueAt@0',
      'runDue@500',
      'runDue@500',
      'nextDueAt@500',
      'runDue@1500',
      'runDue@1500',
      'nextDueAt@1500',
    ]);
    await scheduler.stop();
  });

  it('fires at once what is already overdue when it reads the next due time', async () => {
    const fake = createFakeTarget();
    // The store says something is due in the past (written while the round ran): no sleep at all.
    fake.nextDueScript.push(async () => T0 - 5000);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(1); // a zero timeout is a 1 ms one
    expect(fake.calls.map((c) => c.split('@')[0])).toStrictEqual(['runDue', 'nextDueAt', 'runDue', 'nextDueAt']);
    await scheduler.stop();
  });

  it('re-arms for an earlier time on wake, and fires at that time', async () => {
    const fake = createFakeTarget();
    fake.add(1000);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(100); // sleeping until 1000
    fake.add(300); // a commit in this process sets an earlier due time and says so
    scheduler.wake(T0 + 300);
    await advanceTo(299);
    expect(fake.fired).toStrictEqual([]);
    await advanceTo(300);
    expect(fake.fired).toStrictEqual([{ due: 300, at: 300 }]);
    await advanceTo(1000);
    expect(fake.fired).toStrictEqual([
      { due: 300, at: 300 },
      { due: 1000, at: 1000 },
    ]);
    await scheduler.stop();
  });

  it('keeps an earlier wake-up when told of a later due time', async () => {
    const fake = createFakeTarget();
    fake.add(300);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(100); // sleeping until 300
    fake.add(800);
    scheduler.wake(T0 + 800);
    scheduler.wake(T0 + MAX_SLEEP * 5); // far later than the longest sleep
    await advanceTo(300);
    expect(fake.fired).toStrictEqual([{ due: 300, at: 300 }]);
    await advanceTo(800);
    expect(fake.fired).toStrictEqual([
      { due: 300, at: 300 },
      { due: 800, at: 800 },
    ]);
    await scheduler.stop();
  });

  it('fires at once on a wake for a time already past', async () => {
    const fake = createFakeTarget();
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(100); // nothing due: sleeping until MAX_SLEEP
    fake.add(50);
    scheduler.wake(T0 + 50);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.fired).toStrictEqual([{ due: 50, at: 100 }]);
    await scheduler.stop();
  });

  it('never sleeps longer than maxSleepMs, so it finds due times written by other processes', async () => {
    const fake = createFakeTarget();
    const scheduler = createScheduler(fake.target, 1000);
    scheduler.start();
    await advanceTo(100);
    fake.add(200); // written by another process: no wake here
    await advanceTo(999);
    expect(fake.fired).toStrictEqual([]);
    await advanceTo(1000);
    expect(fake.fired).toStrictEqual([{ due: 200, at: 1000 }]);
    // A due time far away does not make it sleep longer either, and an idle loop polls at that pace.
    fake.add(60_000);
    await advanceTo(3000);
    expect(fake.calls.filter((c) => c.startsWith('nextDueAt'))).toStrictEqual([
      'nextDueAt@0',
      'nextDueAt@1000',
      'nextDueAt@2000',
      'nextDueAt@3000',
    ]);
    await scheduler.stop();
  });

  it('reports an error of runDue to onError and goes on', async () => {
    const fake = createFakeTarget();
    const boom = new Error('store unavailable');
    fake.script.push(async () => {
      throw boom;
    });
    fake.add(0);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.errors).toStrictEqual([boom]);
    expect(fake.fired).toStrictEqual([]);
    // It tries again after a short pause (never a busy loop), and the work gets done.
    await advanceTo(1000);
    expect(fake.fired).toStrictEqual([{ due: 0, at: 1000 }]);
    expect(fake.errors).toStrictEqual([boom]);
    await scheduler.stop();
  });

  it('reports an error of nextDueAt to onError and goes on', async () => {
    const fake = createFakeTarget();
    const boom = new Error('store unavailable');
    fake.nextDueScript.push(async () => {
      throw boom;
    });
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.errors).toStrictEqual([boom]);
    fake.add(500);
    await advanceTo(1000);
    expect(fake.fired).toStrictEqual([{ due: 500, at: 1000 }]);
    await scheduler.stop();
  });

  it('waits in stop() for the round in progress, and runs no round after it', async () => {
    const fake = createFakeTarget();
    const inFlight = deferred<number>();
    fake.script.push(() => inFlight.promise);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls).toStrictEqual(['runDue@0']);

    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(stopped).toBe(false); // the round is still running
    inFlight.resolve(1); // it found work: a running loop would drain again, a stopping one must not
    await stopping;
    expect(stopped).toBe(true);
    const callsAtStop = [...fake.calls];

    // Nothing runs after stop: not on a wake, not on a due time, not on the polling interval.
    fake.add(100);
    scheduler.wake(T0 + 100);
    await advanceTo(MAX_SLEEP * 3);
    expect(fake.calls.slice(callsAtStop.length)).toStrictEqual([]);
    expect(fake.calls.filter((c) => c.startsWith('runDue'))).toStrictEqual(['runDue@0']);
    expect(fake.fired).toStrictEqual([]);
  });

  it('stops while asleep: the armed wake-up never fires', async () => {
    const fake = createFakeTarget();
    fake.add(500);
    const scheduler = createScheduler(fake.target, MAX_SLEEP);
    scheduler.start();
    await advanceTo(100);
    await scheduler.stop();
    const calls = fake.calls.length;
    await advanceTo(MAX_SLEEP * 3);
    expect(fake.calls).toHaveLength(calls);
    expect(fake.fired).toStrictEqual([]);
  });

  it('ignores a second start, and starts again after a stop', async () => {
    const fake = createFakeTarget();
    const scheduler = createScheduler(fake.target, 1000);
    scheduler.start();
    scheduler.start();
    await advanceTo(500);
    scheduler.start(); // while asleep: no extra round
    await advanceTo(999);
    expect(fake.calls).toStrictEqual(['runDue@0', 'nextDueAt@0']);
    await advanceTo(1000);
    expect(fake.calls).toStrictEqual(['runDue@0', 'nextDueAt@0', 'runDue@1000', 'nextDueAt@1000']);

    await scheduler.stop();
    await advanceTo(1500);
    fake.add(1500);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.fired).toStrictEqual([{ due: 1500, at: 1500 }]);
    await scheduler.stop();
  });
});

describe('the scheduler of a runtime', () => {
  const RETRY = { intervalMs: 150, maxRetries: 3, backoffRate: 2, jitter: 0 } as const;

  async function settled(runtime: Runtime, id: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const app = await runtime.get(id);
      if (app.execution.status !== 'RUNNING' || Date.now() > deadline) return app;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The scheduled retry time and the time the next attempt ran, from the history. */
  function retryOf(history: readonly HistoryEvent[]) {
    const failed = history.find((e) => e.type === 'check.failed');
    const next = history.find((e) => e.type === 'check.succeeded' && e.data.check === 'address');
    expect(failed?.data).toMatchObject({ check: 'address', outcome: 'retry', attempt: 1 });
    expect(next?.data).toMatchObject({ attempt: 2 });
    return { retryAt: Date.parse(String(failed?.data.retryAt)), ranAt: Date.parse(String(next?.at)) };
  }

  it('fires a retry by itself at its due time, not before, and none after stop', { timeout: 10_000 }, async () => {
    const errors: unknown[] = [];
    const runtime = createRuntime({
      store: createMemoryStore(),
      clock: systemClock,
      checks: { address: flaky(checkAddress, 1) },
      retry: RETRY,
      // Polling could not find these retries in time: only the first round, the sleep and the wake can.
      pollIntervalMs: 60_000,
      onSchedulerError: (e) => errors.push(e),
    });
    try {
      // Due before the scheduler starts: nothing fires it until start(), whose first round does.
      const before = await runtime.submit({ name: 'Spock', address: '1 Early Street' });
      expect(before.execution).toMatchObject({ status: 'RUNNING', failures: { address: 1 } });
      const beforeDue = Date.parse(before.execution.nextAttemptAt ?? '');
      await new Promise((r) => setTimeout(r, beforeDue - Date.now() + 50));
      expect((await runtime.get(before.id)).execution.status).toBe('RUNNING');
      const startedAt = Date.now();
      runtime.start();

      expect((await settled(runtime, before.id, 3000)).state).toBe('APPROVED');
      await new Promise((r) => setTimeout(r, 50)); // the first round ends: nothing is due, so it sleeps for a minute

      // Due while the scheduler sleeps: only the wake-up from the commit can fire it in time.
      const after = await runtime.submit({ name: 'Kirk', address: '2 Late Street' });
      expect(after.execution.status).toBe('RUNNING');
      const afterDue = Date.parse(after.execution.nextAttemptAt ?? '');
      await new Promise((r) => setTimeout(r, afterDue - Date.now() - 50));
      const probe = await runtime.get(after.id);
      // Read before its due time (unless this machine stalled for 50 ms): the retry has not run yet.
      if (Date.now() < afterDue) expect(probe.execution.status).toBe('RUNNING');
      expect((await settled(runtime, after.id, 3000)).state).toBe('APPROVED');

      const first = retryOf(await runtime.history(before.id));
      expect(first.ranAt).toBeGreaterThanOrEqual(startedAt);
      expect(first.ranAt - startedAt).toBeLessThan(1000);
      const second = retryOf(await runtime.history(after.id));
      expect(second.ranAt).toBeGreaterThanOrEqual(second.retryAt);
      expect(second.ranAt - second.retryAt).toBeLessThan(1000);

      // After stop(), a due retry waits for whoever drives the store next.
      await runtime.stop();
      const stopped = await runtime.submit({ name: 'Uhura', address: '3 Stopped Street' });
      const stoppedDue = Date.parse(stopped.execution.nextAttemptAt ?? '');
      await new Promise((r) => setTimeout(r, stoppedDue - Date.now() + 50));
      expect((await runtime.get(stopped.id)).execution.status).toBe('RUNNING');
      expect(await runtime.runDue()).toBe(1);
      expect(errors).toStrictEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
