import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Application } from '../application.js';
import { isDomainError } from '../errors.js';
import { createCommit, describeStore, testApplication } from '../testing/describe-store.js';
import {
  createPostgresProxy,
  createTestSchema,
  openTestPostgresStore,
  POSTGRES_SKIP_NOTE,
  TEST_DATABASE_URL,
  type TestSchema,
} from '../testing/postgres.js';
import { createPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

const codeOf = (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );

describe.skipIf(!TEST_DATABASE_URL)(`postgres${POSTGRES_SKIP_NOTE}`, () => {
  describeStore('postgres', () => openTestPostgresStore());

  describe('postgres store', () => {
    let schema: TestSchema;
    let store: Store;
    const raw = () => postgres(schema.url, { max: 1, onnotice: () => {}, connection: { search_path: schema.schema } });

    beforeAll(async () => {
      schema = await createTestSchema();
      store = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 4 });
    });
    afterAll(async () => {
      await store.close();
      await schema.drop();
    });

    it('keeps data across close and reopen, with one row per migration', async () => {
      const app = testApplication();
      await store.commit(createCommit(app));
      const second = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 1 });
      expect(await second.get(app.id)).toStrictEqual(app);
      await second.close();
      const sql = raw();
      expect(await sql`SELECT version FROM schema_migrations`).toEqual([{ version: 1 }]);
      await sql.end();
    });

    it('quarantines an execution whose JSON is damaged, without reading it, and clears its lease', async () => {
      const app = testApplication({ state: 'CHECKING' as Application['state'], execution: { status: 'RUNNING' } });
      await store.commit(createCommit(app, { dueAt: '2026-01-01T00:00:05.000Z' }));
      expect(await store.due('2026-01-01T00:00:05.000Z', 10, { owner: 'a', until: '2026-01-01T00:00:35.000Z' })).toContain(app.id);
      const sql = raw();
      await sql`UPDATE applications SET execution = '{"status', checks = 'not json' WHERE id = ${app.id}`;
      await expect(store.load(app.id)).rejects.toThrow(SyntaxError);

      const at = '2026-01-02T00:00:00.000Z';
      expect(await store.quarantine({ id: app.id, reason: 'the execution cannot be restored', at })).toBe(true);
      const [row] =
        await sql`SELECT status, execution, due_at, lease_owner, lease_until, version, updated_at, checks FROM applications WHERE id = ${app.id}`;
      expect({ ...row }).toStrictEqual({
        status: 'FAILED',
        execution: JSON.stringify({ quarantined: { reason: 'the execution cannot be restored', at } }),
        due_at: null,
        lease_owner: null,
        lease_until: null,
        version: 2,
        updated_at: at,
        checks: 'not json', // left as it was
      });
      await sql.end();
      expect((await store.history(app.id)).at(-1)).toStrictEqual({
        seq: 3,
        at,
        type: 'execution.quarantined',
        data: { reason: 'the execution cannot be restored' },
      });
      expect(await store.quarantine({ id: 'app_unknown', reason: 'x', at })).toBe(false);
    });

    it('lists by execution status, alone or with a state, with keyset pagination', async () => {
      const own = await openTestPostgresStore();
      onTestFinished(async () => {
        await own.store.close();
        await own.cleanup?.();
      });
      const failed = [1, 2, 3].map((i) =>
        testApplication({
          createdAt: `2026-01-01T00:00:0${i}.000Z`,
          state: 'APPROVED',
          execution: { status: i === 2 ? 'SUCCEEDED' : 'FAILED' },
        }),
      );
      const waiting = testApplication({ createdAt: '2026-01-01T00:00:00.000Z' });
      for (const app of [...failed, waiting]) await own.store.commit(createCommit(app));
      const ids = async (query: Parameters<Store['list']>[0]) => (await own.store.list(query)).map((a) => a.id);
      expect(await ids({ status: 'FAILED', limit: 10 })).toStrictEqual([failed[0]!.id, failed[2]!.id]);
      expect(await ids({ status: 'FAILED', limit: 1, after: { createdAt: failed[0]!.createdAt, id: failed[0]!.id } })).toStrictEqual([
        failed[2]!.id,
      ]);
      expect(await ids({ state: 'APPROVED', status: 'SUCCEEDED', limit: 10 })).toStrictEqual([failed[1]!.id]);
      expect(await ids({ state: 'FLAGGED_FOR_REVIEW', status: 'FAILED', limit: 10 })).toStrictEqual([]);
      expect(await ids({ status: 'WAITING_FOR_REVIEW', limit: 10 })).toStrictEqual([waiting.id]);
    });

    it('reports a real NOT NULL violation as internal, naming the column but no data, and fails only that step of a group', async () => {
      const nameless = testApplication({ name: null as unknown as string, address: 'Secret Street 1' });
      const error = await failure(store.commit(createCommit(nameless)));
      expect(codeOf(error)).toBe('internal');
      expect(error.message).toMatch(/SQLSTATE 23502 \(table applications, column name/);
      expect(`${error.message} ${JSON.stringify(error.cause)} ${String(error.cause)}`).not.toMatch(/Secret Street/);
      const good = testApplication();
      const other = testApplication();
      await store.commit(createCommit(other));
      const results = await store.commitMany([
        createCommit(good),
        createCommit(testApplication({ name: null as unknown as string })),
        { ...createCommit({ ...other, state: 'APPROVED' }), expectedVersion: 1 },
        { ...createCommit({ ...other, state: 'REJECTED' }), expectedVersion: 1 },
      ]);
      expect(results.map((r) => (r === null ? null : codeOf(r)))).toStrictEqual([null, 'internal', null, 'conflict']);
      expect(await store.get(good.id)).toStrictEqual(good);
      expect((await store.get(other.id))?.state).toBe('APPROVED');
      expect((await store.history(other.id)).map((e) => e.seq)).toStrictEqual([1, 2, 3, 4]);
    });

    it('answers store_unavailable after close, for every call, and closes twice quietly', async () => {
      const own = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 1 });
      await own.close();
      await own.close();
      for (const call of [own.get('x'), own.ping(), own.commit(createCommit(testApplication())), own.due('2026', 1)]) {
        expect(codeOf(await failure(call))).toBe('store_unavailable');
      }
      expect(() => own.watchDue?.(() => {})).toThrow(/closed/);
    });

    it('uses a client it is given, and leaves it open on close', async () => {
      const sql = postgres(schema.url, { max: 2, onnotice: () => {} });
      const own = await createPostgresStore({ sql, schema: schema.schema });
      await own.ping();
      await own.close();
      expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      await sql.end();
    });
  });

  describe('postgres store: opening', () => {
    const schemas: TestSchema[] = [];
    afterEach(async () => {
      for (const schema of schemas.splice(0)) await schema.drop();
    });
    const url = (password: string, port?: number) => {
      const u = new URL(TEST_DATABASE_URL!);
      u.password = password;
      if (port !== undefined) u.port = String(port);
      return u.toString();
    };

    it('creates a missing schema, and migrates once when ten processes open a fresh schema at once', async () => {
      const schema = await createTestSchema();
      schemas.push(schema);
      const fresh = `${schema.schema}_new`;
      schemas.push({ ...schema, schema: fresh, drop: () => postgresDrop(schema.url, fresh) });
      const stores = await Promise.all(Array.from({ length: 10 }, () => createPostgresStore({ url: schema.url, schema: fresh, max: 1 })));
      const sql = postgres(schema.url, { max: 1, onnotice: () => {} });
      expect(await sql`SELECT version FROM ${sql(fresh)}.schema_migrations`).toEqual([{ version: 1 }]);
      await sql.end();
      await Promise.all(stores.map((s) => s.ping()));
      await Promise.all(stores.map((s) => s.close()));
    });

    it('refuses a schema from a newer release with a clear error', async () => {
      const schema = await createTestSchema();
      schemas.push(schema);
      await (await createPostgresStore({ url: schema.url, schema: schema.schema, max: 1 })).close();
      const sql = postgres(schema.url, { max: 1, onnotice: () => {} });
      await sql`INSERT INTO ${sql(schema.schema)}.schema_migrations (version, applied_at) VALUES (99, ${new Date().toISOString()})`;
      await sql.end();
      const error = await failure(createPostgresStore({ url: schema.url, schema: schema.schema, max: 1 }));
      expect(codeOf(error)).toBe('store_unavailable');
      expect(error.message).toMatch(/schema version 99, newer than this release/);
    });

    it('fails store_unavailable on a refused connection, naming the server but never the password', async () => {
      const proxy = await createPostgresProxy(url('hunter2-secret'));
      await proxy.cut(); // a port that refuses connections
      const error = await failure(createPostgresStore({ url: proxy.url, max: 1 }));
      expect(codeOf(error)).toBe('store_unavailable');
      expect(error.message).toMatch(
        /^cannot open the Postgres store: connection refused \(ECONNREFUSED\) \(Postgres 127\.0\.0\.1:\d+\/\w+\)$/,
      );
      expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error.cause)} ${String(error.stack)}`).not.toMatch(/hunter2/);
    });

    it('fails store_unavailable on a URL that is not valid, without echoing it', async () => {
      for (const bad of ['postgres://user:hunter2-secret@[not a host/db', 'mysql://user:hunter2-secret@localhost/db', '']) {
        const error = await failure(createPostgresStore({ url: bad }));
        expect(codeOf(error)).toBe('store_unavailable');
        expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error.cause)}`).not.toMatch(/hunter2/);
      }
    });

    it('refuses options that make no sense', async () => {
      for (const options of [
        { url: TEST_DATABASE_URL!, max: 0 },
        { url: TEST_DATABASE_URL!, schema: '' },
        { url: TEST_DATABASE_URL!, schema: 'x'.repeat(64) },
        {},
      ]) {
        expect(codeOf(await failure(createPostgresStore(options as never)))).toBe('invalid_input');
      }
      // postgres.js 3.4.9's reserve(), which group commit uses, never settles on a cold pool without fetch_types.
      const sql = postgres(TEST_DATABASE_URL!, { fetch_types: false });
      expect(codeOf(await failure(createPostgresStore({ sql })))).toBe('invalid_input');
      await sql.end();
    });

    it('answers ping store_unavailable while the server is away, and again once it is back, with the same store', async () => {
      const schema = await createTestSchema();
      schemas.push(schema);
      const proxy = await createPostgresProxy(schema.url);
      // One connection, refused again and again while the server is away: the pool must still heal.
      const store = await createPostgresStore({ url: proxy.url, schema: schema.schema, max: 1, connectTimeoutSeconds: 2 });
      await store.ping();
      await proxy.cut();
      const started = performance.now();
      const error = await failure(store.ping());
      expect(codeOf(error)).toBe('store_unavailable');
      expect(error.message).toMatch(/\(Postgres 127\.0\.0\.1:\d+\/\w+\)$/);
      for (let i = 0; i < 5; i++) expect(codeOf(await failure(store.get('x')))).toBe('store_unavailable');
      expect(codeOf(await failure(store.commitMany([createCommit(testApplication()), createCommit(testApplication())])))).toBe(
        'store_unavailable',
      );
      expect(performance.now() - started).toBeLessThan(5000); // each call fails within the 1 s reconnect pause, not 20 s
      await proxy.restore();
      await store.ping();
      const app = testApplication();
      await store.commit(createCommit(app));
      expect(await store.get(app.id)).toStrictEqual(app);
      await store.close();
      await proxy.close();
    });
  });
});

async function postgresDrop(url: string, schema: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`;
  await sql.end();
}
