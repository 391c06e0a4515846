// The release as users get it: packs the four publishable packages the way they are published (pnpm rewrites
// `workspace:*`), publishes them to a real registry (Verdaccio on 127.0.0.1, storage in a temporary folder, every
// other package proxied to the npm registry this machine uses), then installs them with plain npm in fresh folders
// outside the workspace and uses them: @bank/checks from ESM and TypeScript, `npx bank`, the API server from its
// documented entry, and `npm install -g`. Needs the builds first (cli:test depends on them).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with the check-package target, without types
import { packPackage } from '../../../scripts/pack.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const verdaccioBin = join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const PACKAGES = ['checks', 'core', 'api', 'cli'] as const;
const version = (JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;
// Installs fetch zod, xstate, hono, postgres and @photostructure/sqlite through the uplink: minutes on a slow link.
const INSTALL_TIMEOUT_MS = 600_000;

/** How long each step took, printed at the end: most of the time goes to fetching dependencies through the uplink. */
const durations: Record<string, number> = {};
async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    durations[step] = Math.round(performance.now() - started);
  }
}

/**
 * The environment of a user's shell, not of this workspace: no npm/pnpm settings inherited from `pnpm verify` or nx
 * (npm_config_*, npm_package_*, PNPM_*, NX_*), no NODE_OPTIONS or BANK_* settings, no vitest markers, and no
 * node_modules/.bin of the workspace on the PATH (a workspace `bank` or `tsc` must not stand in for the installed one).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|nx_|bank_|vitest|node_options$|node_path$|node_env$|init_cwd$|test$)/i.test(key)) continue;
    env[key] = value;
  }
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !`${entry}${sep}`.startsWith(root))
    .join(delimiter);
  return env;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (the assertions show the output instead). */
function run(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout?: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: error && code === null ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

function ok(result: Run): Run {
  expect(result.code, `exit code; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
  return result;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within 60 s:\n${output()}`);
}

function stop(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

let work: string;
let registry: string;
let verdaccio: ChildProcess | undefined;
let verdaccioOutput = '';
let npmEnv: NodeJS.ProcessEnv;
const tarballs = new Map<string, string>();
interface PackedManifest {
  dependencies?: Record<string, string>;
  exports?: unknown;
  bin?: Record<string, string>;
}
const packedManifests = new Map<string, PackedManifest>();
const packedFiles = new Map<string, readonly string[]>();

/** A fresh folder outside the workspace with an empty ESM project in it. */
function consumer(name: string): string {
  const dir = join(work, 'consumers', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  return dir;
}

function npm(args: readonly string[], cwd: string): Promise<Run> {
  return run('npm', [...args], { cwd, env: npmEnv, timeout: INSTALL_TIMEOUT_MS });
}

/** Every installed @bank/* package is a real folder of this install, from the registry: no link into the workspace. */
function expectInstalledFromRegistry(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const installed = join(dir, 'node_modules', '@bank', name);
    expect(realpathSync(installed).startsWith(realpathSync(dir)), `${installed} → ${realpathSync(installed)}`).toBe(true);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string; exports?: unknown };
    expect(manifest.version).toBe(version);
    expect(JSON.stringify(manifest.exports ?? {})).not.toContain('@bank/source');
  }
}

beforeAll(async () => {
  // Upstream for everything that is not @bank/*: whatever registry npm on this machine uses, read now, never written down.
  const upstream = (await run('npm', ['config', 'get', 'registry'], { cwd: tmpdir(), env: process.env })).stdout.trim();
  expect(upstream).toMatch(/^https?:\/\//);
  work = realpathSync(mkdtempSync(join(tmpdir(), 'bank-release-')));
  const port = await freePort();
  registry = `http://127.0.0.1:${port}/`;

  await timed('pack 4 packages', async () => {
    for (const name of PACKAGES) {
      const { path, files } = packPackage(join(root, 'packages', name)) as { path: string; files: string[] };
      tarballs.set(name, path);
      packedFiles.set(name, files);
      const manifest = ok(await run('tar', ['-xzOf', path, 'package/package.json'], { cwd: work, env: process.env })).stdout;
      packedManifests.set(name, JSON.parse(manifest) as PackedManifest);
    }
  });

  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(work, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(work, 'htpasswd'))}`,
      'uplinks:',
      '  upstream:',
      `    url: ${JSON.stringify(upstream)}`,
      '    timeout: 120s',
      '    maxage: 30m',
      'packages:',
      "  '@bank/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: upstream',
      'web:',
      '  enable: false',
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  await timed('start verdaccio', async () => {
    verdaccio = spawn(process.execPath, [verdaccioBin, '--config', config, '--listen', `127.0.0.1:${port}`], {
      cwd: work,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    verdaccio.stdout?.on('data', (d: Buffer) => (verdaccioOutput += d.toString()));
    verdaccio.stderr?.on('data', (d: Buffer) => (verdaccioOutput += d.toString()));
    await waitFor(`${registry}-/ping`, verdaccio, () => verdaccioOutput);
  });

  // A throwaway user (the npm adduser protocol), so publishing is authenticated as on a real registry; its token
  // lives in this run's own userconfig, so the user's ~/.npmrc is neither read nor touched.
  const user = await fetch(`${registry}-/user/org.couchdb.user:release-test`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release-test', password: 'release-test-password', type: 'user', roles: [] }),
  });
  expect(user.status).toBe(201);
  const { token } = (await user.json()) as { token: string };
  const userconfig = join(work, 'npmrc');
  writeFileSync(userconfig, `//127.0.0.1:${port}/:_authToken=${token}\n`);
  npmEnv = {
    ...userEnv(),
    npm_config_registry: registry,
    npm_config_userconfig: userconfig,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
  };

  await timed('publish 4 packages', async () => {
    for (const name of PACKAGES) ok(await npm(['publish', tarballs.get(name)!], work));
  });
}, 300_000);

afterAll(async () => {
  await stop(verdaccio);
  for (const tarball of tarballs.values()) rmSync(dirname(tarball), { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`release test durations (ms): ${JSON.stringify(durations)}`);
}, 60_000);

describe('the packed packages', () => {
  it('name released versions of each other, never workspace: ranges, and no workspace-only export condition', () => {
    for (const name of PACKAGES) {
      const manifest = packedManifests.get(name)!;
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      expect(JSON.stringify(manifest.exports ?? {})).not.toContain('@bank/source');
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) if (dep.startsWith('@bank/')) expect(range).toBe(version);
      for (const bin of Object.values(manifest.bin ?? {})) expect(packedFiles.get(name)).toContain(join('package', bin));
    }
    expect(packedManifests.get('cli')!.bin).toStrictEqual({ bank: './dist/bin.js' });
    expect(packedManifests.get('api')!.bin).toStrictEqual({ 'bank-api': './bin/bank-api.mjs' });
    expect(Object.keys(packedManifests.get('cli')!.dependencies ?? {})).toEqual(
      expect.arrayContaining(['@bank/api', '@bank/core', '@bank/checks']),
    );
  });

  it('are served by the local registry', async () => {
    for (const name of PACKAGES) {
      const response = await fetch(`${registry}@bank%2f${name}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { 'dist-tags': Record<string, string> })['dist-tags']['latest']).toBe(version);
    }
  });
});

describe('npm install from the registry, outside the workspace', () => {
  it(
    '@bank/checks: works from an ESM script, and its types resolve from the installed package',
    async () => {
      const dir = consumer('checks');
      await timed('npm install @bank/checks', async () => ok(await npm(['install', '@bank/checks'], dir)));
      expectInstalledFromRegistry(dir, ['checks']);

      writeFileSync(
        join(dir, 'use.mjs'),
        `import { checkAddress, checkName } from '@bank/checks';
console.log(JSON.stringify({ spock: checkName('Spock'), evil: checkName('evil Spock').flagged, address: checkAddress('ABadAddress').flagged }));`,
      );
      const out = ok(await run(process.execPath, ['use.mjs'], { cwd: dir, env: npmEnv })).stdout;
      expect(JSON.parse(out)).toStrictEqual({ spock: { flagged: false }, evil: true, address: true });

      const tscArgs = ['--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict', '--pretty', 'false'];
      writeFileSync(
        join(dir, 'use.ts'),
        `import { checkAddress, checkName, type CheckResult } from '@bank/checks';
const results: CheckResult[] = [checkName('Spock'), checkAddress('123 Enterprise Street')];
export const flagged: boolean = results.some((r) => r.flagged);\n`,
      );
      ok(await run(process.execPath, [tsc, ...tscArgs, 'use.ts'], { cwd: dir, env: npmEnv }));
      // The types are real, not `any`: wrong use fails.
      writeFileSync(join(dir, 'wrong.ts'), `import { checkName } from '@bank/checks';\ncheckName(42);\n`);
      const wrong = await run(process.execPath, [tsc, ...tscArgs, 'wrong.ts'], { cwd: dir, env: npmEnv });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout).toContain(
        "wrong.ts(2,11): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.",
      );
    },
    INSTALL_TIMEOUT_MS,
  );

  it(
    '@bank/cli: `npx bank demo` runs the reference cases and `npx bank submit --json` approves Spock on a fresh SQLite file',
    async () => {
      const dir = consumer('cli');
      await timed('npm install @bank/cli', async () => ok(await npm(['install', '@bank/cli'], dir)));
      expectInstalledFromRegistry(dir, ['cli', 'api', 'core', 'checks']);

      // --no: the installed bank or nothing (npx must not fetch one).
      const demo = ok(await run('npx', ['--no', 'bank', 'demo'], { cwd: dir, env: npmEnv })).stdout;
      for (const [submitted, outcome] of [
        ['{"name":"Spock","address":"123 Enterprise Street"}', 'APPROVED'],
        ['{"name":"Gabe","address":"ABadAddress"}', 'FLAGGED_FOR_REVIEW'],
        ['{"name":"UNPROCESSABLE_DATA","address":"123 Street"}', 'FLAGGED_WITH_UNPROCESSABLE_DATA'],
      ] as const) {
        expect(demo).toContain(`▶ submit ${submitted}\n${outcome}\n`);
      }
      expect(demo).toMatch(/▶ review \S+ --decision APPROVE\nAPPROVED\n/);
      expect(existsSync(join(dir, '.bank', 'bank.db'))).toBe(true);

      const db = join(dir, 'fresh', 'submit.db');
      const submit = ok(
        await run('npx', ['--no', 'bank', 'submit', '--name', 'Spock', '--address', '123 Enterprise Street', '--json', '--db', db], {
          cwd: dir,
          env: npmEnv,
        }),
      );
      const application = JSON.parse(submit.stdout) as { state: string; name: string; execution: { status: string } };
      expect(application).toMatchObject({ state: 'APPROVED', name: 'Spock', execution: { status: 'SUCCEEDED' } });
      expect(existsSync(db)).toBe(true);
    },
    INSTALL_TIMEOUT_MS,
  );

  it(
    '@bank/api: the `bank-api` bin starts the server, which takes a submit (201) and a reviewer token',
    async () => {
      const dir = consumer('api');
      await timed('npm install @bank/api', async () => ok(await npm(['install', '@bank/api'], dir)));
      expectInstalledFromRegistry(dir, ['api', 'core', 'checks']);

      const port = await freePort();
      const token = 'riker:release-test-reviewer-token';
      let output = '';
      // Run as a user would, by the bin's own shebang (not `node …`), so a missing one fails here.
      const server = spawn(join(dir, 'node_modules', '.bin', 'bank-api'), [], {
        cwd: dir,
        env: { ...npmEnv, PORT: String(port), HOST: '127.0.0.1', BANK_DB: join(dir, 'api.db'), BANK_REVIEWER_TOKENS: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.stdout.on('data', (d: Buffer) => (output += d.toString()));
      server.stderr.on('data', (d: Buffer) => (output += d.toString()));
      server.on('error', (error) => (output += `\n${String(error)}`));
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitFor(`${base}/healthz`, server, () => output);
        const submitted = await fetch(`${base}/applications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Gabe', address: 'ABadAddress' }),
        });
        expect(submitted.status, output).toBe(201);
        const application = (await submitted.json()) as { id: string; state: string };
        expect(application.state).toBe('FLAGGED_FOR_REVIEW');

        expect((await fetch(`${base}/applications/${application.id}`)).status).toBe(401);
        const shown = await fetch(`${base}/applications/${application.id}`, {
          headers: { authorization: 'Bearer release-test-reviewer-token' },
        });
        expect(shown.status, output).toBe(200);
        expect(((await shown.json()) as { id: string }).id).toBe(application.id);
        expect(existsSync(join(dir, 'api.db'))).toBe(true);
        // The rest of what the package serves comes from its files too: the OpenAPI document and the console.
        expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
        const page = await fetch(`${base}/console`);
        expect([page.status, page.headers.get('content-type')]).toStrictEqual([200, expect.stringContaining('text/html')]);
      } finally {
        expect(await stop(server), output).toBe(0);
      }
    },
    INSTALL_TIMEOUT_MS,
  );

  it(
    '`npm install -g` of the packed @bank/cli puts a working `bank` on the PATH',
    async () => {
      const prefix = join(work, 'global');
      await timed('npm install -g @bank/cli (tarball)', async () =>
        ok(await npm(['install', '-g', '--prefix', prefix, tarballs.get('cli')!], work)),
      );
      const env = { ...npmEnv, PATH: `${join(prefix, 'bin')}${delimiter}${npmEnv['PATH'] ?? ''}` };
      expect(ok(await run('bank', ['--version'], { cwd: work, env })).stdout.trim()).toBe(version);
      const checked = ok(await run('bank', ['check', 'address', 'ABadAddress', '--json'], { cwd: work, env }));
      expect(JSON.parse(checked.stdout)).toMatchObject({ flagged: true });
      expect(realpathSync(join(prefix, 'bin', 'bank')).startsWith(join(prefix, 'lib', 'node_modules', '@bank', 'cli'))).toBe(true);
    },
    INSTALL_TIMEOUT_MS,
  );
});
