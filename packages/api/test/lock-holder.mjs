// A second process that takes a SQLite database's write lock and holds it: `node lock-holder.mjs <db> <ms>`.
// Tells its parent once it holds the lock (IPC), commits after `ms` and exits.
import { DatabaseSync } from '@photostructure/sqlite';

const [path, ms] = [process.argv[2], Number(process.argv[3] ?? '3000')];
const db = new DatabaseSync(path);
db.exec('BEGIN IMMEDIATE');
process.send?.('locked');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}, ms);
