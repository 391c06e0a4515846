-- Generated from packages/core/src/store/sql-migrations.ts (migration 2) by
-- packages/api/scripts/d1-migrations.mjs: edit the source and run `pnpm nx run api:d1-migrations`, never this file.
-- list({ status }), e.g. every FAILED execution, with the same keyset pagination as by state.
CREATE INDEX applications_by_status ON applications (status, created_at, id);
-- One row that ping() rewrites: a real write that commits, not a cached flag.
CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
INSERT INTO schema_migrations (version, applied_at) VALUES (2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
