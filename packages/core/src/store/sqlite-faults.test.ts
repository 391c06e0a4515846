// Real filesystem faults under a running store: a read-only mount, a full disk, a filesystem that turns read-only.
// They need root and mount(8) (Linux); elsewhere each case is skipped with a message. maxPageCount covers "full"
// without root (sqlite-store.test.ts).
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, type TestContext } from 'vitest';
import { isDomainError } from '../errors.js';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-sqlite-faults-'));
const mounts: string[] = [];
const loops: string[] = [];
afterEach(() => {
  // Lazy: a closed connection's file handles stay open until its statements are garbage-collected.
  for (const target of mounts.splice(0).reverse()) run('umount', ['-l', target]);
  for (const device of loops.splice(0)) run('losetup', ['-d', device]); // detached once its last user is gone
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function mount(args: string[], target: string): boolean {
  mkdirSync(target, { recursive: true });
  if (!run('mount', [...args, target])) return false;
  mounts.push(target);
  return true;
}

const isRoot = process.getuid?.() === 0;
const canMount = isRoot && mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs'], join(dir, 'probe')) && run('umount', [join(dir, 'probe')]);
mounts.length = 0;

function requireMounts(ctx: TestContext): void {
  if (!canMount) ctx.skip(isRoot ? 'mount(8) failed: cannot mount tmpfs here' : 'needs root to mount filesystems (run as root on Linux)');
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (isDomainError(e) ? e.code : `not a DomainError: ${String(e)}`),
  );
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => String((e as Error).message),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits out the store's reopen interval (250 ms). */
const afterReopenInterval = () => sleep(300);

describe('sqlite store: filesystem faults', () => {
  it('heals once a read-only mount becomes writable again, without a new store', async (ctx) => {
    requireMounts(ctx);
    const volume = join(dir, 'ro-volume');
    const view = join(dir, 'ro-view');
    expect(mount(['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs'], volume)).toBe(true);
    expect(mount(['--bind', volume], view)).toBe(true);
    // A database made elsewhere and copied in, so no handle of this process is open on the volume: Linux refuses to
    // remount read-only a filesystem with files open for writing (EBUSY).
    const scratch = join(dir, 'ro-scratch.db');
    const made = createSqliteStore({ path: scratch });
    const first = testApplication();
    await made.commit(createCommit(first));
    await made.close();
    for (const suffix of ['', '-wal'])
      if (existsSync(`${scratch}${suffix}`)) copyFileSync(`${scratch}${suffix}`, join(view, `bank.db${suffix}`));
    expect(run('mount', ['-o', 'remount,ro,bind', view])).toBe(true);

    const path = join(view, 'bank.db');
    const store: Store = createSqliteStore({ path }); // opens: the file is there, just not writable
    expect(await codeOf(store.commit(createCommit(testApplication())))).toBe('store_unavailable');
    expect(await messageOf(store.ping())).toMatch(/read-only/);
    await afterReopenInterval();
    expect(await codeOf(store.ping())).toBe('store_unavailable'); // it tried again, still read-only

    expect(run('mount', ['-o', 'remount,rw,bind', view])).toBe(true);
    await afterReopenInterval();
    const app = testApplication();
    await store.commit(createCommit(app));
    await store.ping();
    expect(await store.get(first.id)).toStrictEqual(first);
    expect(await store.get(app.id)).toStrictEqual(app);
    await store.close();
  });

  it('reports a full disk as store_unavailable (disk full), and heals once space is freed', async (ctx) => {
    requireMounts(ctx);
    const volume = join(dir, 'full-volume');
    expect(mount(['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs'], volume)).toBe(true);
    const store = createSqliteStore({ path: join(volume, 'bank.db') });
    await store.commit(createCommit(testApplication()));
    await store.ping();

    const filler = join(volume, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024, 1));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    let failure: unknown;
    for (let i = 0; i < 200 && failure === undefined; i++) {
      failure = await store
        .commit(createCommit(testApplication({ address: `${i} ${'Enterprise Street '.repeat(50)}` })))
        .catch((e: unknown) => e);
    }
    expect(isDomainError(failure) && failure.code).toBe('store_unavailable');
    expect(String((failure as Error).message)).toMatch(/disk full/);
    expect(await messageOf(store.ping())).toMatch(/disk full/);

    rmSync(filler);
    const app = testApplication();
    await store.commit(createCommit(app));
    await store.ping();
    expect(await store.get(app.id)).toStrictEqual(app);
    await store.close();
  });

  it('fails store_unavailable when its filesystem turns read-only under it, and heals once the filesystem is back', async (ctx) => {
    requireMounts(ctx);
    const trigger = (device: string) => `/sys/fs/ext4/${basename(device)}/trigger_fs_error`;
    const image = join(dir, 'ext4.img');
    const volume = join(dir, 'ext4-volume');
    writeFileSync(image, '');
    execFileSync('truncate', ['-s', '32M', image]);
    // No journal: ext4 reports errors without aborting a journal, like a filesystem remounted read-only by the kernel.
    if (!run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', image]) || !mount(['-o', 'loop,errors=remount-ro', image], volume)) {
      ctx.skip('mkfs.ext4 or a loop mount is not available');
    }
    const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', volume]).toString().trim();
    if (!existsSync(trigger(device))) ctx.skip('this kernel cannot inject an ext4 error');

    const path = join(volume, 'bank.db');
    const store = createSqliteStore({ path, synchronous: 'FULL' }); // on disk before the fault, not only in the page cache
    const first = testApplication();
    await store.commit(createCommit(first));
    // The kernel sees an error and remounts the filesystem read-only, with the store's files open.
    writeFileSync(trigger(device), 'bank-workflows test');
    const message = await messageOf(store.commit(createCommit(testApplication())));
    expect(message).toMatch(/I\/O error.*read-only|read-only/);
    expect(await codeOf(store.ping())).toBe('store_unavailable');

    // What an operator does: unmount, check, mount again. The store's old handles keep the old mount alive (detached),
    // so the image goes on a new loop device: mount -o loop would reuse the old device, and with it the read-only one.
    run('umount', ['-l', volume]);
    mounts.splice(mounts.indexOf(volume), 1);
    // Meanwhile the mount point is an empty folder: the store must not start a fresh database in it.
    await afterReopenInterval();
    expect(await codeOf(store.commit(createCommit(testApplication())))).toBe('store_unavailable');
    await afterReopenInterval();
    expect(await messageOf(store.ping())).toMatch(/disappeared|read-only|I\/O error/);
    expect(existsSync(path)).toBe(false);
    run('e2fsck', ['-f', '-y', image]); // exits 1 when it repaired something (the recorded error)
    const fresh = execFileSync('losetup', ['-f', '--show', image]).toString().trim();
    loops.push(fresh);
    expect(mount([fresh], volume)).toBe(true);
    await afterReopenInterval();
    const app = testApplication();
    await store.commit(createCommit(app));
    await store.ping();
    expect(await store.get(first.id)).toStrictEqual(first);
    expect(await store.get(app.id)).toStrictEqual(app);
    await store.close();
  });
});
