// The database file on disk, before SQLite opens it: a fresh database only where no file exists, and an existing file
// refused (left untouched) unless it starts as a SQLite database should.
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { DomainError } from '../errors.js';
import { classifySqliteError, describeErrno } from './sqlite-errors.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

const errnoCode = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);

const cannotOpen = (path: string, e: unknown) =>
  new DomainError('store_unavailable', `cannot open SQLite database ${path}: ${describeErrno(e) ?? String(e)}`, { cause: e });

/** A file that is not ours to open: refused as `store_corrupt`, and left exactly as it is. */
export const notOurDatabase = (path: string, why: string) =>
  new DomainError('store_corrupt', `${path} exists but is not a bank-workflows SQLite database (${why}) — move it away to start fresh`);

/** A bank-workflows database that is damaged. */
export const damagedDatabase = (path: string, why: string) =>
  new DomainError(
    'store_corrupt',
    `the SQLite database ${path} is damaged (${why}) — restore it from a backup, or move it away to start fresh`,
  );

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    return header.subarray(0, readSync(fd, header, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

const hasContent = (path: string) => {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
};

/**
 * Looks at the file before SQLite does: `'missing'` when there is none (a fresh database may be created), `'present'`
 * when it starts as a SQLite database should.
 * @throws {DomainError} `store_corrupt` for an empty file, a file without the SQLite header or one cut short;
 * `store_unavailable` when it cannot be read.
 */
export function inspectDatabaseFile(path: string): 'missing' | 'present' {
  let size: number;
  let header: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new DomainError('store_unavailable', `cannot open SQLite database ${path}: it is a folder`);
    size = stat.size;
    header = size === 0 ? Buffer.alloc(0) : readHeader(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 'missing';
    throw e instanceof DomainError ? e : cannotOpen(path, e);
  }
  if (size === 0) throw notOurDatabase(path, 'empty file');
  if (header.length < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw notOurDatabase(path, 'it does not start with the SQLite header');
  }
  if (header.length < HEADER_BYTES) throw damagedDatabase(path, `${size} bytes, shorter than a SQLite header`);
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw damagedDatabase(path, `invalid page size ${rawPageSize}`);
  // The page count in the header counts only when its "valid for" number matches the change counter (as in SQLite).
  // Pages past the end of the file may still be in the WAL after a crash mid-checkpoint, so only judge without one.
  const pages = header.readUInt32BE(28);
  const expected = pages * pageSize;
  if (header.readUInt32BE(92) === header.readUInt32BE(24) && size < expected && !hasContent(`${path}-wal`)) {
    throw damagedDatabase(path, `truncated: its header says ${expected} bytes, the file has ${size}`);
  }
  return 'present';
}

/** The nearest folder at or above `folder` that exists: where the missing part of the path would be made. */
function nearestExisting(folder: string): string {
  let at = folder;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

function notWritable(path: string, folder: string, e: unknown): DomainError {
  // `mkdir -p` under a read-only or locked folder reports ENOENT for the part it could not make, which reads as if
  // something were missing: the folder that does exist says what is wrong (a read-only filesystem, no permission).
  const existing = nearestExisting(folder);
  if (existing !== folder) {
    try {
      accessSync(existing, constants.W_OK);
    } catch (denied) {
      return new DomainError(
        'store_unavailable',
        `cannot create the SQLite database ${path}: cannot create its folder ${folder} in ${existing} (${describeErrno(denied) ?? String(denied)})`,
        { cause: e },
      );
    }
  }
  return new DomainError(
    'store_unavailable',
    `cannot create the SQLite database ${path}: its folder ${folder} is not writable (${describeErrno(e) ?? String(e)})`,
    { cause: e },
  );
}

/**
 * Creates a fresh database at `path`, where no file exists: built under a temporary name in the same folder, closed,
 * then hard-linked into place, so a crash never leaves a half-made file at `path` and an existing file is never
 * replaced (if another process created it meanwhile, theirs is kept).
 * @throws {DomainError} `store_unavailable` when the folder cannot be created or written.
 */
export function createDatabaseFile(path: string, initialize: (db: DatabaseSyncInstance) => void): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw notWritable(path, folder, e);
  }
  const temporary = join(folder, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.creating`);
  try {
    let db: DatabaseSyncInstance;
    try {
      db = new DatabaseSync(temporary);
    } catch (e) {
      throw notWritable(path, folder, e);
    }
    try {
      initialize(db); // exec only: no prepared statement may outlive close(), or the WAL would not be checkpointed
    } catch (e) {
      // Thrown, never deferred to a later reopen: only this first open may create the file.
      const failure = classifySqliteError(e);
      const why = failure.systemError ? `${failure.reason}: ${failure.systemError}` : failure.reason;
      throw new DomainError('store_unavailable', `cannot create the SQLite database ${path}: ${why}`, { cause: e });
    } finally {
      db.close();
    }
    try {
      linkSync(temporary, path);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') return;
      // Filesystems without hard links: a rename, after one more look (a small race, only on such filesystems).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw notWritable(path, folder, e);
      if (inspectDatabaseFile(path) === 'missing') renameSync(temporary, path);
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${temporary}${suffix}`, { force: true });
  }
}

/**
 * Why the database's location may refuse writes, in words for an error message: a read-only filesystem, or a file or
 * folder this process may not write. Undefined when it looks writable (or cannot be told).
 */
export function describeLocation(path: string): string | undefined {
  const folder = dirname(path);
  for (const [target, what] of [
    [folder, `its folder ${folder}`],
    [path, 'the file'],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EROFS') return `${what} is on a read-only filesystem`;
      if (code === 'EACCES' || code === 'EPERM') return `${what} is not writable by this process`;
      if (code === 'ENOENT' && target === folder) return `${what} does not exist`;
    }
  }
  return undefined;
}
