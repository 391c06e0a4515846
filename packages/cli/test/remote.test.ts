// Remote mode against a real API server (`bank serve`) on 127.0.0.1, and `bank serve` itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBank } from './run-bank.js';

const TOKEN = 's3cret-reviewer-token';
const dir = mkdtempSync(join(tmpdir(), 'bank-cli-remote-'));
const db = join(dir, 'served.db');
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], {
    env: { ...process.env, BANK_REVIEWER_TOKENS: `picard:${TOKEN}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: server.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening' && entry.url) resolve(entry.url);
    });
    server.once('exit', (code) => reject(new Error(`bank serve exited with ${code}`)));
  });
}, 30_000);

afterAll(async () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const remote = (...args: string[]) => runBank([...args, '--api', url]);
const remoteJson = async (...args: string[]) => {
  const run = await remote(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { id: string; state: string } & Record<string, unknown>;
};

describe('bank in remote mode (--api)', () => {
  it('submits the reference applications without a token', async () => {
    expect((await remoteJson('submit', '--name', 'Spock', '--address', '123 Enterprise Street')).state).toBe('APPROVED');
    expect((await remoteJson('submit', '--name', 'Gabe', '--address', 'ABadAddress')).state).toBe('FLAGGED_FOR_REVIEW');
    expect((await remoteJson('submit', '--data', '{"name":"UNPROCESSABLE_DATA","address":"123 Street"}')).state).toBe(
      'FLAGGED_WITH_UNPROCESSABLE_DATA',
    );
  });

  it('refuses reviewer commands without a token (77), and serves them with one', async () => {
    const denied = await remote('list');
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/^unauthorized: /);
    expect((await runBank(['list', '--api', url, '--token', 'wrong'])).code).toBe(77);
    const page = await runBank(['list', '--api', url, '--state', 'FLAGGED_FOR_REVIEW', '--json'], { BANK_TOKEN: TOKEN });
    expect(page.code).toBe(0);
    expect(JSON.parse(page.stdout).items.length).toBeGreaterThan(0);
  });

  it('reviews once through the API; a second review is a conflict (75)', async () => {
    const app = await remoteJson('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const approved = await runBank(['approve', app.id, '--api', url, '--token', TOKEN, '--json']);
    expect(JSON.parse(approved.stdout).state).toBe('APPROVED');
    const again = await runBank(['reject', app.id, '--api', url, '--token', TOKEN]);
    expect(again.code).toBe(75);
    expect(again.stderr).toMatch(/^conflict: /);
  });

  it('records the reviewer bound to the token, with a note, and refuses --reviewer (64)', async () => {
    const app = await remoteJson('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const forged = await runBank(['approve', app.id, '--reviewer', 'riker', '--api', url, '--token', TOKEN]);
    expect(forged.code).toBe(64);
    expect(forged.stderr).toContain('name bound to your token');
    const run = await runBank(['reject', app.id, '--note', 'no such street', '--api', url, '--token', TOKEN, '--json']);
    expect(JSON.parse(run.stdout).review).toMatchObject({ decision: 'REJECT', reviewer: 'picard', note: 'no such street' });
  });

  it('sends an Idempotency-Key with a submit, and retries with it when the answer is lost: one application, not two', async () => {
    // A proxy that forwards every request to the API but cuts the connection instead of passing back the first answer.
    let lost = 0;
    const keys: (string | undefined)[] = [];
    const proxy = createServer((req, res) => {
      keys.push(req.headers['idempotency-key'] as string | undefined);
      const upstream = request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        if (lost++ === 0) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const via = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const before = JSON.parse((await runBank(['list', '--limit', '200', '--api', url, '--token', TOKEN, '--json'])).stdout).items.length;
    const run = await runBank(['submit', '--name', 'Kirk', '--address', '1 Bridge', '--api', via, '--json']);
    proxy.close();
    expect(run.code).toBe(0);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^bank-cli-/);
    expect(keys[1]).toBe(keys[0]);
    const after = JSON.parse((await runBank(['list', '--limit', '200', '--api', url, '--token', TOKEN, '--json'])).stdout).items;
    expect(after).toHaveLength(before + 1);
    expect(after.filter((a: { name: string }) => a.name === 'Kirk')).toHaveLength(1);
    expect(JSON.parse(run.stdout).id).toBe(after.at(-1).id);
  });

  it('maps the API errors to the same exit codes as embedded mode', async () => {
    const unknown = await runBank(['show', 'app_00000000-0000-7000-8000-000000000000', '--api', url, '--token', TOKEN]);
    expect(unknown.code).toBe(66);
    const invalid = await remote('submit', '--name', '', '--address', '1 Main');
    expect(invalid.code).toBe(65);
    expect(invalid.stderr).toContain('name');
    const badState = await runBank(['list', '--state', 'PENDING', '--api', url, '--token', TOKEN]);
    expect(badState.code).toBe(65);
  });

  it('prints the same as embedded mode for the same application', async () => {
    const app = await remoteJson('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const viaApi = await runBank(['show', app.id, '--api', url, '--token', TOKEN]);
    const embedded = await runBank(['show', app.id, '--db', db]);
    expect(viaApi.code).toBe(0);
    // Only the suggested commands differ: each names the target it was run against.
    expect(viaApi.stdout).toBe(embedded.stdout.replaceAll(`--db ${db}`, `--api ${url}`));
    const historyViaApi = await runBank(['history', app.id, '--api', url, '--token', TOKEN, '--json']);
    const historyEmbedded = await runBank(['history', app.id, '--db', db, '--json']);
    expect(historyViaApi.stdout).toBe(historyEmbedded.stdout);
  });

  it('runs the checks through the API', async () => {
    expect(await remoteJson('check', 'name', 'Spock')).toStrictEqual({ flagged: false });
    expect((await remoteJson('check', 'address', 'ABadAddress')).flagged).toBe(true);
    expect(await remoteJson('check', 'name', 'UNPROCESSABLE_DATA')).toMatchObject({ unprocessable: true });
  });

  it('reports an unreachable API as 69', async () => {
    const run = await runBank(['submit', '--name', 'Spock', '--address', '1 Main', '--api', 'http://127.0.0.1:9']);
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(/^store_unavailable: cannot reach the API/);
    expect(run.stderr).toMatch(/re-run with --idempotency-key bank-cli-/);
    expect((await runBank(['list', '--api', 'not a url'])).code).toBe(65);
  });

  it('bank serve stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
