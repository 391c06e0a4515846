import type { DatabaseSyncInstance } from '@photostructure/sqlite';
import { DomainError } from '../errors.js';
import { selectColumn } from './sqlite-collect.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sql-migrations.js';

export { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION };

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
