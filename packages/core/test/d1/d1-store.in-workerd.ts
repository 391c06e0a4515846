// What the D1 store does beyond the shared contract: quarantine, lists by status, claims, the write probe, the schema
// check and the batch that commits a step. Runs inside workerd (see contract-worker.ts), on Miniflare's D1.
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../src/clock.js';
import { createD1Store, D1_SCHEMA_VERSION, type D1Database } from '../../src/d1.js';
import { isDomainError } from '../../src/errors.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { createCommit, testApplication } from '../../src/testing/describe-store.js';

/** The bindings of the contract worker: a migrated database, and one no migration ever ran on. */
export interface D1TestEnv {
  readonly DB: D1Database;
  readonly EMPTY: D1Database;
}

/** Deletes every row, so each test starts from an empty, migrated database. */
export async function emptyTables(db: D1Database): Promise<void> {
  await db.batch(
    [
      'DELETE FROM history',
      'DELETE FROM snapshots',
      'DELETE FROM idempotency_keys',
      'DELETE FROM applications',
      `DELETE FROM schema_migrations WHERE version > ${D1_SCHEMA_VERSION}`,
    ].map((sql) => db.prepare(sql)),
  );
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`),
  );

const ANSWER = { name: () => ({ flagged: false }), address: () => ({ flagged: false }) };

export function describeD1Store(env: () => D1TestEnv): void {
  describe('d1 store', () => {
    it('rolls back the whole batch of a step whose version moved: no snapshot, history or key of it remains', async () => {
      const { DB } = env();
      await emptyTables(DB);
      const store = createD1Store(DB);
      const app = testApplication();
      await store.commit(createCommit(app));
      const winner = { ...createCommit({ ...app, state: 'APPROVED' as const }), expectedVersion: 1, snapshot: { winner: true } };
      await store.commit(winner);
      const loser = { ...createCommit({ ...app, state: 'REJECTED' as const }), expectedVersion: 1, snapshot: { winner: false } };
      expect(await codeOf(store.commit(loser))).toBe('conflict');
      const loaded = await store.load(app.id);
      expect(loaded?.snapshot).toStrictEqual({ winner: true });
      expect(loaded?.application.state).toBe('APPROVED');
      expect((await store.history(app.id)).map((e) => e.seq)).toStrictEqual([1, 2, 3, 4]);
    });

    it('lets exactly one of 50 concurrent reviews through the runtime win, with one review.received', async () => {
      const { DB } = env();
      await emptyTables(DB);
      const runtime = createRuntime({ store: createD1Store(DB), checks: { name: ANSWER.name, address: () => ({ flagged: true }) } });
      const { id, state } = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
      expect(state).toBe('FLAGGED_FOR_REVIEW');
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => codeOf(runtime.review(id, i % 2 === 0 ? 'APPROVE' : 'REJECT', { reviewer: `r${i}` }))),
      );
      expect(outcomes.filter((o) => o === 'resolved')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(49);
      expect((await runtime.history(id)).filter((e) => e.type === 'review.received')).toHaveLength(1);
    });

    it('quarantines an execution whose JSON is damaged without reading it, and lists it by status', async () => {
      const { DB } = env();
      await emptyTables(DB);
      const clock = createFakeClock(Date.parse('2026-01-01T00:00:10.000Z'));
      const store = createD1Store(DB);
      const damaged = testApplication({ state: 'SUBMITTED', execution: { status: 'RUNNING' } });
      const healthy = testApplication();
      await store.commit(createCommit(damaged, { dueAt: '2026-01-01T00:00:05.000Z' }));
      await store.commit(createCommit(healthy));
      await DB.prepare("UPDATE applications SET execution = '{not json', checks = '[' WHERE id = ?").bind(damaged.id).run();
      const quarantined: string[] = [];
      const runtime = createRuntime({ store, clock, onQuarantine: ({ id }) => quarantined.push(id) });
      await runtime.runDue();
      expect(quarantined).toStrictEqual([damaged.id]);
      expect((await store.history(damaged.id)).at(-1)).toMatchObject({ seq: 3, type: 'execution.quarantined' });
      expect(await store.due('2026-01-01T00:01:00.000Z', 10)).toStrictEqual([]);
      const failed = await DB.prepare("SELECT id, status, execution FROM applications WHERE status = 'FAILED'").all();
      expect(failed.results).toStrictEqual([
        { id: damaged.id, status: 'FAILED', execution: expect.stringContaining('"quarantined"') as unknown },
      ]);
      expect((await store.list({ status: 'WAITING_FOR_REVIEW', limit: 10 })).map((a) => a.id)).toStrictEqual([healthy.id]);
      expect((await store.list({ state: 'FLAGGED_FOR_REVIEW', status: 'WAITING_FOR_REVIEW', limit: 10 })).map((a) => a.id)).toStrictEqual([
        healthy.id,
      ]);
      expect(await store.quarantine({ id: 'app_unknown', reason: 'test', at: '2026-01-01T00:00:00.000Z' })).toBe(false);
      expect(await store.history('app_unknown')).toStrictEqual([]);
    });

    it('leases due executions to one owner at a time until the lease runs out, and a commit releases the lease', async () => {
      const { DB } = env();
      await emptyTables(DB);
      const store = createD1Store(DB);
      const a = testApplication();
      const b = testApplication();
      await store.commit(createCommit(a, { dueAt: '2026-01-01T00:00:02.000Z' }));
      await store.commit(createCommit(b, { dueAt: '2026-01-01T00:00:01.000Z' }));
      const at = '2026-01-01T00:00:05.000Z';
      const one = { owner: 'one', until: '2026-01-01T00:00:35.000Z' };
      const two = { owner: 'two', until: '2026-01-01T00:00:40.000Z' };
      expect(await store.due(at, 10, one)).toStrictEqual([b.id, a.id]);
      expect(await store.due(at, 10, two)).toStrictEqual([]); // held by one
      expect(await store.due(at, 10, one)).toStrictEqual([b.id, a.id]); // its owner may take them again
      expect(await store.due(at, 10)).toStrictEqual([b.id, a.id]); // no claim: nothing is skipped
      expect(await store.nextDueAt()).toBe('2026-01-01T00:00:35.000Z'); // drivable again when the lease runs out
      await store.commit({ ...createCommit(a), expectedVersion: 1, dueAt: '2026-01-01T00:00:03.000Z', events: [] });
      expect(await store.due(at, 10, two)).toStrictEqual([a.id]); // the commit released a
      expect(await store.due('2026-01-01T00:00:35.000Z', 10, two)).toStrictEqual([b.id, a.id]); // one's lease ran out
    });

    it('pings with a real write', async () => {
      const { DB } = env();
      const store = createD1Store(DB);
      await store.ping();
      const first = await DB.prepare('SELECT at FROM store_probe').first<{ at: string }>();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.ping();
      const second = await DB.prepare('SELECT at FROM store_probe').first<{ at: string }>();
      expect(first?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(second!.at > first!.at).toBe(true);
    });

    it('refuses a database that is not migrated, or was migrated by a newer release, with store_unavailable', async () => {
      const { DB, EMPTY } = env();
      const unmigrated = createD1Store(EMPTY);
      await expect(unmigrated.get('app_x')).rejects.toThrow(/schema version 0; this release needs \d+: run `wrangler d1 migrations apply`/);
      expect(await codeOf(unmigrated.ping())).toBe('store_unavailable');
      await emptyTables(DB);
      await DB.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (99, '2026-01-01T00:00:00.000Z')").run();
      try {
        const newer = createD1Store(DB);
        await expect(newer.ping()).rejects.toThrow(/schema version 99, newer than this release knows/);
        expect(await codeOf(newer.get('app_x'))).toBe('store_unavailable');
        // A store told that the schema was checked (a Worker does it once per isolate) asks nothing.
        expect(await createD1Store(DB, { checkSchema: false }).get('app_x')).toBeUndefined();
      } finally {
        await emptyTables(DB);
      }
    });

    it('was migrated by the generated files: every version of the shared schema is recorded', async () => {
      const { DB } = env();
      const rows = await DB.prepare('SELECT version FROM schema_migrations ORDER BY version').all<{ version: number }>();
      expect(rows.results.map((r) => r.version)).toStrictEqual(Array.from({ length: D1_SCHEMA_VERSION }, (_, i) => i + 1));
    });
  });
}
