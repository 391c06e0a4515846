/**
 * `@bank/core/open-store`: opens the store a location names, for Node entry points that take one setting
 * (`BANK_DB`, `--db`): a `postgres://` (or `postgresql://`) URL opens the Postgres store, anything else is a SQLite
 * file. Each driver is loaded only when its store is opened, so a SQLite user never loads the Postgres driver.
 * @module
 */
import type { Store } from './store/store.js';

/** Tells whether a store location is a Postgres connection URL rather than a SQLite file path. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location.trim());

/**
 * Opens (and migrates) the store at `location`: a Postgres URL or a SQLite file path (relative paths are resolved
 * by SQLite against the working directory; resolve them first if that is not what you mean).
 * @throws {DomainError} `store_unavailable` when it cannot be reached or opened (a Postgres password is never part of
 * the message); `store_corrupt` when a SQLite file is damaged.
 * @example
 * ```ts
 * import { createRuntime } from '@bank/core';
 * import { openStore } from '@bank/core/open-store';
 * const runtime = createRuntime({ store: await openStore(process.env.BANK_DB ?? '.bank/bank.db') });
 * ```
 */
export async function openStore(location: string): Promise<Store> {
  if (isPostgresUrl(location)) {
    const { createPostgresStore } = await import('./store/postgres-store.js');
    return createPostgresStore({ url: location.trim() });
  }
  const { createSqliteStore } = await import('./store/sqlite-store.js');
  return createSqliteStore({ path: location });
}
