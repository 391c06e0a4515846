/**
 * `@bank/core/postgres`: the store for many processes on one PostgreSQL database (one statement per settled step,
 * group commit in one round trip, leases on due executions, wake-ups over LISTEN/NOTIFY). It uses the `postgres`
 * driver (postgres.js), so it lives on its own subpath and is never imported by the main entry.
 * @module
 */
export { createPostgresStore, type PostgresStoreOptions, type PostgresStoreSettings } from './store/postgres-store.js';
