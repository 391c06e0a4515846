import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { POSTGRES_SKIP_NOTE, TEST_DATABASE_URL } from '../testing/postgres.js';
import { createPostgresStatements, parameters, textArray } from './postgres-statements.js';

const tricky = ['', 'plain', 'a,b', '{braces}', '"quoted"', 'back\\slash', '\\"', 'NULL', 'null', ' spaced ', 'Zoë 👩‍🚀', '{"a":[1,2]}'];

describe('postgres statements', () => {
  it('numbers each named parameter once, however often it is used', () => {
    const { update } = createPostgresStatements('s');
    expect(new Set(update.names).size).toBe(update.names.length);
    expect(update.text).toContain(`$${update.names.indexOf('key') + 1}::text`);
    expect(update.text.match(new RegExp(`\\$${update.names.indexOf('key') + 1}\\b`, 'g'))?.length).toBeGreaterThan(1);
  });

  it('refuses a missing parameter value rather than sending NULL', () => {
    const { get } = createPostgresStatements('s');
    expect(parameters(get, { id: 'x' })).toStrictEqual(['x']);
    expect(() => parameters(get, {})).toThrow(/no value for parameter id/);
  });

  it('qualifies every table with the quoted schema', () => {
    const statements = createPostgresStatements('my"schema');
    for (const statement of Object.values(statements)) {
      for (const [, prefix] of statement.text.matchAll(/(["\w.]*)\b(?:applications|snapshots|history|idempotency_keys|store_probe)\b/g)) {
        expect(prefix).toBe('"my""schema".');
      }
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`postgres statements, on the server${POSTGRES_SKIP_NOTE}`, () => {
  it('writes text arrays the server reads back exactly', async () => {
    const sql = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    for (const values of [[], tricky, [tricky.join('')]]) {
      const [row] = await sql.unsafe<{ values: string[]; n: number }[]>('SELECT $1::text[] AS values, cardinality($1::text[]) AS n', [
        textArray(values),
      ]);
      expect(row).toStrictEqual({ values, n: values.length });
    }
    await sql.end();
  });
});
