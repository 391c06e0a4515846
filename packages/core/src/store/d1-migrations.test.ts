import { describe, expect, it } from 'vitest';
import { D1_SCHEMA_VERSION, d1MigrationFiles, d1MigrationStatements } from './d1-migrations.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sql-migrations.js';

describe('the D1 migration files', () => {
  it('are the SQLite migrations, one file each, numbered and named after them', () => {
    expect(D1_SCHEMA_VERSION).toBe(SQLITE_SCHEMA_VERSION);
    expect(d1MigrationFiles().map((f) => f.name)).toStrictEqual(
      SQLITE_MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}.sql`),
    );
  });

  it('record each version in schema_migrations, as the SQLite store does, creating the table in the first', () => {
    const files = d1MigrationFiles();
    expect(d1MigrationStatements(files[0]!.sql)[0]).toMatch(/^CREATE TABLE IF NOT EXISTS schema_migrations/);
    files.forEach((file, i) => {
      const statements = d1MigrationStatements(file.sql);
      expect(statements.at(-1)).toMatch(new RegExp(`^INSERT INTO schema_migrations \\(version, applied_at\\) VALUES \\(${i + 1},`));
    });
  });

  it('split into whole statements: no `;` in a comment or in the middle of a line', () => {
    for (const migration of SQLITE_MIGRATIONS) {
      for (const line of migration.sql.split('\n')) {
        if (line.trim().startsWith('--')) expect(line, `migration ${migration.version}`).not.toContain(';');
        else expect(line.replace(/;\s*$/, ''), `migration ${migration.version}`).not.toContain(';');
      }
    }
    const statements = d1MigrationFiles().flatMap((f) => d1MigrationStatements(f.sql));
    for (const statement of statements) expect(statement).toMatch(/^(CREATE|INSERT)/);
  });
});
