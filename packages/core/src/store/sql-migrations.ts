// The schema of the SQLite dialect, in one place for the two stores that speak it: the embedded SQLite store applies
// these on open, and D1 (SQLite at the edge) gets them as the `migrations/NNNN_name.sql` files of the API's Worker,
// written from this list by `packages/api/scripts/d1-migrations.mjs` and compared with it by a test. Runtime-neutral.

/** One numbered migration of the SQLite dialect. */
export interface SqlMigration {
  /** Applied in increasing order; recorded in `schema_migrations`. */
  readonly version: number;
  /** A short name, used in the D1 migration file's name (`0001_initial.sql`). */
  readonly name: string;
  /** The DDL. */
  readonly sql: string;
}

/**
 * The SQLite schema (the embedded store and D1), as numbered migrations applied in order. Never edit one that has
 * shipped: add one.
 */
export const SQLITE_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'initial',
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
    name: 'status_index_and_probe',
    sql: `
      -- list({ status }), e.g. every FAILED execution, with the same keyset pagination as by state.
      CREATE INDEX applications_by_status ON applications (status, created_at, id);
      -- One row that ping() rewrites: a real write that commits, not a cached flag.
      CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
    `,
  },
  {
    version: 3,
    name: 'commit_guard',
    sql: `
      -- D1 has no interactive transaction: a commit is one batch, and this table is its version check. Right after
      -- the row's UPDATE … WHERE version = ?, the batch writes changes() here, and when that UPDATE changed no row the
      -- CHECK fails and D1 rolls the whole batch back. (The SQLite store reads the count inside its transaction.)
      CREATE TABLE commit_guard (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        changed INTEGER NOT NULL CONSTRAINT version_moved CHECK (changed = 1)
      );
    `,
  },
];

/** The newest schema version this release knows. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
