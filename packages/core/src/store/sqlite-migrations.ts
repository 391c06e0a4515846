import type { DatabaseSyncInstance } from '@photostructure/sqlite';
import { DomainError } from '../errors.js';
import { selectColumn } from './sqlite-collect.js';

/** The SQLite schema, as numbered migrations applied in order on open. Never edit one that has shipped: add one. */
export const SQLITE_MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        name TEXT NOT NULL,
        address TEXT NOT NULL,
        checks TEXT,
        reason TEXT,
        review TEXT,
        task_token TEXT,
        status TEXT NOT NULL,
        execution TEXT NOT NULL,
        version INTEGER NOT NULL,
        due_at TEXT,
        lease_owner TEXT,
        lease_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX applications_by_created ON applications (created_at, id);
      CREATE INDEX applications_by_state ON applications (state, created_at, id);
      CREATE INDEX applications_due ON applications (due_at) WHERE due_at IS NOT NULL;
      CREATE TABLE snapshots (
        application_id TEXT PRIMARY KEY REFERENCES applications (id),
        machine_version INTEGER NOT NULL,
        snapshot TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE history (
        application_id TEXT NOT NULL REFERENCES applications (id),
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (application_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        application_id TEXT NOT NULL REFERENCES applications (id),
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    sql: `
      -- list({ status }), e.g. every FAILED execution, with the same keyset pagination as by state.
      CREATE INDEX applications_by_status ON applications (status, created_at, id);
      -- One row that ping() rewrites: a real write that commits, not a cached flag.
      CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
    `,
  },
];

/** The newest schema version this release knows. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;

/** The schema version of a database: 0 before the first migration. */
export function sqliteSchemaVersion(db: DatabaseSyncInstance): number {
  const tracked = selectColumn(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").length > 0;
  return tracked ? Number(selectColumn(db, 'SELECT COALESCE(MAX(version), 0) FROM schema_migrations')[0]) : 0;
}

const refuseNewer = (version: number) =>
  new DomainError(
    'store_unavailable',
    `the database has schema version ${version}, newer than this release knows (${SQLITE_SCHEMA_VERSION}); upgrade bank-workflows`,
  );

/**
 * Brings a database to the newest schema. An up-to-date database is only read, so opening one needs no write lock
 * (and works on a read-only file). Migrating takes the write lock, waiting up to `lockTimeoutMs` for it: SQLite's own
 * busy wait, which blocks the thread, so only the synchronous open passes more than 0; a reopen passes 0 and lets the
 * store retry asynchronously.
 * @throws {DomainError} `store_unavailable` when the database was written by a newer release.
 */
export function migrateSqlite(db: DatabaseSyncInstance, lockTimeoutMs: number): void {
  const found = sqliteSchemaVersion(db);
  if (found > SQLITE_SCHEMA_VERSION) throw refuseNewer(found);
  if (found === SQLITE_SCHEMA_VERSION) return;
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(lockTimeoutMs))}`);
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const current = sqliteSchemaVersion(db); // again under the lock: another process may have migrated meanwhile
      if (current > SQLITE_SCHEMA_VERSION) throw refuseNewer(current);
      const appliedAt = new Date().toISOString(); // digits and punctuation only: safe to inline
      for (const migration of SQLITE_MIGRATIONS) {
        if (migration.version <= current) continue;
        db.exec(migration.sql);
        db.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, '${appliedAt}')`);
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  } finally {
    db.exec('PRAGMA busy_timeout = 0');
  }
}
