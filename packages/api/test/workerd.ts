// The Worker in the real Workers runtime: the bundle `wrangler deploy --dry-run` wrote (dist-edge/worker.js, built by
// the `bundle-edge` target the tests depend on), run by workerd through Miniflare 3 on 127.0.0.1, with a local D1
// database persisted in a folder (the layout `wrangler --persist-to` uses), configured from wrangler.jsonc.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

/** packages/api. */
export const API_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The production bundle of the Worker. */
export const BUNDLE = join(API_ROOT, 'dist-edge', 'worker.js');

const WRANGLER = join(API_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** What the tests read from wrangler.jsonc. */
export interface WranglerConfig {
  readonly name: string;
  readonly main: string;
  readonly compatibility_date: string;
  readonly compatibility_flags?: readonly string[];
  readonly d1_databases: readonly { binding: string; database_name: string; database_id: string; migrations_dir: string }[];
  readonly triggers: { crons: readonly string[] };
}

/** wrangler.jsonc, read as JSON (its comments take whole lines; trailing commas are dropped). */
export function readWranglerConfig(): WranglerConfig {
  const text = readFileSync(join(API_ROOT, 'wrangler.jsonc'), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(text) as WranglerConfig;
}

/** Throws a clear error when the bundle has not been built. */
export function assertBundled(): void {
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run \`pnpm nx run api:bundle-edge\` first (the test target depends on it)`);
}

/** Runs wrangler (metrics off, never a prompt) in packages/api; resolves with what it printed, rejects if it failed. */
export function wrangler(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], {
      cwd: API_ROOT,
      // NODE_ENV=test: Miniflare (under `d1 migrations apply --local`) then fetches no `Request.cf` from Cloudflare.
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

/** Applies the D1 migrations to the local database persisted under `persistTo`, as api:dev-edge does. */
export const migrateLocal = (persistTo: string): Promise<string> =>
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo]);

let template: Promise<string> | undefined;

/**
 * Puts a freshly migrated local database under `persistTo`: a copy of one that `wrangler d1 migrations apply --local`
 * migrated once per test file (wrangler takes seconds to start; copying the files takes none).
 */
export async function migratedCopy(persistTo: string): Promise<void> {
  template ??= (async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bank-edge-template-')), 'persist');
    await migrateLocal(dir);
    return dir;
  })();
  cpSync(await template, persistTo, { recursive: true });
}

/** Bundles another entry (a test Worker) the way bundle-edge bundles src/worker.ts; resolves with the script's path. */
export async function bundleEntry(entry: string, outdir: string): Promise<string> {
  await wrangler(['deploy', entry, '--dry-run', '--outdir', outdir]);
  return join(outdir, `${entry.split('/').at(-1)!.replace(/\.ts$/, '')}.js`);
}

/** A Worker running in workerd. */
export interface RunningWorker {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The port. */
  readonly port: number;
  readonly mf: Miniflare;
  /** Every JSON line the Worker logged (its `console.log`), parsed. */
  readonly logs: Record<string, unknown>[];
  /** Runs the `scheduled` handler as the cron trigger would, at `scheduledTime` (default now); resolves when it is done. */
  scheduled(scheduledTime?: number): Promise<void>;
  /** Stops workerd (what is in flight, `waitUntil` work included, is cut off). */
  dispose(): Promise<void>;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** The folder the local D1 database persists in (`--persist-to`). */
  readonly persistTo: string;
  /** The Worker's vars and secrets (`BANK_REVIEWER_TOKENS`, …). */
  readonly vars?: Readonly<Record<string, string>>;
  /** Another bundle than the production one (a test Worker). */
  readonly scriptPath?: string;
}

function collect(stream: Readable, logs: Record<string, unknown>[], raw: string[]): void {
  createInterface({ input: stream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      raw.push(line); // workerd's own lines
    }
  });
}

/** Starts the Worker in workerd on 127.0.0.1 (a free port), configured as wrangler.jsonc says. */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  assertBundled();
  const config = readWranglerConfig();
  const d1 = config.d1_databases[0]!;
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const scriptPath = options.scriptPath ?? BUNDLE;
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; workerd refuses one that climbs out of it with `..`.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: [...(config.compatibility_flags ?? [])],
    // The id names the database file, so wrangler (migrations apply --local) and Miniflare open the same one.
    d1Databases: { [d1.binding]: d1.database_id },
    d1Persist: join(options.persistTo, 'v3', 'd1'),
    bindings: { ...options.vars },
    host: '127.0.0.1',
    port: 0,
    // No `Request.cf` from Cloudflare: Miniflare would fetch it from the internet otherwise.
    cf: false,
    handleRuntimeStdio: (stdout, stderr) => {
      collect(stdout, logs, raw);
      collect(stderr, logs, raw);
    },
  });
  let url: URL;
  try {
    url = await mf.ready;
  } catch (e) {
    await sleep(50); // let workerd's last lines arrive
    throw new Error(`workerd did not start: ${(e as Error).message}\n${raw.join('\n')}`, { cause: e });
  }
  return {
    url: url.origin,
    port: Number(url.port),
    mf,
    logs,
    async scheduled(scheduledTime = Date.now()) {
      // Miniflare types its Fetcher with the Workers types this package does not load: the part used here.
      const worker = (await mf.getWorker()) as unknown as { scheduled(options: { scheduledTime: Date; cron: string }): Promise<unknown> };
      await worker.scheduled({ scheduledTime: new Date(scheduledTime), cron: config.triggers.crons[0]! });
    },
    dispose: () => mf.dispose(),
  };
}

/** Sleeps for `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
