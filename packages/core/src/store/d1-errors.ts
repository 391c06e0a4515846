// How the D1 store turns D1's errors into DomainErrors. D1 reports failures as `Error`s whose message carries
// SQLite's text and result code name ("D1_ERROR: UNIQUE constraint failed: applications.id: SQLITE_CONSTRAINT"), and
// no numeric code, so the message is all there is to classify.
import { DomainError, isDomainError, type ErrorCode } from '../errors.js';

/** The name of the CHECK constraint the commit guard violates when the version moved (migration 3). */
export const VERSION_MOVED = 'version_moved';

interface D1Failure {
  readonly code: ErrorCode;
  readonly reason: string;
}

const RULES: readonly { readonly test: RegExp; readonly failure: D1Failure }[] = [
  { test: new RegExp(`CHECK constraint failed: ${VERSION_MOVED}`), failure: { code: 'conflict', reason: 'changed concurrently' } },
  { test: /UNIQUE constraint failed|PRIMARY KEY constraint failed/, failure: { code: 'conflict', reason: 'the key exists' } },
  { test: /SQLITE_CORRUPT|SQLITE_NOTADB|malformed/i, failure: { code: 'store_corrupt', reason: 'the database is damaged' } },
  {
    test: /SQLITE_FULL|disk is full|database size|exceeded.*(storage|size)/i,
    failure: { code: 'store_unavailable', reason: 'the database is full' },
  },
  {
    test: /no such table|no such column/i,
    failure: { code: 'store_unavailable', reason: 'the database is not migrated: run `wrangler d1 migrations apply`' },
  },
  {
    // The failures Cloudflare documents as transient (retry later): the connection to the database object was lost
    // or reset, the object is overloaded or restarting, or a lock was held.
    test: /network connection lost|connection (was )?(reset|closed)|overloaded|object to be reset|reset because|transient|timed? ?out|SQLITE_BUSY|SQLITE_LOCKED|database is locked|internal error|try again|unavailable/i,
    failure: { code: 'store_unavailable', reason: 'D1 is unavailable' },
  },
];

/** What an error from D1 means for the store: the DomainError code, and why in words an operator can act on. */
export function classifyD1Error(e: unknown): D1Failure {
  if (isDomainError(e)) return { code: e.code, reason: e.message };
  // A stored JSON column that does not parse is this row's problem, not the database's.
  if (e instanceof SyntaxError) return { code: 'internal', reason: 'a stored JSON column does not parse' };
  const message = e instanceof Error ? e.message : String(e);
  for (const rule of RULES) if (rule.test.test(message)) return rule.failure;
  return { code: 'internal', reason: 'D1 failed' };
}

/** Wraps an error from D1 as a DomainError that says what the store was doing, keeping the original as `cause`. */
export function toD1StoreError(e: unknown, doing: string): DomainError {
  if (isDomainError(e)) return e;
  const { code, reason } = classifyD1Error(e);
  const detail = e instanceof Error ? e.message : String(e);
  return new DomainError(code, `D1 store: ${doing}: ${reason} (${detail})`, { cause: e });
}
