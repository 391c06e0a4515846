import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.js';
import { createCommit, describeStore, testApplication } from '../testing/describe-store.js';
import { createSqliteStore } from './sqlite-store.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'bank-sqlite-'));

describeStore('sqlite (file)', async () => {
  const dir = tempDir();
  return {
    store: createSqliteStore({ path: join(dir, 'nested', 'bank.db') }),
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
    ).toStrictEqual([{ version: 1 }]);
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
});
