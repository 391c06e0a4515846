import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.js';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createSqliteConnection } from './sqlite-connection.js';
import { createSqliteStore } from './sqlite-store.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bank-sqlite-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Another process opens the file with a plain connection, takes the write lock and holds it for `ms`. */
async function holdWriteLock(path: string, ms: number): Promise<{ released: Promise<unknown> }> {
  const script = `
    const { DatabaseSync } = require('@photostructure/sqlite');
    const db = new DatabaseSync(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const released = once(child, 'exit');
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    if (output.includes('locked')) break;
  }
  return { released };
}

/** Measures the longest pause of the event loop while `promise` is pending, with a 10 ms interval timer. */
async function longestPause<T>(promise: Promise<T>): Promise<{ result: PromiseSettledResult<T>; maxGapMs: number; elapsedMs: number }> {
  const started = performance.now();
  let last = started;
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  const [result] = await Promise.allSettled([promise]);
  clearInterval(timer);
  maxGapMs = Math.max(maxGapMs, performance.now() - last);
  return { result, maxGapMs, elapsedMs: performance.now() - started };
}

describe('sqlite store: another process holding the write lock', () => {
  it('waits for the lock without blocking the event loop, then commits', async () => {
    const path = join(dir, `held-${++files}.db`);
    const store = createSqliteStore({ path });
    const first = testApplication();
    await store.commit(createCommit(first));

    const { released } = await holdWriteLock(path, 1500);
    // Reads go on while another process writes (WAL).
    expect(await store.get(first.id)).toStrictEqual(first);
    const app = testApplication();
    const { result, maxGapMs, elapsedMs } = await longestPause(store.commit(createCommit(app)));
    await released;

    expect(result.status).toBe('fulfilled');
    expect(elapsedMs).toBeGreaterThan(1000); // it did wait for the other process
    expect(maxGapMs).toBeLessThan(100);
    console.info(`held lock: commit after ${Math.round(elapsedMs)} ms, longest event-loop pause ${maxGapMs.toFixed(1)} ms`);
    expect(await store.get(app.id)).toStrictEqual(app);
    await store.close();
  });

  it('fails store_unavailable once busyTimeoutMs has passed, and works again after', async () => {
    const path = join(dir, `held-${++files}.db`);
    const store = createSqliteStore({ path, busyTimeoutMs: 300 });
    const { released } = await holdWriteLock(path, 1500);
    const { result, maxGapMs, elapsedMs } = await longestPause(store.commit(createCommit(testApplication())));
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as Error;
    expect(isDomainError(error) && error.code).toBe('store_unavailable');
    expect(error.message).toMatch(/locked by another process.*300 ms/);
    expect(error.message).toContain(path);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(1200);
    expect(maxGapMs).toBeLessThan(100);
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
    await released;
    await store.ping();
    await store.commit(createCommit(testApplication()));
    await store.close();
  });
});

describe('createSqliteConnection: healing', () => {
  const ioError = () => Object.assign(new Error('disk I/O error'), { errcode: 778 });
  const corrupt = () => Object.assign(new Error('database disk image is malformed'), { errcode: 11 });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function fakeConnection(opens: (() => { healthy: boolean })[]) {
    const opened: { healthy: boolean; closed: boolean }[] = [];
    const connection = createSqliteConnection({
      path: '/data/bank.db',
      busyTimeoutMs: 100,
      reopenIntervalMs: 100,
      canReopen: true,
      open: () => {
        const next = opens[Math.min(opened.length, opens.length - 1)]!();
        const handle = { ...next, closed: false };
        opened.push(handle);
        return handle;
      },
      close: (handle) => {
        handle.closed = true;
      },
    });
    const use = () =>
      connection.run((handle) => {
        if (!handle.healthy) throw ioError();
        return 'ok';
      });
    return { connection, opened, use };
  }

  it('reopens a connection that failed with an I/O error on a later call, at most once per interval', async () => {
    const { opened, use } = fakeConnection([() => ({ healthy: false }), () => ({ healthy: false }), () => ({ healthy: true })]);
    await expect(use()).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringMatching(/I\/O error.*bank\.db/) });
    await expect(use()).rejects.toMatchObject({ code: 'store_unavailable' }); // too soon: the same connection
    expect(opened).toHaveLength(1);
    await sleep(120);
    await expect(use()).rejects.toMatchObject({ code: 'store_unavailable' }); // reopened, still failing
    expect(opened).toHaveLength(2);
    expect(opened[0]!.closed).toBe(true);
    await sleep(120);
    expect(await use()).toBe('ok');
    expect(opened).toHaveLength(3);
    expect(await use()).toBe('ok');
    expect(opened).toHaveLength(3);
  });

  it('starts without a connection when the first open fails in a way a reopen may fix', async () => {
    let attempts = 0;
    const connection = createSqliteConnection({
      path: '/data/bank.db',
      busyTimeoutMs: 100,
      reopenIntervalMs: 100,
      canReopen: true,
      open: () => {
        if (++attempts < 3) throw Object.assign(new Error('unable to open database file'), { errcode: 14 });
        return 'connection';
      },
      close: () => {},
    });
    await expect(connection.run((c) => c)).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/cannot be opened/),
    });
    await sleep(120);
    await expect(connection.run((c) => c)).rejects.toMatchObject({ code: 'store_unavailable' });
    await sleep(120);
    expect(await connection.run((c) => c)).toBe('connection');
  });

  it('throws, rather than starting, when the first open finds damage', () => {
    const open = () => {
      throw corrupt();
    };
    expect(() =>
      createSqliteConnection({ path: '/data/bank.db', busyTimeoutMs: 0, reopenIntervalMs: 0, canReopen: true, open, close: () => {} }),
    ).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
  });

  it('stops at damage a reopen finds, rather than reopening in a loop', async () => {
    let opens = 0;
    const damaged = createSqliteConnection({
      path: '/data/bank.db',
      busyTimeoutMs: 0,
      reopenIntervalMs: 10,
      canReopen: true,
      open: () => {
        if (opens++ === 0) return { healthy: false };
        throw corrupt();
      },
      close: () => {},
    });
    const run = () =>
      damaged.run((handle) => {
        if (!handle.healthy) throw ioError();
      });
    await expect(run()).rejects.toMatchObject({ code: 'store_unavailable' });
    await sleep(20);
    await expect(run()).rejects.toMatchObject({ code: 'store_corrupt' });
    await sleep(20);
    await expect(run()).rejects.toMatchObject({ code: 'store_corrupt' });
    expect(opens).toBe(2);
  });

  it('fails every call once closed', async () => {
    const { connection, use } = fakeConnection([() => ({ healthy: true })]);
    expect(await use()).toBe('ok');
    connection.close();
    await expect(use()).rejects.toMatchObject({ code: 'store_unavailable', message: 'the SQLite store is closed' });
  });
});
