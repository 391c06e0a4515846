// One schema: the D1 migration files wrangler applies (migrations/, the `migrations_dir` of wrangler.jsonc) are exactly
// what `d1MigrationFiles()` generates from the SQLite store's migrations (packages/core/src/store/sql-migrations.ts).
// When this fails, run `pnpm nx run api:d1-migrations` and commit the files it writes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { d1MigrationFiles, D1_SCHEMA_VERSION } from '@bank/core/d1';
import { describe, expect, it } from 'vitest';
import { API_ROOT, readWranglerConfig } from './workerd.js';

describe('the D1 migration files', () => {
  const dir = join(API_ROOT, readWranglerConfig().d1_databases[0]!.migrations_dir);

  it('are the files generated from the one schema source, byte for byte, and no others', () => {
    const expected = d1MigrationFiles();
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    ).toStrictEqual(expected.map((f) => f.name));
    for (const file of expected) expect(readFileSync(join(dir, file.name), 'utf8'), file.name).toBe(file.sql);
  });

  it('number every migration of the schema, from 0001 up to the version the store needs', () => {
    expect(d1MigrationFiles().map((f) => Number(f.name.slice(0, 4)))).toStrictEqual(
      Array.from({ length: D1_SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });
});
