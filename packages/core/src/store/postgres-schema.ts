// The names a Postgres store derives from its schema: the quoted schema, the NOTIFY channel of its wake-ups and the
// advisory lock its migrations take. Several stores (test runs, tenants) can share one database, each in its own
// schema, without waking or blocking each other.
import { DomainError } from '../errors.js';

/** Postgres truncates identifiers (and refuses channel names) longer than this many bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES = 63;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** Quotes an identifier for SQL text: `my"schema` → `"my""schema"`. */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Checks a schema name: 1 to 63 bytes, no NUL. Postgres would silently truncate a longer one, and two stores
 * would then share a schema they think is different.
 * @throws {DomainError} `invalid_input`.
 */
export function validateSchemaName(schema: string): void {
  if (typeof schema !== 'string' || schema.length === 0 || byteLength(schema) > MAX_IDENTIFIER_BYTES || schema.includes('\0')) {
    throw new DomainError('invalid_input', `schema must be a name of 1 to ${MAX_IDENTIFIER_BYTES} bytes, not ${JSON.stringify(schema)}`);
  }
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: a stable number for a name (no `node:crypto`, so this runs anywhere). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The NOTIFY channel of a schema's wake-ups: `bank_due` in `public`, `bank_due:<schema>` elsewhere (hashed if long). */
export function dueChannel(schema: string): string {
  if (schema === 'public') return 'bank_due';
  const channel = `bank_due:${schema}`;
  return byteLength(channel) <= MAX_IDENTIFIER_BYTES ? channel : `bank_due:${fnv1a32(schema).toString(16).padStart(8, '0')}`;
}

/**
 * The two 32-bit keys of the advisory lock a schema's migrations take (`pg_advisory_xact_lock(int, int)`): a constant
 * for this application ("bank" in ASCII) and a hash of the schema name, as signed integers.
 */
export function migrationLockKeys(schema: string): readonly [number, number] {
  return [0x62616e6b, fnv1a32(schema) | 0];
}
