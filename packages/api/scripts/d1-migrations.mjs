// `pnpm nx run api:d1-migrations`: writes the D1 migration files (migrations/NNNN_name.sql, what
// `wrangler d1 migrations apply` runs) from the SQLite store's migrations, the one source of the schema, and removes
// files that no longer come from it. test/d1-migrations.test.ts fails while the files and the source differ.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { d1MigrationFiles } from '@bank/core/d1';

const dir = fileURLToPath(new URL('../migrations/', import.meta.url));
mkdirSync(dir, { recursive: true });
const files = d1MigrationFiles();
for (const name of readdirSync(dir)) if (name.endsWith('.sql') && !files.some((f) => f.name === name)) rmSync(dir + name);
for (const file of files) writeFileSync(dir + file.name, file.sql);
process.stdout.write(`wrote ${files.map((f) => `migrations/${f.name}`).join(', ')}\n`);
