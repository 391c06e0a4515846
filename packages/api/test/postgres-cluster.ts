// A private PostgreSQL cluster for a test that stops and starts its database server: the shared server on 5432 is
// used by other suites at the same time and must never be restarted. The cluster lives in a temporary folder owned by
// the `postgres` OS user (the server refuses to run as root), listens on 127.0.0.1 on a free port and on a Unix socket
// in that folder only, trusts local connections, and is stopped and deleted by `destroy()`.
//
// It needs root (to act as `postgres` through `runuser`) and the server's binaries (`initdb`, `pg_ctl`); where either
// is missing, `privateClusterUnavailable()` says why and the suite skips.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './served.js';

/** The folder of `initdb` and `pg_ctl`: the newest `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu), else PATH. */
function findBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb ? join(initdb, '..') : undefined;
  } catch {
    return undefined;
  }
}

const run = (command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(command, args, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );

/** The `postgres` OS user's uid and gid, if there is one. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

const hasRunuser = (): boolean => {
  try {
    execFileSync('sh', ['-c', 'command -v runuser'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why a private cluster cannot be started here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to run a private Postgres cluster';
  if (!findBinaries()) return 'the Postgres server binaries (initdb, pg_ctl) are not installed';
  if (!postgresUser()) return 'there is no postgres OS user to run a private cluster as';
  if (!hasRunuser()) return 'runuser is not installed';
  return undefined;
}

/** A private cluster. */
export interface PrivateCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (`pg_ctl stop -m <mode>`, default `fast`: sessions are cut, as in a restart for maintenance). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Starts it again, on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** The server's log so far. */
  log(): string;
  /** Stops it at once (if running) and deletes its folder. Never throws. */
  destroy(): Promise<void>;
}

const PREFIX = 'bank-pg-';
/** A cluster folder untouched for this long was left by a run that was killed: it is stopped and deleted. */
const STALE_AFTER_MS = 3600_000;

/** Stops and deletes the clusters that runs killed before their cleanup left behind. */
async function removeStale(bin: string): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_AFTER_MS) continue;
      if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
        await run('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(
          () => {},
        );
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run is cleaning it up
    }
  }
}

/** Creates (`initdb`) and starts a private cluster; deletes what it made if that fails. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const reason = privateClusterUnavailable();
  if (reason) throw new Error(reason);
  const bin = findBinaries()!;
  const { uid, gid } = postgresUser()!;
  await removeStale(bin);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asPostgres = (tool: string, args: readonly string[], timeoutMs?: number) =>
    run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], timeoutMs);
  const pgCtl = (args: readonly string[]) => asPostgres('pg_ctl', ['-D', data, ...args]);

  const destroy = async () => {
    try {
      await pgCtl(['-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    chownSync(dir, uid, gid);
    await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
    const port = await freePort();
    // Settings of this cluster only: loopback and a socket in its own folder (never the system's /var/run/postgresql),
    // and no fsync, since its data is thrown away.
    appendFileSync(
      join(data, 'postgresql.conf'),
      `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\nmax_connections = 50\n`,
    );
    const start = async () => {
      await pgCtl(['-l', logFile, '-w', '-t', '30', 'start']);
    };
    await start();
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      stop: async (mode = 'fast') => {
        await pgCtl(['-m', mode, '-w', '-t', '30', 'stop']);
      },
      start,
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      destroy,
    };
  } catch (e) {
    await destroy();
    throw e;
  }
}
