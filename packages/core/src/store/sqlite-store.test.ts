import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { describe, expect, it } from 'vitest';
import type { Application } from '../application.js';
import { isDomainError } from '../errors.js';
import { createCommit, describeStore, testApplication } from '../testing/describe-store.js';
import { createSqliteStore } from './sqlite-store.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'bank-sqlite-'));

describeStore('sqlite (file)', async () => {
  const dir = tempDir();
  const path = join(dir, 'nested', 'bank.db');
  return {
    store: createSqliteStore({ path }),
    reopen: async () => createSqliteStore({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('sqlite store', () => {
  it('keeps data across close and reopen, in WAL mode', async () => {
    const dir = tempDir();
    const path = join(dir, 'bank.db');
    const app = testApplication();
    const first = createSqliteStore({ path });
    await first.commit(createCommit(app));
    await first.close();
    const second = createSqliteStore({ path });
    expect(await second.get(app.id)).toStrictEqual(app);
    await second.close();
    const raw = new DatabaseSync(path);
    expect(raw.prepare('PRAGMA journal_mode').get()).toMatchObject({ journal_mode: 'wal' });
    expect(
      raw
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => ({ ...r })),
    ).toStrictEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a database from a newer release with a clear error, and leaves it alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'bank.db');
    await createSqliteStore({ path }).close();
    const raw = new DatabaseSync(path);
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, ?)').run(new Date().toISOString());
    raw.close();
    let error: unknown;
    try {
      createSqliteStore({ path });
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('store_unavailable');
    expect(String((error as Error).message)).toMatch(/schema version 99/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports an unopenable path as store_unavailable', () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    let error: unknown;
    try {
      createSqliteStore({ path: join(file, 'bank.db') });
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('store_unavailable');
    expect(String((error as Error).message)).toMatch(/cannot open SQLite database/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('quarantines an execution whose JSON is damaged, without reading it', async () => {
    const dir = tempDir();
    const path = join(dir, 'bank.db');
    const store = createSqliteStore({ path });
    const app = testApplication({ state: 'CHECKING' as Application['state'], execution: { status: 'RUNNING' } });
    await store.commit(createCommit(app, { dueAt: '2026-01-01T00:00:05.000Z' }));
    const raw = new DatabaseSync(path);
    raw.prepare("UPDATE applications SET execution = '{\"status', checks = 'not json' WHERE id = ?").run(app.id);
    await expect(store.load(app.id)).rejects.toThrow();

    const at = '2026-01-02T00:00:00.000Z';
    expect(await store.quarantine({ id: app.id, reason: 'the execution cannot be restored', at })).toBe(true);
    expect({
      ...(raw
        .prepare('SELECT status, execution, due_at, version, updated_at, checks FROM applications WHERE id = ?')
        .get(app.id) as object),
    }).toStrictEqual({
      status: 'FAILED',
      execution: JSON.stringify({ quarantined: { reason: 'the execution cannot be restored', at } }),
      due_at: null,
      version: 2,
      updated_at: at,
      checks: 'not json', // left as it was
    });
    expect((await store.history(app.id)).at(-1)).toStrictEqual({
      seq: 3,
      at,
      type: 'execution.quarantined',
      data: { reason: 'the execution cannot be restored' },
    });
    expect(await store.nextDueAt()).toBeUndefined();
    expect(await store.quarantine({ id: 'app_unknown', reason: 'x', at })).toBe(false);
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists by execution status, alone or with a state, with keyset pagination', async () => {
    const dir = tempDir();
    const store = createSqliteStore({ path: join(dir, 'bank.db') });
    const failed = [1, 2, 3].map((i) =>
      testApplication({
        createdAt: `2026-01-01T00:00:0${i}.000Z`,
        state: 'APPROVED',
        execution: { status: i === 2 ? 'SUCCEEDED' : 'FAILED' },
      }),
    );
    const waiting = testApplication({ createdAt: '2026-01-01T00:00:00.000Z' });
    for (const app of [...failed, waiting]) await store.commit(createCommit(app));
    expect((await store.list({ status: 'FAILED', limit: 10 })).map((a) => a.id)).toStrictEqual([failed[0]!.id, failed[2]!.id]);
    expect(
      (await store.list({ status: 'FAILED', limit: 1, after: { createdAt: failed[0]!.createdAt, id: failed[0]!.id } })).map((a) => a.id),
    ).toStrictEqual([failed[2]!.id]);
    expect((await store.list({ state: 'APPROVED', status: 'SUCCEEDED', limit: 10 })).map((a) => a.id)).toStrictEqual([failed[1]!.id]);
    expect(await store.list({ state: 'FLAGGED_FOR_REVIEW', status: 'FAILED', limit: 10 })).toStrictEqual([]);
    expect((await store.list({ status: 'WAITING_FOR_REVIEW', limit: 10 })).map((a) => a.id)).toStrictEqual([waiting.id]);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a real NOT NULL violation as internal, not conflict, and fails only that step of a group commit', async () => {
    const dir = tempDir();
    const store = createSqliteStore({ path: join(dir, 'bank.db') });
    const nameless = testApplication({ name: null as unknown as string });
    const error = await store.commit(createCommit(nameless)).catch((e: unknown) => e);
    expect(isDomainError(error) && error.code).toBe('internal');
    expect(String((error as Error).message)).toMatch(/NOT NULL/);
    const good = testApplication();
    const results = await store.commitMany([createCommit(testApplication({ name: null as unknown as string })), createCommit(good)]);
    expect(results.map((r) => (r === null ? null : isDomainError(r) && r.code))).toStrictEqual(['internal', null]);
    expect(await store.get(good.id)).toStrictEqual(good);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails writes past maxPageCount as disk full, ping reports the database full, and a larger cap heals it', async () => {
    const dir = tempDir();
    const path = join(dir, 'bank.db');
    const store = createSqliteStore({ path, maxPageCount: 64 });
    let error: unknown;
    for (let i = 0; i < 500 && error === undefined; i++) {
      error = await store
        .commit(createCommit(testApplication({ address: `${i} ${'Enterprise Street '.repeat(100)}` })))
        .catch((e: unknown) => e);
    }
    expect(isDomainError(error) && error.code).toBe('store_unavailable');
    expect(String((error as Error).message)).toMatch(/^disk full: .*maxPageCount.*bank\.db/);
    await expect(store.ping()).rejects.toThrow(/the database is full/);
    expect((await store.list({ limit: 1 })).length).toBe(1); // reads go on
    await store.close();
    const larger = createSqliteStore({ path, maxPageCount: 10_000 });
    await larger.ping();
    await larger.commit(createCommit(testApplication()));
    await larger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses options that make no sense', () => {
    expect(() => createSqliteStore({ path: ':memory:', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(() => createSqliteStore({ path: ':memory:', maxPageCount: 0.5 })).toThrow(/maxPageCount/);
  });
});
