import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../clock.js';
import { isDomainError } from '../errors.js';
import { createRuntime } from '../runtime/runtime.js';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createPostgresProxy, createTestSchema, POSTGRES_SKIP_NOTE, TEST_DATABASE_URL, type TestSchema } from '../testing/postgres.js';
import { createPostgresStore } from './postgres-store.js';
import type { ExecutionCommit, Store } from './store.js';

const codeOf = (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`);

describe.skipIf(!TEST_DATABASE_URL)(`postgres commits${POSTGRES_SKIP_NOTE}`, () => {
  let schema: TestSchema;
  let store: Store;
  let sql: postgres.Sql;
  /** What the database holds for an application, read directly: row, snapshot, history and keys. */
  const rowsOf = async (id: string) => ({
    applications: (await sql`SELECT version, state, name, last_seq FROM applications WHERE id = ${id}`).map((r) => ({ ...r })),
    snapshots: (await sql`SELECT machine_version FROM snapshots WHERE application_id = ${id}`).length,
    history: (await sql`SELECT seq FROM history WHERE application_id = ${id} ORDER BY seq`).map((r) => r.seq as number),
    keys: (await sql`SELECT key FROM idempotency_keys WHERE application_id = ${id}`).map((r) => r.key as string),
  });

  beforeAll(async () => {
    schema = await createTestSchema();
    store = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 4 });
    sql = postgres(schema.url, { max: 2, onnotice: () => {}, connection: { search_path: schema.schema } });
  });
  afterAll(async () => {
    await sql.end();
    await store.close();
    await schema.drop();
  });

  describe('one statement per step', () => {
    it('writes nothing when the version check loses: no row change, no history, no snapshot change, no key', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      const before = await rowsOf(app.id);
      const stale = {
        ...createCommit({ ...app, state: 'REJECTED' }),
        expectedVersion: 2,
        idempotency: { key: `k-${app.id}`, requestHash: 'h' },
      };
      expect(codeOf(await store.commit(stale).catch((e: unknown) => e))).toBe('conflict');
      expect(await rowsOf(app.id)).toStrictEqual(before);
      expect(await store.findIdempotencyKey(`k-${app.id}`)).toBeUndefined();
    });

    it('writes nothing for a duplicate id: the first application, its history and its key stay as they were', async () => {
      const app = testApplication();
      await store.commit(createCommit(app, { idempotency: { key: `first-${app.id}`, requestHash: 'h1' } }));
      const before = await rowsOf(app.id);
      const again = createCommit({ ...app, name: 'Other' }, { idempotency: { key: `second-${app.id}`, requestHash: 'h2' } });
      const error = (await store.commit(again).catch((e: unknown) => e)) as Error;
      expect(codeOf(error)).toBe('conflict');
      expect(error.message).toMatch(/already exists/);
      expect(await rowsOf(app.id)).toStrictEqual(before);
      expect(await store.findIdempotencyKey(`second-${app.id}`)).toBeUndefined();
    });

    it('writes nothing for a used idempotency key, even when the key is being used by a concurrent statement', async () => {
      const first = testApplication();
      await store.commit(createCommit(first, { idempotency: { key: 'used-key', requestHash: 'h1' } }));
      const second = testApplication();
      const error = (await store
        .commit(createCommit(second, { idempotency: { key: 'used-key', requestHash: 'h2' } }))
        .catch((e: unknown) => e)) as Error;
      expect([codeOf(error), error.message]).toStrictEqual(['conflict', 'idempotency key already used']);
      expect(await rowsOf(second.id)).toStrictEqual({ applications: [], snapshots: 0, history: [], keys: [] });

      // Twenty creations racing for one fresh key: one wins, the others leave no trace.
      const racers = Array.from({ length: 20 }, () => testApplication());
      const results = await Promise.allSettled(
        racers.map((a) => store.commit(createCommit(a, { idempotency: { key: 'raced-key', requestHash: a.id } }))),
      );
      const winners = racers.filter((_, i) => results[i]!.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toStrictEqual(
        Array(19).fill('conflict'),
      );
      expect(await store.findIdempotencyKey('raced-key')).toStrictEqual({ requestHash: winners[0]!.id, applicationId: winners[0]!.id });
      for (const loser of racers.filter((a) => a !== winners[0])) {
        expect(await rowsOf(loser.id)).toStrictEqual({ applications: [], snapshots: 0, history: [], keys: [] });
      }
    });

    it('numbers history from the row, so a writer that waited for another never collides on seq', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      // A session holds the row; a commit, then a quarantine, queue behind it. The quarantine's statement started
      // before the commit wrote its history, so counting MAX(seq) would give it a seq the commit already took.
      const locker = await sql.reserve();
      await locker`BEGIN`;
      await locker`SELECT id FROM applications WHERE id = ${app.id} FOR UPDATE`;
      const committed = store.commit({ ...createCommit({ ...app, state: 'APPROVED' }), expectedVersion: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const quarantined = store.quarantine({ id: app.id, reason: 'test', at: '2026-01-03T00:00:00.000Z' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await locker`COMMIT`;
      locker.release();
      await committed;
      expect(await quarantined).toBe(true);
      expect((await store.history(app.id)).map((e) => [e.seq, e.type])).toStrictEqual([
        [1, 'execution.started'],
        [2, 'state.entered'],
        [3, 'execution.started'],
        [4, 'state.entered'],
        [5, 'execution.quarantined'],
      ]);
      expect((await rowsOf(app.id)).applications[0]).toMatchObject({ version: 3, last_seq: 5 });
    });

    it('returns exactly the JSON it was given, key order and all', async () => {
      const app = testApplication({ checks: { address: { flagged: true, reason: 'z' }, name: { flagged: false } } });
      const snapshot = { z: 1, a: [1.5, 'x', null], m: { '': '\\"\u2028' }, big: 1e21, small: 0.1 };
      await store.commit(createCommit(app, { snapshot, events: [{ at: app.createdAt, type: 't', data: { b: 1, a: 2 } }] }));
      const loaded = await store.load(app.id);
      expect(JSON.stringify(loaded?.snapshot)).toBe(JSON.stringify(snapshot));
      expect(JSON.stringify(loaded?.application)).toBe(JSON.stringify(app));
      expect(JSON.stringify((await store.history(app.id))[0]?.data)).toBe('{"b":1,"a":2}');
    });
  });

  describe('group commit', () => {
    it('fails the whole group when the connection is lost mid-transaction, and commits none of it', async () => {
      const proxy = await createPostgresProxy(schema.url);
      const own = await createPostgresStore({ url: proxy.url, schema: schema.schema, max: 1 });
      const blocked = testApplication();
      await own.commit(createCommit(blocked));
      // Another session holds the row of the group's second step, so the group waits in the middle of its transaction.
      const locker = await sql.reserve();
      await locker`BEGIN`;
      await locker`SELECT id FROM applications WHERE id = ${blocked.id} FOR UPDATE`;
      const before = testApplication();
      const after = testApplication();
      const group = own.commitMany([
        createCommit(before),
        { ...createCommit({ ...blocked, state: 'APPROVED' }), expectedVersion: 1 },
        createCommit(after),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await proxy.cut();
      const error = await group.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(codeOf(error)).toBe('store_unavailable');
      await locker`ROLLBACK`;
      locker.release();
      // The server rolls the transaction back when its connection goes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await rowsOf(before.id)).toMatchObject({ applications: [], history: [] });
      expect(await rowsOf(after.id)).toMatchObject({ applications: [], history: [] });
      expect((await rowsOf(blocked.id)).applications[0]).toMatchObject({ version: 1 });
      await proxy.restore();
      const results = await own.commitMany([createCommit(before), createCommit(after)]); // the pool heals
      expect(results).toStrictEqual([null, null]);
      await own.close();
      await proxy.close();
    });

    it('splits a group larger than the pipeline into several transactions, each step on its own', async () => {
      const small = postgres(schema.url, { max: 1, max_pipeline: 5, onnotice: () => {} } as postgres.Options<
        Record<string, postgres.PostgresType>
      >);
      const own = await createPostgresStore({ sql: small, schema: schema.schema });
      const apps = Array.from({ length: 12 }, () => testApplication());
      const commits: ExecutionCommit[] = apps.map((a) => createCommit(a));
      commits.splice(6, 0, createCommit(apps[2]!)); // a duplicate of an earlier step in another transaction
      const results = await own.commitMany(commits);
      expect(results.map((r) => (r === null ? null : codeOf(r)))).toStrictEqual([
        ...Array(6).fill(null),
        'conflict',
        ...Array(6).fill(null),
      ]);
      for (const app of apps) expect(await own.get(app.id)).toStrictEqual(app);
      await own.close();
      await small.end();
    });
  });

  describe('statements and round trips', () => {
    it('uses one statement and one round trip per settled step, and one round trip for a group of 64', async () => {
      // 5 ms from the server to the client, as over a network: everything a pipeline writes is on its way before any
      // answer comes back, so a round trip counted is a wait.
      const proxy = await createPostgresProxy(schema.url, { latencyMs: 5 });
      const own = await createPostgresStore({ url: proxy.url, schema: schema.schema, max: 1 });
      const measure = async (work: () => Promise<unknown>) => {
        const [statements, trips] = [proxy.statements(), proxy.roundTrips()];
        await work();
        return { statements: proxy.statements() - statements, roundTrips: proxy.roundTrips() - trips };
      };
      // Cold: each statement is prepared once per connection, which costs one more round trip the first time.
      const first = testApplication();
      expect(await measure(() => own.commit(createCommit(first)))).toStrictEqual({ statements: 1, roundTrips: 2 });
      await own.commit({ ...createCommit(first), expectedVersion: 1 });

      const app = testApplication();
      expect(await measure(() => own.commit(createCommit(app)))).toStrictEqual({ statements: 1, roundTrips: 1 });
      expect(await measure(() => own.commit({ ...createCommit({ ...app, state: 'APPROVED' }), expectedVersion: 1 }))).toStrictEqual({
        statements: 1,
        roundTrips: 1,
      });
      const group = Array.from({ length: 64 }, () => createCommit(testApplication()));
      expect(await measure(() => own.commitMany(group))).toStrictEqual({ statements: 66, roundTrips: 1 });
      // 64 commits at once on one connection: pipelined as well.
      const concurrent = Array.from({ length: 64 }, () => own.commit(createCommit(testApplication())));
      expect(await measure(() => Promise.all(concurrent))).toMatchObject({ statements: 64 });

      // Through the runtime: a submit that settles at once is its one commit; a review loads, then commits.
      const runtime = createRuntime({ store: own, clock: createFakeClock() });
      await runtime.submit({ name: 'Warm', address: '1 Warm Street' });
      expect(await measure(() => runtime.submit({ name: 'Spock', address: '123 Enterprise Street' }))).toStrictEqual({
        statements: 1,
        roundTrips: 1,
      });
      const flagged = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
      const review = await measure(() => runtime.review(flagged.id, 'APPROVE'));
      expect(review.statements).toBe(2);
      await own.close();
      await proxy.close();
    });
  });
});
