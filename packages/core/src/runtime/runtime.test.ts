import { checkAddress, checkName } from '@bank/checks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createFakeClock, type FakeClock } from '../clock.js';
import { flaky } from '../testing/flaky.js';
import { createRuntime, type Runtime } from './runtime.js';

const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const GABE = { name: 'Gabe', address: 'ABadAddress' };
const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'bank-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

// Every behaviour runs on the in-memory store and on a real SQLite file.
const STORES: [string, () => Promise<Store>][] = [
  ['memory store', async () => createMemoryStore()],
  ['a SQLite file', async () => createSqliteStore({ path: join(dir, `runtime-${++files}.db`) })],
];

let clock: FakeClock;
let store: Store;
let runtime: Runtime;

for (const [label, openStore] of STORES) {
  describe(`runtime on ${label}`, () => {
    beforeEach(async () => {
      clock = createFakeClock();
      store = await openStore();
      runtime = createRuntime({ store, clock, random: () => 0 });
    });
    afterEach(async () => {
      await store.close();
    });

    describe('runtime: the reference cases', () => {
      it('approves Spock without review', async () => {
        const app = await runtime.submit(SPOCK);
        expect(app).toMatchObject({
          ...SPOCK,
          state: 'APPROVED',
          checks: { name: { flagged: false }, address: { flagged: false } },
          execution: { status: 'SUCCEEDED' },
        });
        expect(app.id).toMatch(/^app_[0-9a-f-]{36}$/);
        expect(await runtime.get(app.id)).toStrictEqual(app);
        expect((await runtime.history(app.id)).map((e) => e.type)).toStrictEqual([
          'execution.started',
          'state.entered',
          'check.succeeded',
          'check.succeeded',
          'state.entered',
          'execution.succeeded',
        ]);
      });

      it('pauses Gabe for review, then approves on APPROVE', async () => {
        const flagged = await runtime.submit(GABE);
        expect(flagged).toMatchObject({
          state: 'FLAGGED_FOR_REVIEW',
          execution: { status: 'WAITING_FOR_REVIEW' },
          checks: { name: { flagged: false }, address: { flagged: true } },
        });
        expect(flagged.taskToken).toMatch(/^tt_[0-9a-f]{32}$/);
        clock.advance(3 * 24 * 3600_000); // days later
        const approved = await runtime.review(flagged.id, 'APPROVE', { reviewer: 'riker' });
        expect(approved).toMatchObject({
          state: 'APPROVED',
          review: { decision: 'APPROVE', reviewer: 'riker', reviewedAt: '2026-01-04T00:00:00.000Z' },
          execution: { status: 'SUCCEEDED' },
        });
        expect(approved.taskToken).toBeUndefined();
        const states = (await runtime.history(flagged.id)).filter((e) => e.type === 'state.entered').map((e) => e.data.state);
        expect(states).toStrictEqual(['SUBMITTED', 'FLAGGED_FOR_REVIEW', 'REVIEW_APPROVED', 'APPROVED']);
      });

      it('rejects Gabe on REJECT', async () => {
        const flagged = await runtime.submit(GABE);
        const rejected = await runtime.review(flagged.id, 'REJECT');
        expect(rejected).toMatchObject({ state: 'REJECTED', review: { decision: 'REJECT' } });
        const types = (await runtime.history(flagged.id)).map((e) => `${e.type}${e.data.state ? `:${String(e.data.state)}` : ''}`);
        expect(types.slice(-4)).toStrictEqual([
          'review.received',
          'state.entered:REVIEW_REJECTED',
          'state.entered:REJECTED',
          'execution.succeeded:REJECTED',
        ]);
      });

      it('flags UNPROCESSABLE_DATA with the error as reason', async () => {
        const app = await runtime.submit(UNPROCESSABLE);
        expect(app).toMatchObject({
          state: 'FLAGGED_WITH_UNPROCESSABLE_DATA',
          reason: "UnprocessableDataError: Name 'UNPROCESSABLE_DATA' is not possible to check.",
          execution: { status: 'SUCCEEDED' },
        });
        const failed = (await runtime.history(app.id)).find((e) => e.type === 'check.failed');
        expect(failed?.data).toMatchObject({ check: 'name', outcome: 'unprocessable', error: { name: 'UnprocessableDataError' } });
      });
    });

    describe('runtime: input and errors', () => {
      it('rejects bad input with invalid_input and stores nothing', async () => {
        for (const bad of [
          { name: '', address: '1 Main' },
          { name: 'A', address: 'x'.repeat(201) },
          { name: 'A' },
          null,
          'Spock',
          { ...SPOCK, admin: true },
        ]) {
          expect(await codeOf(runtime.submit(bad))).toBe('invalid_input');
        }
        expect((await runtime.list()).items).toStrictEqual([]);
      });

      it('answers not_found for unknown and malformed ids', async () => {
        for (const id of ['app_00000000-0000-7000-8000-000000000000', 'nope', "' OR 1=1 --", '']) {
          expect(await codeOf(runtime.get(id))).toBe('not_found');
          expect(await codeOf(runtime.history(id))).toBe('not_found');
          expect(await codeOf(runtime.review(id, 'APPROVE'))).toBe('not_found');
        }
      });
    });

    describe('runtime: reviews', () => {
      it('refuses any decision but APPROVE or REJECT', async () => {
        const app = await runtime.submit(GABE);
        for (const decision of ['approve', 'MAYBE', '', 1, null])
          expect(await codeOf(runtime.review(app.id, decision))).toBe('invalid_input');
        expect((await runtime.get(app.id)).state).toBe('FLAGGED_FOR_REVIEW');
      });

      it('refuses a second review, a review of an application not waiting, and a stale token', async () => {
        const app = await runtime.submit(GABE);
        expect(await codeOf(runtime.review(app.id, 'APPROVE', { taskToken: 'tt_stale' }))).toBe('conflict');
        await runtime.review(app.id, 'APPROVE', { taskToken: app.taskToken });
        expect(await codeOf(runtime.review(app.id, 'REJECT'))).toBe('conflict');
        expect((await runtime.get(app.id)).state).toBe('APPROVED');
        const spock = await runtime.submit(SPOCK);
        expect(await codeOf(runtime.review(spock.id, 'APPROVE'))).toBe('conflict');
      });

      it('applies exactly one of 50 concurrent reviews', async () => {
        const app = await runtime.submit(GABE);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => codeOf(runtime.review(app.id, i % 2 ? 'APPROVE' : 'REJECT'))),
        );
        expect(outcomes.filter((o) => o === 'resolved')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(49);
        expect((await runtime.history(app.id)).filter((e) => e.type === 'review.received')).toHaveLength(1);
      });
    });

    describe('runtime: idempotency', () => {
      it('returns the same application for the same key and input, and conflicts on other input', async () => {
        const first = await runtime.submit(GABE, { idempotencyKey: 'k-1' });
        const again = await runtime.submit({ name: ' Gabe ', address: 'ABadAddress' }, { idempotencyKey: 'k-1' });
        expect(again.id).toBe(first.id);
        expect(await codeOf(runtime.submit(SPOCK, { idempotencyKey: 'k-1' }))).toBe('conflict');
        expect(await codeOf(runtime.submit(SPOCK, { idempotencyKey: 'bad key with spaces' }))).toBe('invalid_input');
        expect((await runtime.list()).items).toHaveLength(1);
      });

      it('creates one application for concurrent submits with one key', async () => {
        const apps = await Promise.all(Array.from({ length: 10 }, () => runtime.submit(SPOCK, { idempotencyKey: 'same' })));
        expect(new Set(apps.map((a) => a.id)).size).toBe(1);
        expect((await runtime.list()).items).toHaveLength(1);
      });
    });

    describe('runtime: list', () => {
      it('pages through applications by state with a cursor, oldest first', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          clock.advance(1000);
          ids.push((await runtime.submit({ name: `Gabe ${i}`, address: 'ABadAddress' })).id);
          await runtime.submit(SPOCK);
        }
        const page1 = await runtime.list({ state: 'FLAGGED_FOR_REVIEW', limit: 2 });
        const page2 = await runtime.list({ state: 'FLAGGED_FOR_REVIEW', limit: '2', cursor: page1.nextCursor });
        const page3 = await runtime.list({ state: 'FLAGGED_FOR_REVIEW', limit: 2, cursor: page2.nextCursor });
        expect([...page1.items, ...page2.items, ...page3.items].map((a) => a.id)).toStrictEqual(ids);
        expect(page3.nextCursor).toBeUndefined();
        expect((await runtime.list({ state: 'APPROVED' })).items).toHaveLength(5);
      });

      it('rejects a bad state, limit or cursor', async () => {
        for (const bad of [
          { state: 'PENDING' },
          { limit: 0 },
          { limit: 201 },
          { limit: 'ten' },
          { cursor: 'garbage!' },
          { cursor: 'WyJ4IiwieSJd' },
        ]) {
          expect(await codeOf(runtime.list(bad))).toBe('invalid_input');
        }
      });
    });

    describe('runtime: retries', () => {
      it('retries a transient failure at its stored due time, with the injected clock', async () => {
        const name = flaky(checkName, 1);
        runtime = createRuntime({ store, clock, random: () => 0, checks: { name } });
        const app = await runtime.submit(SPOCK);
        expect(app).toMatchObject({
          state: 'SUBMITTED',
          execution: { status: 'RUNNING', nextAttemptAt: '2026-01-01T00:00:01.000Z', failures: { name: 1 } },
        });
        expect(app.checks).toStrictEqual({ address: { flagged: false } });
        clock.advance(999);
        expect(await runtime.runDue()).toBe(0);
        clock.advance(1);
        expect(await runtime.runDue()).toBe(1);
        const done = await runtime.get(app.id);
        expect(done).toMatchObject({ state: 'APPROVED', checks: { name: { flagged: false }, address: { flagged: false } } });
        expect(name.calls()).toBe(2);
        const failed = (await runtime.history(app.id)).find((e) => e.type === 'check.failed');
        expect(failed?.data).toMatchObject({ check: 'name', attempt: 1, outcome: 'retry', retryAt: '2026-01-01T00:00:01.000Z' });
      });

      it('backs off 1 s, 2 s, 4 s, then fails; a redrive resumes from the failed step', async () => {
        const address = flaky(checkAddress, 4);
        const name = flaky(checkName, 0);
        runtime = createRuntime({ store, clock, random: () => 0, checks: { name, address } });
        const app = await runtime.submit(SPOCK);
        const waits: string[] = [];
        for (const delay of [1000, 2000, 4000]) {
          const current = await runtime.get(app.id);
          waits.push(current.execution.nextAttemptAt ?? 'none');
          clock.advance(delay);
          await runtime.runDue();
        }
        expect(waits).toStrictEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:07.000Z']);
        const failed = await runtime.get(app.id);
        expect(failed).toMatchObject({
          state: 'SUBMITTED',
          execution: { status: 'FAILED', error: { check: 'address', message: 'service unavailable (attempt 4)' } },
        });
        expect(await runtime.runDue()).toBe(0);
        const redriven = await runtime.redrive(app.id);
        expect(redriven).toMatchObject({ state: 'APPROVED' });
        expect(name.calls()).toBe(1); // the name check had passed: the redrive did not run it again
        expect(address.calls()).toBe(5);
        expect(await codeOf(runtime.redrive(app.id))).toBe('conflict');
      });

      it('applies jitter and the maximum delay', async () => {
        runtime = createRuntime({
          store,
          clock,
          random: () => 0.5,
          retry: { intervalMs: 10_000, jitter: 0.5, maxDelayMs: 6000 },
          checks: { name: flaky(checkName, 1) },
        });
        const app = await runtime.submit(SPOCK);
        expect(app.execution.nextAttemptAt).toBe('2026-01-01T00:00:04.500Z'); // min(10 s, 6 s) × (1 - 0.5 × 0.5)
      });

      it('recovers due executions in a new runtime on the same store, as after a restart', async () => {
        const first = createRuntime({ store, clock, random: () => 0, checks: { name: flaky(checkName, 1) } });
        const apps = await Promise.all([first.submit(SPOCK), first.submit(GABE)]);
        expect(apps.map((a) => a.execution.status)).toStrictEqual(['RUNNING', 'RUNNING']);
        clock.advance(60_000); // the process was down past the due times
        const second = createRuntime({ store, clock });
        expect(await second.recover()).toBe(2);
        expect((await second.get(apps[0].id)).state).toBe('APPROVED');
        expect((await second.get(apps[1].id)).state).toBe('FLAGGED_FOR_REVIEW');
        expect(await second.recover()).toBe(0);
      });

      it('treats a check that never answers as a transient failure', async () => {
        runtime = createRuntime({
          store,
          clock,
          checkTimeoutMs: 20,
          retry: { maxRetries: 0 },
          checks: { address: () => new Promise(() => {}) },
        });
        const app = await runtime.submit(SPOCK);
        expect(app.execution).toMatchObject({ status: 'FAILED', error: { check: 'address', name: 'CheckTimeoutError' } });
      });
    });

    describe('runtime: check answers', () => {
      for (const [label, answer] of [
        ['undefined', undefined],
        ['a string flag', { flagged: 'true' }],
        ['a flag with extra keys', { flagged: false, approved: true }],
        ['a passed result with a reason', { flagged: false, reason: 'looks fine' }],
        ['null', null],
      ] as const) {
        it(`counts ${label} as a failed attempt, retried and then FAILED, never an approval`, async () => {
          runtime = createRuntime({ store, clock, random: () => 0, retry: { maxRetries: 1 }, checks: { name: () => answer as never } });
          const app = await runtime.submit(SPOCK);
          expect(app).toMatchObject({ state: 'SUBMITTED', execution: { status: 'RUNNING', failures: { name: 1 } } });
          clock.advance(1000);
          await runtime.runDue();
          const failed = await runtime.get(app.id);
          expect(failed.state).toBe('SUBMITTED');
          expect(failed.execution).toMatchObject({ status: 'FAILED', error: { check: 'name', name: 'InvalidCheckResultError' } });
          expect(failed.checks?.name).toBeUndefined();
        });
      }

      it('gives a check an AbortSignal that aborts when its time is up', async () => {
        let signal: AbortSignal | undefined;
        runtime = createRuntime({
          store,
          clock,
          checkTimeoutMs: 20,
          retry: { maxRetries: 0 },
          checks: {
            name: (_value, context) => {
              signal = context.signal;
              return new Promise(() => {});
            },
          },
        });
        await runtime.submit(SPOCK);
        expect(signal?.aborted).toBe(true);
        expect((signal?.reason as Error).name).toBe('CheckTimeoutError');
      });
    });

    describe('runtime: reviewers', () => {
      it('records who reviewed and their note in the review and the history', async () => {
        const app = await runtime.submit(GABE);
        const reviewed = await runtime.review(app.id, 'REJECT', { reviewer: 'alice', note: '  address is a shop  ' });
        expect(reviewed.review).toMatchObject({ decision: 'REJECT', reviewer: 'alice', note: 'address is a shop' });
        const received = (await runtime.history(app.id)).find((e) => e.type === 'review.received');
        expect(received?.data).toStrictEqual({ decision: 'REJECT', reviewer: 'alice', note: 'address is a shop' });
      });

      it('refuses a reviewer name that is not a plain identifier and a note with control characters', async () => {
        const app = await runtime.submit(GABE);
        expect(await codeOf(runtime.review(app.id, 'APPROVE', { reviewer: 'alice bob' }))).toBe('invalid_input');
        expect(await codeOf(runtime.review(app.id, 'APPROVE', { note: 'ok\u001b[2J' }))).toBe('invalid_input');
        expect(await codeOf(runtime.review(app.id, 'APPROVE', { note: 'x\ud800' }))).toBe('invalid_input');
        expect((await runtime.get(app.id)).state).toBe('FLAGGED_FOR_REVIEW');
      });
    });

    describe('runtime: failed executions', () => {
      it('lists FAILED executions by status', async () => {
        const failing = (value: string) => {
          if (value === SPOCK.name) throw new Error('service unavailable');
          return checkName(value);
        };
        runtime = createRuntime({ store, clock, random: () => 0, retry: { maxRetries: 0 }, checks: { name: failing } });
        const failed = await runtime.submit(SPOCK);
        await runtime.submit(GABE);
        expect(failed.execution.status).toBe('FAILED');
        const page = await runtime.list({ status: 'FAILED' });
        expect(page.items.map((a) => a.id)).toStrictEqual([failed.id]);
        expect(await codeOf(runtime.list({ status: 'BROKEN' }))).toBe('invalid_input');
      });

      it('quarantines a due execution of an unknown machine version, drives the others, and redrives it once fixed', async () => {
        const failing = flaky(checkName, 1);
        runtime = createRuntime({ store, clock, random: () => 0, checks: { name: failing } });
        const apps = await Promise.all(Array.from({ length: 5 }, (_, i) => runtime.submit({ ...SPOCK, name: `Spock ${i}` })));
        const bad = (await store.load(apps[2]!.id))!;
        await store.commit({ ...bad, expectedVersion: bad.version, machineVersion: 99, events: [] });
        const quarantined: string[] = [];
        runtime = createRuntime({ store, clock, random: () => 0, checks: { name: failing }, onQuarantine: (q) => quarantined.push(q.id) });
        clock.advance(1000);
        expect(await runtime.recover()).toBe(4);
        expect(quarantined).toStrictEqual([bad.application.id]);
        for (const app of apps) {
          const now = await runtime.get(app.id);
          if (app.id === bad.application.id) {
            expect(now.execution).toMatchObject({ status: 'FAILED', quarantined: { reason: expect.stringMatching(/machine version 99/) } });
          } else {
            expect(now.state).toBe('APPROVED');
          }
        }
        expect((await runtime.history(bad.application.id)).at(-1)).toMatchObject({ type: 'execution.quarantined' });
        expect(await store.nextDueAt()).toBeUndefined();
        expect((await runtime.list({ status: 'FAILED' })).items.map((a) => a.id)).toStrictEqual([bad.application.id]);

        // The operator fixes the cause (here: the snapshot's version), then redrives: it resumes where it stood.
        const fixed = (await store.load(bad.application.id))!;
        await store.commit({ ...fixed, expectedVersion: fixed.version, machineVersion: 1, events: [] });
        const redriven = await runtime.redrive(bad.application.id);
        expect(redriven).toMatchObject({ state: 'APPROVED', execution: { status: 'SUCCEEDED' } });
        expect((await runtime.history(bad.application.id)).map((e) => e.type)).toContain('execution.redriven');
      });
    });

    describe('runtime: stored snapshots', () => {
      it('refuses a snapshot from an unknown machine version with a clear error', async () => {
        const app = await runtime.submit(GABE);
        const stored = (await store.load(app.id))!;
        await store.commit({
          application: stored.application,
          expectedVersion: stored.version,
          machineVersion: 99,
          snapshot: stored.snapshot,
          dueAt: null,
          events: [],
        });
        const error = await runtime.review(app.id, 'APPROVE').catch((e: unknown) => e);
        expect(String((error as Error).message)).toMatch(/machine version 99/);
      });
    });
  });
}

describe('runtime on a SQLite file: one bad execution never stops the others', () => {
  it('quarantines a row whose snapshot is damaged among 200 due ones, and drives the other 199', async () => {
    const path = join(dir, `isolation-${++files}.db`);
    const clock = createFakeClock();
    const failing = flaky(checkName, 1);
    const first = createRuntime({ store: createSqliteStore({ path }), clock, random: () => 0, checks: { name: failing } });
    const apps = [];
    for (let i = 0; i < 200; i++) apps.push(await first.submit({ ...SPOCK, name: `Spock ${i}` }));
    await first.close();
    expect(apps.every((a) => a.execution.status === 'RUNNING')).toBe(true);
    // Damage one row the way a bad disk or a bad manual edit would: its snapshot is no longer JSON.
    const victim = apps[0]!.id; // the earliest due, so a runtime that stops at it would starve the rest
    const raw = new DatabaseSync(path);
    raw.prepare('UPDATE snapshots SET snapshot = ? WHERE application_id = ?').run('{"status":"active", truncated', victim);
    raw.close();

    const quarantined: string[] = [];
    const second = createRuntime({
      store: createSqliteStore({ path }),
      clock,
      random: () => 0,
      checks: { name: failing },
      onQuarantine: (q) => quarantined.push(q.id),
    });
    clock.advance(1000);
    expect(await second.recover()).toBe(199);
    expect(quarantined).toStrictEqual([victim]);
    const failed = await second.list({ status: 'FAILED' });
    expect(failed.items.map((a) => [a.id, a.execution.quarantined?.reason])).toStrictEqual([
      [victim, 'the stored execution cannot be read (SyntaxError)'],
    ]);
    expect((await second.list({ state: 'APPROVED', limit: 200 })).items).toHaveLength(199);
    expect(await second.history(victim)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'execution.quarantined' })]));
    await second.close();
  });
});
