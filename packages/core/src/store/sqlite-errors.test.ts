import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { classifySqliteError, sqliteResultCode, toSqliteStoreError } from './sqlite-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-sqlite-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = () => join(dir, `db-${++files}.db`);

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('classifySqliteError', () => {
  describe('constraint failures, from real SQLite errors', () => {
    const db = new DatabaseSync(':memory:');
    db.exec(`
      CREATE TABLE parent (id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT NOT NULL, n INTEGER CHECK (n > 0), u TEXT UNIQUE, p TEXT REFERENCES parent (id)) WITHOUT ROWID;
      INSERT INTO t (id, v, n, u) VALUES ('a', 'x', 1, 'u1');
    `);
    it.each([
      ['a duplicate primary key', "INSERT INTO t (id, v, n) VALUES ('a', 'x', 1)", 1555, 'conflict'],
      ['a duplicate unique value', "INSERT INTO t (id, v, n, u) VALUES ('b', 'x', 1, 'u1')", 2067, 'conflict'],
      ['a NOT NULL violation', "INSERT INTO t (id, v, n) VALUES ('c', NULL, 1)", 1299, 'internal'],
      ['a CHECK violation', "INSERT INTO t (id, v, n) VALUES ('d', 'x', 0)", 275, 'internal'],
      ['a FOREIGN KEY violation', "INSERT INTO t (id, v, n, p) VALUES ('e', 'x', 1, 'nobody')", 787, 'internal'],
      ['a syntax error', 'SELEC 1', 1, 'internal'],
    ])('maps %s (extended code %i) to %s', (_, sql, extended, code) => {
      const error = thrownBy(() => db.exec(sql));
      expect(sqliteResultCode(error)).toBe(extended);
      expect(classifySqliteError(error)).toMatchObject({ code, busy: false, reconnect: false });
    });
  });

  it('retries BUSY: another connection holds the write lock', () => {
    const path = file();
    const holder = new DatabaseSync(path);
    holder.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (x); BEGIN IMMEDIATE');
    const other = new DatabaseSync(path, { timeout: 0 });
    const error = thrownBy(() => other.exec('BEGIN IMMEDIATE'));
    holder.exec('COMMIT');
    expect(sqliteResultCode(error)).toBe(5);
    expect(classifySqliteError(error)).toMatchObject({
      code: 'store_unavailable',
      busy: true,
      reason: 'the database is locked by another process',
    });
    holder.close();
    other.close();
  });

  it('reopens after READONLY, and says the database is read-only', () => {
    const path = file();
    new DatabaseSync(path).exec('CREATE TABLE t (x)');
    const error = thrownBy(() => new DatabaseSync(path, { readOnly: true }).exec('INSERT INTO t VALUES (1)'));
    expect(sqliteResultCode(error)).toBe(8);
    expect(classifySqliteError(error)).toMatchObject({
      code: 'store_unavailable',
      reconnect: true,
      reason: expect.stringMatching(/read-only/),
    });
  });

  it('reopens after CANTOPEN, and names the cause', () => {
    const error = thrownBy(() => new DatabaseSync(join(dir, 'no-such-folder', 'x.db')));
    expect(sqliteResultCode(error)).toBe(14);
    expect(classifySqliteError(error)).toMatchObject({
      code: 'store_unavailable',
      reconnect: true,
      reason: 'the database file cannot be opened',
      systemError: 'no such file or folder',
    });
  });

  it('reports disk full for SQLITE_FULL (here: max_page_count reached)', () => {
    const db = new DatabaseSync(file());
    db.exec('CREATE TABLE t (x); PRAGMA max_page_count = 8');
    const error = thrownBy(() => {
      for (let i = 0; i < 100; i++) db.exec(`INSERT INTO t VALUES (randomblob(3000))`);
    });
    expect(sqliteResultCode(error)).toBe(13);
    expect(classifySqliteError(error)).toMatchObject({
      code: 'store_unavailable',
      busy: false,
      reconnect: false,
      reason: expect.stringMatching(/^disk full/),
    });
  });

  it('reports NOTADB as store_corrupt, never retried', () => {
    const path = file();
    writeFileSync(path, 'name,address\nSpock,123 Enterprise Street\n'.repeat(200));
    const error = thrownBy(() => new DatabaseSync(path).exec('SELECT * FROM sqlite_schema'));
    expect(sqliteResultCode(error)).toBe(26);
    expect(classifySqliteError(error)).toMatchObject({ code: 'store_corrupt', busy: false, reconnect: false });
  });

  it('reports CORRUPT (a damaged page) as store_corrupt, never retried', () => {
    const path = file();
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE t (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t SELECT printf('%0100d', i) FROM n",
    );
    db.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, 4096); // page 2: the root of t
    closeSync(fd);
    const error = thrownBy(() => new DatabaseSync(path).exec('SELECT count(*) FROM t'));
    expect(sqliteResultCode(error) !== undefined && sqliteResultCode(error)! & 0xff).toBe(11);
    expect(classifySqliteError(error)).toMatchObject({ code: 'store_corrupt', busy: false, reconnect: false });
  });

  // No portable way to make these happen for real without root (the fault tests in sqlite-faults.test.ts produce a real
  // IOERR where they can): errors of the driver's exact shape.
  it.each([
    ['IOERR_WRITE on a read-only filesystem', 778, constants.errno.EROFS, 'store_unavailable', true, /I\/O error/],
    ['LOCKED', 6, 0, 'store_unavailable', false, /locked/],
    ['NOMEM', 7, 0, 'store_unavailable', false, /out of memory/],
    ['PROTOCOL', 15, 0, 'store_unavailable', false, /locking protocol/],
  ])('maps %s (%i) to %s', (_, errcode, systemErrno, code, reconnect, reason) => {
    const error = Object.assign(new Error('from the driver'), { code: 'ERR_SQLITE_ERROR', errcode, systemErrno });
    expect(classifySqliteError(error)).toMatchObject({ code, reconnect, reason: expect.stringMatching(reason) });
    if (systemErrno)
      expect(toSqliteStoreError(error, '/data/bank.db').message).toMatch(
        /: the filesystem is read-only \(SQLite database \/data\/bank.db\)$/,
      );
  });

  it('never reads the message: a lookalike message without a result code is internal', () => {
    expect(classifySqliteError(new Error('UNIQUE constraint failed: applications.id')).code).toBe('internal');
    expect(classifySqliteError(new Error('database is locked')).busy).toBe(false);
  });

  it('keeps DomainErrors as they are, and names the file for operators', () => {
    const conflict = new DomainError('conflict', 'application x changed concurrently');
    expect(toSqliteStoreError(conflict, '/data/bank.db')).toBe(conflict);
    const full = Object.assign(new Error('database or disk is full'), { errcode: 13 });
    expect(toSqliteStoreError(full, '/data/bank.db')).toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('/data/bank.db'),
      cause: full,
    });
  });
});
