/**
 * `@bank/core/d1`: the store for Cloudflare Workers, on a D1 database, with the SQLite store's schema (the migration
 * files for `wrangler d1 migrations apply` are generated from the same source). Runtime-neutral, like the main entry:
 * it imports nothing from Node, and needs no Workers type package (the binding's shape is declared here).
 * @module
 */
export { createD1Store, type D1StoreOptions } from './store/d1-store.js';
export {
  applyD1Migrations,
  checkD1Schema,
  D1_SCHEMA_VERSION,
  d1MigrationFiles,
  d1MigrationStatements,
  d1SchemaVersion,
  type D1MigrationFile,
} from './store/d1-migrations.js';
export type { D1Database, D1PreparedStatement, D1Result } from './store/d1-types.js';
