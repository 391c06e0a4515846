// The Worker's Nx targets, run from the repository root with Node ≥ 20.19 (Wrangler 3 and Miniflare 3: see README):
//   node packages/api/scripts/edge.mjs bundle   api:bundle-edge  `wrangler deploy --dry-run` into dist-edge/, size
//   node packages/api/scripts/edge.mjs dev      api:dev-edge     `wrangler dev` on 127.0.0.1 with a local D1 in .bank/edge
//   node packages/api/scripts/edge.mjs deploy   api:deploy       `wrangler deploy` (the only one that talks to Cloudflare)
// Wrangler's usage metrics are always off. `dev` is configured like api:serve: PORT (default 8788), HOST (default
// 127.0.0.1), BANK_REVIEWER_TOKENS (generated and printed once when empty), BANK_SUBMIT_TOKENS, BANK_DEV.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const api = fileURLToPath(new URL('..', import.meta.url));
const root = join(api, '..', '..');
const wrangler = join(api, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
/** The gzipped size the bundle must stay under (test/edge.test.ts checks it too). */
const BUNDLE_BUDGET_KIB = 400;
/** Where `dev` keeps its local D1 database (the SQLite files Miniflare writes), like `.bank/bank.db` for Node. */
const PERSIST = join(root, '.bank', 'edge');
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
// Miniflare 3 (under `wrangler dev` and `d1 migrations apply --local`) fetches the `Request.cf` object from Cloudflare
// unless NODE_ENV is `test`; wrangler has no flag for it. Local runs use its built-in placeholder instead.
const localEnv = { ...env, NODE_ENV: 'test' };

/** Runs wrangler in packages/api; resolves with its exit code. `stdin` is not a terminal, so wrangler never prompts. */
function runWrangler(args, { onSpawn, detached = false, local = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], {
      cwd: api,
      env: local ? localEnv : env,
      detached,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    onSpawn?.(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function bundle() {
  const outdir = join(api, 'dist-edge');
  const code = await runWrangler(['deploy', '--dry-run', '--outdir', outdir]);
  if (code !== 0) return code;
  const worker = readFileSync(join(outdir, 'worker.js'));
  const kib = (bytes) => (bytes / 1024).toFixed(1);
  const gzipped = gzipSync(worker).length;
  process.stdout.write(
    `edge bundle: dist-edge/worker.js ${kib(worker.length)} KiB, ${kib(gzipped)} KiB gzipped (budget ${BUNDLE_BUDGET_KIB} KiB gzipped)\n`,
  );
  if (/\bfrom\s*["']node:|\brequire\(["']node:|\bimport\(["']node:/.test(worker.toString('utf8'))) {
    process.stderr.write('edge bundle: a node: import reached the bundle\n');
    return 1;
  }
  if (gzipped > BUNDLE_BUDGET_KIB * 1024) {
    process.stderr.write(`edge bundle: over budget by ${kib(gzipped - BUNDLE_BUDGET_KIB * 1024)} KiB gzipped\n`);
    return 1;
  }
  return 0;
}

/** The flags that hand the settings to the Worker as vars (the reviewer tokens included: a secret in production). */
function varsFromEnv() {
  let tokens = (process.env.BANK_REVIEWER_TOKENS ?? '').trim();
  if (!tokens) {
    tokens = randomBytes(24).toString('base64url');
    process.stderr.write(
      `\nNo BANK_REVIEWER_TOKENS configured: reviewer routes need this token, generated for this run only:\n\n  ${tokens}\n\n` +
        'Set BANK_REVIEWER_TOKENS (comma-separated) to choose your own.\n\n',
    );
  }
  const vars = { BANK_REVIEWER_TOKENS: tokens };
  if (process.env.BANK_SUBMIT_TOKENS?.trim()) vars.BANK_SUBMIT_TOKENS = process.env.BANK_SUBMIT_TOKENS.trim();
  if (process.env.BANK_DEV === '1') vars.BANK_DEV = '1';
  return Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]);
}

async function dev() {
  const port = process.env.PORT?.trim() ? Number(process.env.PORT) : 8788;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write('PORT must be an integer from 1 to 65535\n');
    return 1;
  }
  const host = process.env.HOST?.trim() || '127.0.0.1';
  mkdirSync(PERSIST, { recursive: true });
  const migrated = await runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', PERSIST], { local: true });
  if (migrated !== 0) return migrated;
  const vars = varsFromEnv();
  let child;
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return child?.kill('SIGKILL');
    stopping = true;
    child?.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // wrangler dev runs no Cron Trigger by itself: call the scheduled handler every minute, as Cloudflare would.
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const cron = setInterval(() => {
    fetch(`${origin}/__scheduled?cron=${encodeURIComponent('* * * * *')}`).then(
      (res) => res.arrayBuffer(),
      () => {},
    );
  }, 60_000);
  const code = await runWrangler(
    [
      'dev',
      '--ip',
      host,
      '--port',
      String(port),
      '--persist-to',
      PERSIST,
      '--test-scheduled',
      '--show-interactive-dev-session=false',
      ...vars,
    ],
    // In its own process group: Ctrl-C reaches this script only, which stops wrangler once and waits for it.
    { onSpawn: (spawned) => (child = spawned), detached: true, local: true },
  );
  clearInterval(cron);
  return stopping ? 0 : code;
}

async function deploy() {
  const config = readFileSync(join(api, 'wrangler.jsonc'), 'utf8');
  if (config.includes(PLACEHOLDER_ID)) {
    process.stderr.write(
      'wrangler.jsonc still has the placeholder database_id: run `wrangler d1 create bank-workflows` and put its id there ' +
        '(README.md, "Deploy to the edge").\n',
    );
    return 1;
  }
  return runWrangler(['deploy']);
}

const commands = { bundle, dev, deploy };
const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write(`usage: node ${join(dirname(fileURLToPath(import.meta.url)), 'edge.mjs')} bundle|dev|deploy\n`);
  process.exitCode = 64;
} else {
  process.exitCode = await command();
}
