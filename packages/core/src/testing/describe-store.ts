// The contract every Store adapter must pass. Each adapter's test file calls describeStore with a factory.
import { ApplicationInputSchema } from '@bank/checks';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../application.js';
import { createFakeClock } from '../clock.js';
import { isDomainError } from '../errors.js';
import { createRuntime } from '../runtime/runtime.js';
import type { ExecutionCommit, Store } from '../store/store.js';

let counter = 0;

/** A plausible application id that sorts after the previous one. */
export const testId = () => `app_00000000-0000-7000-8000-${String(++counter).padStart(12, '0')}`;

/** An application record for store tests. */
export function testApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: testId(),
    name: 'Gabe',
    address: 'ABadAddress',
    state: 'FLAGGED_FOR_REVIEW',
    checks: { name: { flagged: false }, address: { flagged: true, reason: 'no number' } },
    taskToken: 'tt_1',
    execution: { status: 'WAITING_FOR_REVIEW' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A creating commit for an application. */
export function createCommit(application: Application, extra: Partial<ExecutionCommit> = {}): ExecutionCommit {
  return {
    application,
    expectedVersion: 0,
    machineVersion: 1,
    snapshot: { status: 'active', value: 'pendingReview', context: { unicode: 'Zoë 山田 👩‍🚀' } },
    dueAt: null,
    events: [
      { at: application.createdAt, type: 'execution.started', data: {} },
      { at: application.createdAt, type: 'state.entered', data: { state: application.state } },
    ],
    ...extra,
  };
}

const codeOf = (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`);

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(codeOf(error)).toBe(code);
}

/** Text people write, from every plane: graphemes of any script, combining marks, right-to-left, emoji ZWJ sequences. */
const humanText = (): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
        fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 4 }),
        fc.constantFrom(
          'Zoë', // precomposed
          'Zoe\u0308', // the same, with a combining diaeresis: must stay decomposed
          'שלום עולם', // Hebrew, right to left
          'مرحبا 12', // Arabic, with digits
          '\u202bRTL embed\u202c',
          '👩‍🚀', // a ZWJ sequence
          '👨‍👩‍👧‍👦',
          '🏳️‍🌈',
          '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', // an astral plane
          '𠜎𠜱', // CJK extension B
          'ﬁ', // a compatibility ligature: never normalised
          '\u00a0nbsp',
          'a\u200db', // a zero-width joiner between letters
        ),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => parts.join(' '));

/** What a store adapter's test gives the contract: a fresh, empty store, and optionally the same data reopened. */
export interface OpenedStore {
  readonly store: Store;
  /** Closes nothing; opens a second store on the same data (as after a restart). Omit for stores that keep nothing. */
  readonly reopen?: () => Promise<Store>;
  readonly cleanup?: () => Promise<void>;
}

/** Runs the store contract against an adapter. `open` makes a fresh, empty store each time. */
export function describeStore(name: string, open: () => Promise<OpenedStore>) {
  describe(`${name} store contract`, () => {
    let store: Store;
    let reopen: (() => Promise<Store>) | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, reopen, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close().catch(() => {});
      await cleanup?.();
    });

    it('creates an execution and loads it back exactly', async () => {
      const app = testApplication();
      const commit = createCommit(app, { dueAt: '2026-01-01T00:00:05.000Z' });
      await store.commit(commit);
      expect(await store.load(app.id)).toStrictEqual({
        application: app,
        version: 1,
        machineVersion: 1,
        snapshot: commit.snapshot,
        dueAt: commit.dueAt,
      });
      expect(await store.get(app.id)).toStrictEqual(app);
    });

    it('answers undefined and empty for unknown ids', async () => {
      expect(await store.load(testId())).toBeUndefined();
      expect(await store.get(testId())).toBeUndefined();
      expect(await store.history(testId())).toStrictEqual([]);
      expect(await store.findIdempotencyKey('nope')).toBeUndefined();
    });

    it('updates with the version check and numbers history across commits', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      const approved = {
        ...app,
        state: 'APPROVED' as const,
        execution: { status: 'SUCCEEDED' as const },
        updatedAt: '2026-01-02T00:00:00.000Z',
      };
      await store.commit({
        ...createCommit(approved),
        expectedVersion: 1,
        events: [{ at: approved.updatedAt, type: 'state.entered', data: { state: 'APPROVED' } }],
      });
      const loaded = await store.load(app.id);
      expect(loaded?.version).toBe(2);
      expect(loaded?.application.state).toBe('APPROVED');
      expect((await store.history(app.id)).map((e) => [e.seq, e.type, e.data])).toStrictEqual([
        [1, 'execution.started', {}],
        [2, 'state.entered', { state: 'FLAGGED_FOR_REVIEW' }],
        [3, 'state.entered', { state: 'APPROVED' }],
      ]);
    });

    it('refuses a stale version and changes nothing', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      await store.commit({ ...createCommit({ ...app, state: 'APPROVED' }), expectedVersion: 1 });
      await expectCode(store.commit({ ...createCommit({ ...app, state: 'REJECTED' }), expectedVersion: 1 }), 'conflict');
      expect((await store.get(app.id))?.state).toBe('APPROVED');
      expect(await store.history(app.id)).toHaveLength(4);
    });

    it('refuses to create an id twice', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      await expectCode(store.commit(createCommit({ ...app, name: 'Other' })), 'conflict');
      expect((await store.get(app.id))?.name).toBe('Gabe');
    });

    it('lets exactly one of many concurrent writers of the same version win', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.commit({ ...createCommit({ ...app, reason: `writer ${i}` }), expectedVersion: 1 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toStrictEqual(
        Array(19).fill('conflict'),
      );
      expect((await store.load(app.id))?.version).toBe(2);
    });

    it('records an idempotency key with the creation, and refuses a reused key atomically', async () => {
      const first = testApplication();
      await store.commit(createCommit(first, { idempotency: { key: 'key-1', requestHash: 'h1' } }));
      expect(await store.findIdempotencyKey('key-1')).toStrictEqual({ requestHash: 'h1', applicationId: first.id });
      const second = testApplication();
      await expectCode(store.commit(createCommit(second, { idempotency: { key: 'key-1', requestHash: 'h2' } })), 'conflict');
      expect(await store.get(second.id)).toBeUndefined();
      expect(await store.history(second.id)).toStrictEqual([]);
    });

    it('lists oldest first, by state, with keyset pagination', async () => {
      const apps = [
        testApplication({ createdAt: '2026-01-01T00:00:02.000Z' }),
        testApplication({ createdAt: '2026-01-01T00:00:01.000Z', state: 'APPROVED' }),
        testApplication({ createdAt: '2026-01-01T00:00:02.000Z' }),
        testApplication({ createdAt: '2026-01-01T00:00:03.000Z' }),
      ];
      for (const app of apps) await store.commit(createCommit(app));
      const all = await store.list({ limit: 10 });
      expect(all.map((a) => a.id)).toStrictEqual([apps[1]!.id, apps[0]!.id, apps[2]!.id, apps[3]!.id]);
      const flagged = await store.list({ state: 'FLAGGED_FOR_REVIEW', limit: 2 });
      expect(flagged.map((a) => a.id)).toStrictEqual([apps[0]!.id, apps[2]!.id]);
      const next = await store.list({
        state: 'FLAGGED_FOR_REVIEW',
        limit: 2,
        after: { createdAt: flagged[1]!.createdAt, id: flagged[1]!.id },
      });
      expect(next.map((a) => a.id)).toStrictEqual([apps[3]!.id]);
      expect(await store.list({ state: 'REJECTED', limit: 5 })).toStrictEqual([]);
    });

    it('keeps the queue of due executions', async () => {
      const later = testApplication();
      const sooner = testApplication();
      const never = testApplication();
      await store.commit(createCommit(later, { dueAt: '2026-01-01T00:00:09.000Z' }));
      await store.commit(createCommit(sooner, { dueAt: '2026-01-01T00:00:05.000Z' }));
      await store.commit(createCommit(never));
      expect(await store.nextDueAt()).toBe('2026-01-01T00:00:05.000Z');
      expect(await store.due('2026-01-01T00:00:04.999Z', 10)).toStrictEqual([]);
      expect(await store.due('2026-01-01T00:00:09.000Z', 10)).toStrictEqual([sooner.id, later.id]);
      expect(await store.due('2026-01-01T00:00:09.000Z', 1)).toStrictEqual([sooner.id]);
      await store.commit({ ...createCommit(sooner), expectedVersion: 1, dueAt: null });
      expect(await store.due('2026-01-01T00:00:09.000Z', 10)).toStrictEqual([later.id]);
      expect(await store.nextDueAt()).toBe('2026-01-01T00:00:09.000Z');
    });

    it('group-commits many steps, each version-checked on its own', async () => {
      const a = testApplication();
      const b = testApplication();
      await store.commit(createCommit(a));
      const results = await store.commitMany([
        { ...createCommit({ ...a, state: 'APPROVED' }), expectedVersion: 1 },
        { ...createCommit({ ...a, state: 'REJECTED' }), expectedVersion: 1 }, // loses: the first moved a to version 2
        createCommit(b),
      ]);
      expect(results.map((r) => (r === null ? null : codeOf(r)))).toStrictEqual([null, 'conflict', null]);
      expect((await store.get(a.id))?.state).toBe('APPROVED');
      expect(await store.history(a.id)).toHaveLength(4);
      expect(await store.get(b.id)).toStrictEqual(b);
    });

    it('returns, stores and restores any human text character for character, across a close and reopen', async () => {
      const clock = createFakeClock();
      const submitted: Application[] = [];
      await fc.assert(
        fc.asyncProperty(humanText(), humanText(), async (name, address) => {
          const input = { name, address: `${address} 12` };
          // The schema trims and bounds; what it accepts is exactly what must come back.
          const parsed = ApplicationInputSchema.safeParse(input);
          fc.pre(parsed.success);
          const runtime = createRuntime({ store, clock });
          const app = await runtime.submit(input);
          expect(app.name).toBe(parsed.data!.name);
          expect(app.address).toBe(parsed.data!.address);
          submitted.push(app);
        }),
        { numRuns: 150 },
      );
      expect(submitted.length).toBeGreaterThan(100);
      let readBack = store;
      if (reopen) {
        await store.close();
        readBack = await reopen();
        store = readBack; // closed by afterEach
      }
      for (const app of submitted) {
        expect(await readBack.get(app.id)).toStrictEqual(app);
        const loaded = await readBack.load(app.id);
        const input = (loaded?.snapshot as { context: { input: { name: string; address: string } } }).context.input;
        expect([input.name, input.address]).toStrictEqual([app.name, app.address]);
        expect(loaded?.application).toStrictEqual(app);
      }
    });

    it('answers ping while open and store_unavailable once closed', async () => {
      await store.ping();
      await store.close();
      await expectCode(store.get(testId()), 'store_unavailable');
    });
  });
}
