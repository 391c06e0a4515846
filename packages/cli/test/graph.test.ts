// `bank graph`: embedded (on a SQLite file) and remote (against `bank serve`), through the built binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBank } from './run-bank.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-cli-graph-'));
const TOKEN = 'graph-reviewer-token';
let server: ChildProcess | undefined;
afterAll(() => {
  if (server?.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The mark of every state in a graph, read from its `data-state` / `data-mark` attributes. */
function marksOf(svg: string): Record<string, string> {
  const marks: Record<string, string> = {};
  for (const [, state, mark] of svg.matchAll(/data-state="([^"]+)" data-mark="([^"]+)"/g)) marks[state!] = mark!;
  return marks;
}

const isSvg = (text: string) => expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n?$/);

describe('bank graph, embedded', () => {
  const db = join(dir, 'embedded.db');
  const bank = (...args: string[]) => runBank([...args, '--db', db], {}, dir);
  const submit = async (name: string, address: string) => {
    const run = await bank('submit', '--name', name, '--address', address, '--json');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { id: string };
  };

  it('writes the workflow diagram to stdout without touching a store', async () => {
    const fresh = join(dir, 'never-created.db');
    const run = await runBank(['graph', '--db', fresh]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    isSvg(run.stdout);
    expect(run.stdout).toContain('data-state="pendingReview"');
    expect(run.stdout).not.toContain('data-mark=');
    expect(existsSync(fresh)).toBe(false);
  });

  it("marks each reference application's path, and writes it to --out", async () => {
    const spock = await submit('Spock', '123 Enterprise Street');
    const gabe = await submit('Gabe', 'ABadAddress');
    const unprocessable = await submit('UNPROCESSABLE_DATA', '123 Street');

    const run = await bank('graph', spock.id);
    expect(run.code).toBe(0);
    isSvg(run.stdout);
    expect(marksOf(run.stdout)).toMatchObject({ reviewRequired: 'passed', approved: 'ended', pendingReview: 'unvisited' });

    const out = join(dir, 'gabe.svg');
    const written = await bank('graph', gabe.id, '--out', 'gabe.svg');
    expect(written).toMatchObject({ code: 0, stderr: '', stdout: `${out}\n` });
    expect(marksOf(readFileSync(out, 'utf8'))).toMatchObject({ pendingReview: 'current', approved: 'unvisited' });
    expect((await bank('approve', gabe.id)).code).toBe(0);
    expect(marksOf((await bank('graph', gabe.id)).stdout)).toMatchObject({ reviewApproved: 'passed', approved: 'ended' });

    expect(marksOf((await bank('graph', unprocessable.id)).stdout)).toMatchObject({ unprocessable: 'ended', reviewRequired: 'unvisited' });
  });

  it('exits 66 for an unknown application, 65 for an unwritable --out, 64 for a second argument', async () => {
    const missing = await bank('graph', 'app_01900000-0000-7000-8000-000000000000');
    expect(missing.code).toBe(66);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^not_found: /);
    const { id } = await submit('Spock', '1 Main Street');
    const unwritable = await bank('graph', id, '--out', join(dir, 'no/such/dir/x.svg'));
    expect(unwritable.code).toBe(65);
    expect(unwritable.stderr).toMatch(/--out: cannot write/);
    expect((await bank('graph', id, 'extra')).code).toBe(64);
  });
});

describe('bank graph, remote (--api)', () => {
  let url: string;
  beforeAll(async () => {
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 'served.db')], {
      env: { ...process.env, BANK_REVIEWER_TOKENS: `picard:${TOKEN}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) resolve(entry.url);
      });
      server!.once('exit', (code) => reject(new Error(`bank serve exited with ${code}`)));
    });
  }, 30_000);

  it('fetches the diagram without a token, and a path with the reviewer token', async () => {
    const machine = await runBank(['graph', '--api', url]);
    expect(machine.code).toBe(0);
    isSvg(machine.stdout);
    expect(machine.stdout).not.toContain('data-mark=');

    const submitted = await runBank(['submit', '--name', 'Gabe', '--address', 'ABadAddress', '--json', '--api', url]);
    const { id } = JSON.parse(submitted.stdout) as { id: string };
    const graph = await runBank(['graph', id, '--api', url, '--token', TOKEN]);
    expect(graph.code).toBe(0);
    expect(marksOf(graph.stdout)).toMatchObject({ pendingReview: 'current', 'checking.address.done': 'passed' });

    const out = join(dir, 'remote.svg');
    expect((await runBank(['graph', id, '--api', url, '--out', out], { BANK_TOKEN: TOKEN })).stdout).toBe(`${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(graph.stdout.replace(/\n$/, ''));

    expect((await runBank(['graph', id, '--api', url])).code).toBe(77);
    expect((await runBank(['graph', 'app_01900000-0000-7000-8000-000000000000', '--api', url, '--token', TOKEN])).code).toBe(66);
  });
});
