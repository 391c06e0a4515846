import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.js';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let folders = 0;
const folder = () => {
  const path = join(dir, `case-${++folders}`);
  mkdirSync(path);
  return path;
};

/**
 * A new folder nothing can be written into: a read-only bind mount when running as root (root writes through file
 * modes), else mode 555. `release` makes it writable again.
 */
function readOnlyFolder(ctx: { skip(note: string): never }): { locked: string; release: () => void } {
  const locked = join(folder(), 'locked');
  mkdirSync(locked);
  if (process.getuid?.() !== 0) {
    chmodSync(locked, 0o555);
    return { locked, release: () => chmodSync(locked, 0o755) };
  }
  let unmount = () => {};
  try {
    execFileSync('mount', ['--bind', locked, locked], { stdio: 'ignore' });
    unmount = () => execFileSync('umount', ['-l', locked], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,ro,bind', locked], { stdio: 'ignore' });
  } catch {
    unmount();
    ctx.skip('running as root without mount(8): cannot make a read-only folder');
  }
  return { locked, release: unmount };
}

function openError(path: string): Error {
  try {
    createSqliteStore({ path });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`opened ${path}`);
}

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A real database with applications in it, closed and checkpointed: everything is in the main file. */
async function realDatabase(path: string, applications = 60): Promise<void> {
  const store = createSqliteStore({ path });
  for (let i = 0; i < applications; i++) await store.commit(createCommit(testApplication({ address: `${i} Enterprise Street` })));
  await store.close();
  const raw = new DatabaseSync(path);
  raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  raw.close();
}

describe('sqlite store: checks on open', () => {
  it('refuses an empty file, a text file, a zeroed file and a truncated database, naming the path and leaving the file as it was', async () => {
    const real = join(folder(), 'real.db');
    await realDatabase(real);
    const size = statSync(real).size;
    const cases: [string, (path: string) => void, RegExp][] = [
      ['empty', (path) => writeFileSync(path, ''), /exists but is not a bank-workflows SQLite database \(empty file\) — move it away/],
      [
        'text',
        (path) => writeFileSync(path, 'name,address\nSpock,123 Enterprise Street\n'),
        /is not a bank-workflows SQLite database \(it does not start with the SQLite header\)/,
      ],
      [
        'zeroed',
        (path) => writeFileSync(path, Buffer.alloc(size)),
        /is not a bank-workflows SQLite database \(it does not start with the SQLite header\)/,
      ],
      [
        'truncated',
        (path) => {
          writeFileSync(path, readFileSync(real));
          truncateSync(path, Math.floor(size / 2 / 4096) * 4096);
        },
        /is damaged \(truncated: its header says \d+ bytes, the file has \d+\)/,
      ],
    ];
    for (const [name, make, message] of cases) {
      const home = folder();
      const path = join(home, 'bank.db');
      make(path);
      const before = digest(path);
      const error = openError(path);
      expect(isDomainError(error) && error.code, name).toBe('store_corrupt');
      expect(error.message, name).toMatch(message);
      expect(error.message, name).toContain(path);
      expect(digest(path), name).toBe(before);
      expect(readdirSync(home), name).toStrictEqual(['bank.db']); // no -wal, -shm or tables created beside it
    }
  });

  it("refuses another application's SQLite database, and leaves it alone", () => {
    const path = join(folder(), 'photos.db');
    const raw = new DatabaseSync(path);
    raw.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('beach.jpg')");
    raw.close();
    const before = digest(path);
    const error = openError(path);
    expect(isDomainError(error) && error.code).toBe('store_corrupt');
    expect(error.message).toMatch(/photos\.db exists but is not a bank-workflows SQLite database \(it holds other tables: photos\)/);
    expect(digest(path)).toBe(before);
  });

  it('opens an empty SQLite database (no tables yet) and migrates it', async () => {
    const path = join(folder(), 'bank.db');
    new DatabaseSync(path).exec('PRAGMA user_version = 0; VACUUM');
    const store = createSqliteStore({ path });
    await store.ping();
    await store.close();
  });

  it('creates a fresh database where no file exists, leaving nothing else in the folder', async () => {
    const home = folder();
    const path = join(home, 'nested', 'bank.db');
    const store = createSqliteStore({ path });
    await store.commit(createCommit(testApplication()));
    await store.close();
    expect(readdirSync(join(home, 'nested')).filter((name) => !name.startsWith('bank.db'))).toStrictEqual([]);
  });

  it('reports a read-only folder where the file does not exist yet as not writable', (ctx) => {
    const { locked, release } = readOnlyFolder(ctx);
    try {
      const path = join(locked, 'bank.db');
      const error = openError(path);
      expect(isDomainError(error) && error.code).toBe('store_unavailable');
      expect(error.message).toMatch(
        new RegExp(
          `cannot create the SQLite database ${path}: its folder ${locked} is not writable \\((the filesystem is read-only|permission denied)\\)`,
        ),
      );
      expect(readdirSync(locked)).toStrictEqual([]);
    } finally {
      release();
    }
  });

  it('says why a missing folder cannot be made in a read-only folder, not that something is missing', (ctx) => {
    const { locked, release } = readOnlyFolder(ctx);
    try {
      // `.bank/bank.db` under a read-only folder: `mkdir -p` itself reports ENOENT ("no such file or folder").
      const path = join(locked, 'dir', '.bank', 'bank.db');
      const error = openError(path);
      expect(isDomainError(error) && error.code).toBe('store_unavailable');
      expect(error.message).toBe(
        `cannot create the SQLite database ${path}: cannot create its folder ${join(locked, 'dir', '.bank')} in ${locked} (${
          process.getuid?.() === 0 ? 'the filesystem is read-only' : 'permission denied'
        })`,
      );
    } finally {
      release();
    }
  });

  it('reports damage found after open as store_corrupt, names the file, and does not retry', async () => {
    const path = join(folder(), 'bank.db');
    await realDatabase(path, 400);
    // Damage one page inside the history table, away from both edges (which the check on open reads).
    const raw = new DatabaseSync(path);
    const leaves = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'history' AND pagetype = 'leaf' ORDER BY pageno").all() as {
      pageno: number;
    }[];
    raw.close();
    expect(leaves.length).toBeGreaterThan(10);
    const page = leaves[Math.floor(leaves.length / 2)]!.pageno;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, (page - 1) * 4096);
    closeSync(fd);

    const store = createSqliteStore({ path }); // the check on open passes: the damage is inside a tree
    const ids = (await store.list({ limit: 1000 })).map((a) => a.id);
    const results = await Promise.allSettled(ids.map((id) => store.history(id)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(ids.length);
    for (const failure of failures) {
      expect(isDomainError(failure) && failure.code).toBe('store_corrupt');
      expect(failure.message).toContain(path);
    }
    const started = performance.now();
    const again = ids[results.findIndex((r) => r.status === 'rejected')]!;
    await expect(store.history(again)).rejects.toMatchObject({ code: 'store_corrupt' });
    expect(performance.now() - started).toBeLessThan(50); // not retried
    await store.ping(); // the rest of the database still serves
    await store.close();
  });
});
