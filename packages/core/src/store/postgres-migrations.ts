// The Postgres schema, as numbered migrations applied on open under an advisory lock, so that many processes starting
// together migrate once. Never edit a migration that has shipped: add one.
import type { ISql, Sql } from 'postgres';
import { DomainError } from '../errors.js';
import { migrationLockKeys, quoteIdentifier } from './postgres-schema.js';

/** One migration: its version and its DDL, given the quoted schema name. */
export interface PostgresMigration {
  readonly version: number;
  readonly sql: (schema: string) => string;
}

// The shape of the SQLite schema, with two differences. Text that must sort the way JavaScript compares strings (ids,
// ISO 8601 times, the keyset pagination on (created_at, id)) is `COLLATE "C"`, whatever the database's collation.
// And `last_seq` (the seq of the newest history event) lets a step number its events from the row it updates, under
// that row's lock, instead of reading MAX(seq) from a snapshot that a concurrent commit may have outdated.
// JSON columns are `text`, not `jsonb`: jsonb reorders keys and normalises numbers and text, and the store must
// return exactly what was committed.
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    sql: (s) => `
      CREATE TABLE ${s}.applications (
        id text COLLATE "C" PRIMARY KEY,
        state text NOT NULL,
        name text NOT NULL,
        address text NOT NULL,
        checks text,
        reason text,
        review text,
        task_token text,
        status text NOT NULL,
        execution text NOT NULL,
        version integer NOT NULL,
        last_seq integer NOT NULL,
        due_at text COLLATE "C",
        lease_owner text,
        lease_until text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX applications_by_created ON ${s}.applications (created_at, id);
      CREATE INDEX applications_by_state ON ${s}.applications (state, created_at, id);
      CREATE INDEX applications_by_status ON ${s}.applications (status, created_at, id);
      CREATE INDEX applications_due ON ${s}.applications (due_at, id) WHERE due_at IS NOT NULL;
      CREATE INDEX applications_leased ON ${s}.applications (lease_until) WHERE lease_until IS NOT NULL;
      CREATE TABLE ${s}.snapshots (
        application_id text COLLATE "C" PRIMARY KEY REFERENCES ${s}.applications (id),
        machine_version integer NOT NULL,
        snapshot text NOT NULL
      );
      CREATE TABLE ${s}.history (
        application_id text COLLATE "C" NOT NULL REFERENCES ${s}.applications (id),
        seq integer NOT NULL,
        at text NOT NULL,
        type text NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (application_id, seq)
      );
      CREATE TABLE ${s}.idempotency_keys (
        key text COLLATE "C" PRIMARY KEY,
        request_hash text NOT NULL,
        application_id text COLLATE "C" NOT NULL REFERENCES ${s}.applications (id),
        created_at text NOT NULL
      );
      -- One row that ping() rewrites: a real write that commits, not a cached flag.
      CREATE TABLE ${s}.store_probe (id integer PRIMARY KEY CHECK (id = 1), at text NOT NULL);
    `,
  },
];

/** The newest schema version this release knows. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;

/** The schema version in `schema`: 0 before the first migration (or when the schema does not exist). */
export async function postgresSchemaVersion(sql: ISql, schema: string): Promise<number> {
  return (await readSchemaVersion(sql, schema)) ?? 0;
}

/** The schema version, or undefined when there is no `schema_migrations` table (yet). */
async function readSchemaVersion(sql: ISql, schema: string): Promise<number | undefined> {
  const table = `${quoteIdentifier(schema)}.schema_migrations`;
  const [tracked] = await sql.unsafe<{ tracked: boolean }[]>('SELECT to_regclass($1) IS NOT NULL AS tracked', [table]);
  if (!tracked?.tracked) return undefined;
  const [row] = await sql.unsafe<{ version: number }[]>(`SELECT COALESCE(MAX(version), 0)::int AS version FROM ${table}`);
  return row?.version ?? 0;
}

const refuseNewer = (version: number, schema: string) =>
  new DomainError(
    'store_unavailable',
    `the Postgres schema ${JSON.stringify(schema)} has schema version ${version}, newer than this release knows (${POSTGRES_SCHEMA_VERSION}); upgrade bank-workflows`,
  );

/**
 * Brings `schema` (created if missing) to the newest version. An up-to-date schema is only read. Otherwise the
 * migrations run in one transaction holding an advisory lock keyed on the schema name, and the version is read again
 * under the lock, so of many processes opening at once one migrates and the others find the work done.
 * @throws {DomainError} `store_unavailable` when the schema was written by a newer release; driver errors as they are.
 */
export async function migratePostgres(sql: Sql, schema: string): Promise<void> {
  const found = await postgresSchemaVersion(sql, schema);
  if (found > POSTGRES_SCHEMA_VERSION) throw refuseNewer(found, schema);
  if (found === POSTGRES_SCHEMA_VERSION) return;
  const s = quoteIdentifier(schema);
  await sql.begin(async (tx) => {
    await tx.unsafe('SELECT pg_advisory_xact_lock($1::int, $2::int)', [...migrationLockKeys(schema)]);
    // Asked first rather than IF NOT EXISTS: CREATE SCHEMA checks the CREATE privilege even when the schema exists, and
    // both print a notice.
    const [exists] = await tx.unsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists?.n === 0) await tx.unsafe(`CREATE SCHEMA ${s}`);
    let current = await readSchemaVersion(tx, schema);
    if (current === undefined) {
      await tx.unsafe(`CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`);
      current = 0;
    }
    if (current > POSTGRES_SCHEMA_VERSION) throw refuseNewer(current, schema);
    const appliedAt = new Date().toISOString();
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await tx.unsafe(migration.sql(s));
      await tx.unsafe(`INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [migration.version, appliedAt]);
    }
  });
}
