-- Generated from packages/core/src/store/sql-migrations.ts (migration 3) by
-- packages/api/scripts/d1-migrations.mjs: edit the source and run `pnpm nx run api:d1-migrations`, never this file.
-- D1 has no interactive transaction: a commit is one batch, and this table is its version check. Right after
-- the row's UPDATE … WHERE version = ?, the batch writes changes() here, and when that UPDATE changed no row the
-- CHECK fails and D1 rolls the whole batch back. (The SQLite store reads the count inside its transaction.)
CREATE TABLE commit_guard (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  changed INTEGER NOT NULL CONSTRAINT version_moved CHECK (changed = 1)
);
INSERT INTO schema_migrations (version, applied_at) VALUES (3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
