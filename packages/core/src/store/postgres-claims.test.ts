import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createTestSchema, POSTGRES_SKIP_NOTE, TEST_DATABASE_URL, type TestSchema } from '../testing/postgres.js';
import { createPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();

describe.skipIf(!TEST_DATABASE_URL)(`postgres claims on due executions${POSTGRES_SKIP_NOTE}`, () => {
  let schema: TestSchema;
  let a: Store;
  let b: Store;
  let sql: postgres.Sql;

  beforeAll(async () => {
    schema = await createTestSchema();
    // Two stores with two pools: two processes on one database.
    a = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 4 });
    b = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 4 });
    sql = postgres(schema.url, { max: 1, onnotice: () => {}, connection: { search_path: schema.schema } });
  });
  afterAll(async () => {
    await sql.end();
    await a.close();
    await b.close();
    await schema.drop();
  });

  const emptyQueue = async () => {
    await sql`UPDATE applications SET due_at = NULL, lease_owner = NULL, lease_until = NULL`;
  };

  it('never hands the same execution to two processes claiming at once', async () => {
    await emptyQueue();
    const apps = Array.from({ length: 200 }, (_, i) => testApplication({ createdAt: at(i % 50) }));
    await a.commitMany(apps.map((app, i) => createCommit(app, { dueAt: at(i % 50) })));
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).due(at(60), 15, { owner: `owner-${i}`, until: at(90) })),
    );
    const claimed = claims.flat();
    expect(new Set(claimed).size).toBe(claimed.length); // no id twice
    expect(claimed.length).toBe(200); // 20 × 15 ≥ 200: every due execution is claimed by someone
    for (const ids of claims) {
      const due = await sql`SELECT id, due_at FROM applications WHERE id IN ${sql(ids as string[])}`;
      const dueAt = new Map(due.map((r) => [r.id as string, r.due_at as string]));
      expect(ids.map((id) => dueAt.get(id))).toStrictEqual([...ids.map((id) => dueAt.get(id))].sort()); // earliest first
    }
    expect(await a.due(at(60), 10, { owner: 'late', until: at(90) })).toStrictEqual([]); // all leased
    expect(await a.due(at(60), 300)).toHaveLength(200); // without a claim: every due id, leased or not
  });

  it('blocks other owners until the lease runs out, then lets another owner claim it', async () => {
    await emptyQueue();
    const app = testApplication();
    await a.commit(createCommit(app, { dueAt: at(5) }));
    expect(await a.due(at(10), 10, { owner: 'a', until: at(40) })).toStrictEqual([app.id]);
    expect(await b.due(at(10), 10, { owner: 'b', until: at(40) })).toStrictEqual([]);
    expect(await b.due(at(39), 10, { owner: 'b', until: at(69) })).toStrictEqual([]);
    expect(await a.due(at(11), 10, { owner: 'a', until: at(41) })).toStrictEqual([app.id]); // its own lease: renewed
    expect(await b.due(at(41), 10, { owner: 'b', until: at(71) })).toStrictEqual([app.id]); // expired: fair game
    expect(await a.due(at(42), 10, { owner: 'a', until: at(72) })).toStrictEqual([]);
    const [row] = await sql`SELECT lease_owner, lease_until FROM applications WHERE id = ${app.id}`;
    expect({ ...row }).toStrictEqual({ lease_owner: 'b', lease_until: at(71) });
  });

  it('releases the lease on commit, and tells when the next execution becomes drivable', async () => {
    await emptyQueue();
    expect(await a.nextDueAt()).toBeUndefined();
    const first = testApplication();
    const second = testApplication();
    await a.commit(createCommit(first, { dueAt: at(5) }));
    await a.commit(createCommit(second, { dueAt: at(20) }));
    expect(await b.nextDueAt()).toBe(at(5));
    await a.due(at(5), 1, { owner: 'a', until: at(35) });
    // The first is leased until 35, past its due time: the next drivable moment is the second's due time.
    expect(await b.nextDueAt()).toBe(at(20));
    await b.due(at(20), 1, { owner: 'b', until: at(50) });
    expect(await a.nextDueAt()).toBe(at(35)); // both leased: the first lease to run out
    // The owner commits its step: the lease goes, and the new due time counts.
    await a.commit({ ...createCommit(first), expectedVersion: 1, dueAt: at(30) });
    const [row] = await sql`SELECT lease_owner, lease_until, due_at FROM applications WHERE id = ${first.id}`;
    expect({ ...row }).toStrictEqual({ lease_owner: null, lease_until: null, due_at: at(30) });
    expect(await b.nextDueAt()).toBe(at(30));
    expect(await b.due(at(30), 10, { owner: 'c', until: at(60) })).toStrictEqual([first.id]); // the second is b's
  });
});
