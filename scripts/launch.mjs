// Runs a built entry point of this repository the way an installed binary runs: `pnpm bank` and `pnpm serve` go
// through here instead of through Nx, so stdout, `--json` and the exit code are exactly the program's own, and a
// call costs milliseconds rather than seconds. It builds first only when a package's dist/ is missing or older than
// its sources, with the build's output kept off stdout (shown on stderr only when the build fails). Plain Node, no
// dependencies: it has to work on a fresh clone before anything is built.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The packages each project needs at run time, its own included (`checks ← core ← api ← cli`). */
const NEEDS = { api: ['checks', 'core', 'api'], cli: ['checks', 'core', 'api', 'cli'] };

const STATE = join(ROOT, 'node_modules', '.cache', 'bank-launch');

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Newest and oldest modification time of the files under `dir` that pass `keep`; undefined for a missing folder. */
function times(dir, keep = () => true) {
  let newest = -Infinity;
  let oldest = Infinity;
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (keep(path)) {
        const t = statSync(path).mtimeMs;
        newest = Math.max(newest, t);
        oldest = Math.min(oldest, t);
      }
    }
  };
  try {
    walk(dir);
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
  return { newest, oldest };
}

// The build's inputs, as in nx.json's `production`: tests and test helpers are not built, so they do not count.
const isSource = (path) => !/\.test(-d)?\.ts$/.test(path) && !/[\\/]src[\\/]testing[\\/]/.test(path);

/**
 * Why `project` must be built before it runs (a missing dist/, or the package whose sources are newer than its last
 * build), or undefined when every package it needs is up to date. A build counts from its outputs' times, or from
 * the stamp this script leaves after a build (Nx may leave identical outputs untouched).
 * @param {'api' | 'cli'} project
 * @param {string} [root]
 */
export function staleReason(project, root = ROOT) {
  const base = mtime(join(root, 'tsconfig.base.json')) ?? 0;
  const stamp = mtime(join(root, 'node_modules', '.cache', 'bank-launch', `${project}.built`)) ?? -Infinity;
  for (const name of NEEDS[project]) {
    const dir = join(root, 'packages', name);
    const dist = times(join(dir, 'dist'));
    if (!dist || dist.oldest === Infinity) return `packages/${name} is not built`;
    const sources = Math.max(
      base,
      times(join(dir, 'src'), isSource)?.newest ?? 0,
      mtime(join(dir, 'package.json')) ?? 0,
      mtime(join(dir, 'tsconfig.lib.json')) ?? 0,
    );
    if (sources > Math.max(dist.oldest, stamp)) return `packages/${name} changed since its last build`;
  }
  return undefined;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/** Runs `fn` holding a lock folder, so two launchers started together do not build into the same dist/ at once. */
function withBuildLock(fn) {
  const lock = join(STATE, 'build.lock');
  mkdirSync(STATE, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the owner is between mkdir and writing its pid: wait for it
      }
      if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// What an Nx task sets for its own process; passed on, it would make the nested build think it is that task.
const nxTaskVariable = (name) => /^NX_(TASK_|FORKED_|TERMINAL_|STREAM_OUTPUT|PREFIX_OUTPUT|CLI_SET|WORKSPACE_ROOT)/.test(name);

/** Nx's command-line entry, from its package.json (`pnpm nx` without pnpm in between). */
function nxBin() {
  const nx = join(ROOT, 'node_modules', 'nx');
  return join(nx, JSON.parse(readFileSync(join(nx, 'package.json'), 'utf8')).bin.nx);
}

/**
 * Builds `project` and what it needs when they are stale; output never reaches stdout. On a failed build, prints
 * the build's output and a line saying so on stderr, and exits 1.
 * @param {'api' | 'cli'} project
 * @param {string} name the command's name in messages
 */
export function ensureBuilt(project, name) {
  if (staleReason(project) === undefined) return;
  const failure = withBuildLock(() => {
    const reason = staleReason(project); // another launcher may have built it while this one waited
    if (reason === undefined) return undefined;
    if (process.stderr.isTTY) process.stderr.write(`${name}: building first (${reason})…\n`);
    const started = new Date();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !nxTaskVariable(k)));
    const build = spawnSync(process.execPath, [nxBin(), 'run', `${project}:build`, '--outputStyle=static'], {
      cwd: ROOT,
      env: { ...env, NX_TUI: 'false', FORCE_COLOR: process.stderr.isTTY ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (build.status !== 0) {
      const why = build.error?.message ?? `exit ${build.status ?? build.signal}`;
      return `${build.stdout ?? ''}${build.stderr ?? ''}${name}: the build failed (nx run ${project}:build, ${why}); see above\n`;
    }
    const stamp = join(STATE, `${project}.built`);
    writeFileSync(stamp, '');
    utimesSync(stamp, started, started); // a source saved during the build is newer than it, so it is built next time
    return undefined;
  });
  if (failure !== undefined) {
    process.stderr.write(failure);
    process.exit(1);
  }
}

/**
 * Runs `node <entry> …args` with the streams passed through and ends as it ended: its exit code, or the same signal.
 * Signals sent to this process (SIGTERM from a supervisor, the SIGINT pnpm forwards) are passed on; the program is in
 * the terminal's process group, so it also gets a Ctrl-C itself, and treats copies that arrive together as one.
 * @param {string} entry a path under the repository root
 * @param {readonly string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv }} options
 */
export function run(entry, args, { cwd, env }) {
  const child = spawn(process.execPath, [join(ROOT, entry), ...args], { cwd, env, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (e) => {
    process.stderr.write(`cannot start ${entry}: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** The folder the user ran `pnpm …` in (pnpm runs scripts in the package's folder and says where in INIT_CWD). */
export const userFolder = () => process.env.INIT_CWD || process.cwd();
