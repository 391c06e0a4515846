-- Generated from packages/core/src/store/sql-migrations.ts (migration 1) by
-- packages/api/scripts/d1-migrations.mjs: edit the source and run `pnpm nx run api:d1-migrations`, never this file.
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
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
INSERT INTO schema_migrations (version, applied_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
