import { describe, expect, it } from 'vitest';
import { dueChannel, fnv1a32, migrationLockKeys, quoteIdentifier, validateSchemaName } from './postgres-schema.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('postgres schema names', () => {
  it('quotes identifiers, doubling quotes', () => {
    expect(quoteIdentifier('public')).toBe('"public"');
    expect(quoteIdentifier('a"b; DROP')).toBe('"a""b; DROP"');
  });

  it('accepts names of 1 to 63 bytes and refuses the rest', () => {
    for (const ok of ['public', 'x'.repeat(63), 'Zoë', '"quoted"']) expect(() => validateSchemaName(ok)).not.toThrow();
    for (const bad of ['', 'x'.repeat(64), 'é'.repeat(32), 'a\0b']) expect(() => validateSchemaName(bad)).toThrow(/schema must be/);
  });

  it('names one wake-up channel per schema, within the 63 bytes Postgres allows', () => {
    expect(dueChannel('public')).toBe('bank_due');
    expect(dueChannel('tenant_a')).toBe('bank_due:tenant_a');
    expect(dueChannel('tenant_a')).not.toBe(dueChannel('tenant_b'));
    const long = dueChannel('x'.repeat(63));
    expect(bytes(long)).toBeLessThanOrEqual(63);
    expect(long).not.toBe(dueChannel(`${'x'.repeat(62)}y`));
  });

  it('keys the migration lock by schema, as two 32-bit signed integers', () => {
    const [app, schema] = migrationLockKeys('public');
    expect(app).toBe(0x62616e6b);
    expect(schema).toBe(fnv1a32('public') | 0);
    expect(migrationLockKeys('other')[1]).not.toBe(schema);
    for (const key of [...migrationLockKeys('public'), ...migrationLockKeys('x'.repeat(63))]) {
      expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    }
    expect(fnv1a32('')).toBe(0x811c9dc5); // the FNV-1a offset basis
    expect(fnv1a32('a')).toBe(0xe40c292c); // a published FNV-1a test vector
  });
});
