/**
 * A second process that takes the SQLite write lock of a database and holds it: `node lock-holder.js <db> <ms>`.
 * Tells its parent `locked` once it holds the lock, then commits after `ms` and exits.
 */
import { DatabaseSync } from '@photostructure/sqlite';

const [path, ms] = [process.argv[2], Number(process.argv[3] ?? '3000')];
if (!path) throw new Error('usage: lock-holder <db> <ms>');
const db = new DatabaseSync(path);
db.exec('BEGIN IMMEDIATE');
process.send?.('locked');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}, ms);
