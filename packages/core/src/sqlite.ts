/**
 * `@bank/core/sqlite`: the embedded default store, on a SQLite file. Node-only (a native module), so it lives
 * on its own subpath and is never imported by the main entry or an edge bundle.
 * @module
 */
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
