// The D1 schema is the SQLite store's: the same numbered migrations (sql-migrations.ts), written as the files
// `wrangler d1 migrations apply` runs, each recording its version in `schema_migrations` as the SQLite store does, so
// the store can tell the schema version of a D1 database the same way and refuse one newer than the code.
import { DomainError } from '../errors.js';
import type { D1Database } from './d1-types.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sql-migrations.js';

/** One migration file for wrangler: `0001_initial.sql` and its SQL. */
export interface D1MigrationFile {
  /** The file name: the version in four digits, then the migration's name. */
  readonly name: string;
  /** The file's content. */
  readonly sql: string;
}

/** The schema version the D1 store needs: the newest migration of the shared SQLite schema. */
export const D1_SCHEMA_VERSION = SQLITE_SCHEMA_VERSION;

const dedent = (sql: string): string => {
  const lines = sql.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
};

/**
 * The D1 migration files, generated from the SQLite store's migrations: each applies one migration and records it in
 * `schema_migrations` (created by the first), exactly as the SQLite store does on open.
 */
export function d1MigrationFiles(): D1MigrationFile[] {
  return SQLITE_MIGRATIONS.map((migration, index) => ({
    name: `${String(migration.version).padStart(4, '0')}_${migration.name}.sql`,
    sql: [
      `-- Generated from packages/core/src/store/sql-migrations.ts (migration ${migration.version}) by`,
      '-- packages/api/scripts/d1-migrations.mjs: edit the source and run `pnpm nx run api:d1-migrations`, never this file.',
      ...(index === 0 ? ['CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);'] : []),
      dedent(migration.sql),
      `INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));`,
      '',
    ].join('\n'),
  }));
}

/** The schema version of a D1 database: the newest version in `schema_migrations`, 0 before the first migration. */
export async function d1SchemaVersion(db: D1Database): Promise<number> {
  try {
    const row = await db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').first<{ version: number }>();
    return row?.version ?? 0;
  } catch (e) {
    if (/no such table/i.test(e instanceof Error ? e.message : String(e))) return 0;
    throw e;
  }
}

/**
 * Checks that a D1 database has exactly the schema this release knows.
 * @throws {DomainError} `store_unavailable` when it is older (migrations not applied) or newer (written by a newer
 * release); the message says which and what to do.
 */
export async function checkD1Schema(db: D1Database): Promise<void> {
  const found = await d1SchemaVersion(db);
  if (found > D1_SCHEMA_VERSION) {
    throw new DomainError(
      'store_unavailable',
      `the D1 database has schema version ${found}, newer than this release knows (${D1_SCHEMA_VERSION}); upgrade bank-workflows`,
    );
  }
  if (found < D1_SCHEMA_VERSION) {
    throw new DomainError(
      'store_unavailable',
      `the D1 database has schema version ${found}; this release needs ${D1_SCHEMA_VERSION}: run \`wrangler d1 migrations apply\``,
    );
  }
}

/**
 * The statements of a migration file, as `wrangler d1 migrations apply` sends them: whole-line `--` comments dropped,
 * split at each `;` that ends a line (the generated files put no `;` anywhere else).
 */
export function d1MigrationStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/**
 * Applies the migrations a D1 database lacks, each file as one batch (one transaction), and resolves with how many it
 * applied. For tests, benchmarks and local tools that hold a D1 binding; a deployed database is migrated with
 * `wrangler d1 migrations apply --remote`, which runs the same files and keeps its own record of them.
 * @throws {DomainError} `store_unavailable` when the database has a schema newer than this release knows.
 */
export async function applyD1Migrations(db: D1Database): Promise<number> {
  const found = await d1SchemaVersion(db);
  if (found > D1_SCHEMA_VERSION) await checkD1Schema(db);
  const missing = d1MigrationFiles().filter((_, index) => SQLITE_MIGRATIONS[index]!.version > found);
  for (const file of missing) await db.batch(d1MigrationStatements(file.sql).map((statement) => db.prepare(statement)));
  return missing.length;
}
