import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runBank } from './run-bank.js';

const root = mkdtempSync(join(tmpdir(), 'bank-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
let db: string;
beforeEach(() => {
  db = join(root, `cli-${++n}.db`);
});

const bank = (...args: string[]) => runBank([...args, '--db', db]);
const json = async (...args: string[]) => {
  const run = await bank(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown> & { id: string; state: string };
};
const count = async () => ((await json('list', '--limit', '200')).items as unknown[]).length;

describe('bank submit', () => {
  it('approves Spock and prints a readable summary without colour off a TTY', async () => {
    const run = await bank('submit', '--name', 'Spock', '--address', '123 Enterprise Street');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^APPROVED\n/);
    expect(run.stdout).toMatch(/name check\s+passed/);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('flags Gabe for review and prints the exact review command', async () => {
    const app = await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    expect(app.state).toBe('FLAGGED_FOR_REVIEW');
    const run = await bank('show', app.id);
    // The command to copy reaches the same database: it carries the --db this run was given.
    expect(run.stdout).toContain(`bank --db ${db} approve ${app.id}`);
    expect(run.stdout).toMatch(/address check\s+flagged \(Address has no house number/);
  });

  it('flags UNPROCESSABLE_DATA from --data, exiting 0 (an outcome, not an error)', async () => {
    const app = await json('submit', '--data', '{"name":"UNPROCESSABLE_DATA","address":"123 Street"}');
    expect(app).toMatchObject({
      state: 'FLAGGED_WITH_UNPROCESSABLE_DATA',
      reason: "UnprocessableDataError: Name 'UNPROCESSABLE_DATA' is not possible to check.",
    });
  });

  it('prints exactly one JSON document with --json', async () => {
    const run = await bank('submit', '--name', 'Spock', '--address', '1 Main', '--json');
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('rejects bad input with exit 65 and stores nothing', async () => {
    const cases = [
      ['--name', '', '--address', '1 Main'],
      ['--name', '   ', '--address', '1 Main'],
      ['--name', 'Spock', '--address', 'x'.repeat(201)],
      ['--data', '{"name":"Spock"'],
      ['--data', '{"name":"Spock","address":"1 Main","admin":true}'],
      ['--data', '[]'],
    ];
    for (const args of cases) {
      const run = await bank('submit', ...args);
      expect(run.code, args.join(' ')).toBe(65);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^invalid_input: /);
    }
    expect(await count()).toBe(0);
  });

  it('names the offending field', async () => {
    const run = await bank('submit', '--name', 'Spock', '--address', 'x'.repeat(201));
    expect(run.stderr).toContain('address: address must be at most 200 characters');
    const asJson = await bank('submit', '--name', '', '--address', '1 Main', '--json');
    expect(asJson.stdout).toBe('');
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'invalid_input', issues: [{ path: ['name'] }] } });
  });

  it('is a usage error (64) to leave out a field without a terminal, or to mix --data with --name', async () => {
    const missing = await bank('submit', '--name', 'Spock');
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('missing --address (no terminal to ask on)');
    expect((await bank('submit', '--data', '{}', '--name', 'x')).code).toBe(64);
    expect((await bank('submit', '--nme', 'Spock')).code).toBe(64);
    expect(await count()).toBe(0);
  });
});

describe('bank list, show, history', () => {
  it('lists by state as a table and in pages with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await json('submit', '--name', `Gabe ${i}`, '--address', 'ABadAddress')).id);
    await json('submit', '--name', 'Spock', '--address', '1 Main');
    const table = await bank('list', '--state', 'FLAGGED_FOR_REVIEW');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+NAME\s+SUBMITTED$/);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(4);
    const page1 = await json('list', '--state', 'FLAGGED_FOR_REVIEW', '--limit', '2');
    const page2 = await json('list', '--state', 'FLAGGED_FOR_REVIEW', '--limit', '2', '--cursor', String(page1.nextCursor));
    expect([...(page1.items as { id: string }[]), ...(page2.items as { id: string }[])].map((a) => a.id)).toStrictEqual(ids);
    expect((await bank('list', '--limit', '2')).stdout).toContain(`more: bank --db ${db} list --limit 2 --cursor `);
  });

  it('rejects an unknown state (65) and a bad limit (65)', async () => {
    const run = await bank('list', '--state', 'PENDING');
    expect(run.code).toBe(65);
    expect(run.stderr).toContain('state must be one of SUBMITTED');
    expect((await bank('list', '--limit', '0')).code).toBe(65);
  });

  it('shows an application and its history', async () => {
    const app = await json('submit', '--name', 'Spock', '--address', '1 Main');
    expect(await json('show', app.id)).toStrictEqual(app);
    const history = await json('history', app.id);
    expect((history.events as { type: string }[]).map((e) => e.type)).toContain('execution.succeeded');
    expect((await bank('history', app.id)).stdout).toMatch(/^\s+1 {2}\S+ {2}execution\.started/);
  });

  it('answers 66 for an unknown id and 64 for a missing one', async () => {
    for (const command of ['show', 'history', 'approve']) {
      const run = await bank(command, 'app_00000000-0000-7000-8000-000000000000');
      expect(run.code, command).toBe(66);
      expect(run.stderr).toMatch(/^not_found: /);
      expect((await bank(command)).code).toBe(64);
    }
  });
});

describe('bank list --state FAILED and bank redrive', () => {
  it('finds executions whose checks kept failing, and redrives them (75 once they have not failed)', async () => {
    // An earlier process whose address service was down: retries ran out and the execution FAILED.
    const runtime = createRuntime({
      store: createSqliteStore({ path: db }),
      retry: { maxRetries: 0 },
      checks: {
        address: () => {
          throw new Error('address service unavailable');
        },
      },
    });
    const failed = await runtime.submit({ name: 'Spock', address: '123 Enterprise Street' });
    await runtime.close();
    expect(failed.execution.status).toBe('FAILED');
    await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const page = (await json('list', '--state', 'FAILED')) as unknown as { items: { id: string }[] };
    expect(page.items.map((a) => a.id)).toStrictEqual([failed.id]);
    const table = await bank('list', '--state', 'FAILED');
    expect(table.stdout).toContain(failed.id);
    expect((await json('redrive', failed.id)).state).toBe('APPROVED');
    const again = await bank('redrive', failed.id);
    expect(again.code).toBe(75);
    expect(((await json('list', '--status', 'FAILED')) as unknown as { items: unknown[] }).items).toStrictEqual([]);
  });
});

describe('a damaged database', () => {
  it('exits 74 with a message naming the file, and leaves it as it was', async () => {
    writeFileSync(db, 'these are my notes, not a database\n');
    const run = await bank('list');
    expect(run.code).toBe(74);
    expect(run.stderr).toMatch(/^store_corrupt: /);
    expect(run.stderr).toContain(db);
    expect(readFileSync(db, 'utf8')).toBe('these are my notes, not a database\n');
  });
});

describe('bank review, approve, reject', () => {
  it('approves and rejects flagged applications, once', async () => {
    const a = await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const b = await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    expect((await json('approve', a.id)).state).toBe('APPROVED');
    expect((await json('review', b.id, '--decision', 'REJECT', '--reviewer', 'riker')).review).toMatchObject({
      decision: 'REJECT',
      reviewer: 'riker',
    });
    const again = await bank('reject', a.id);
    expect(again.code).toBe(75);
    expect(again.stderr).toMatch(/^conflict: /);
    expect((await json('show', a.id)).state).toBe('APPROVED');
  });

  it('records the local account as the reviewer by default, with a note', async () => {
    const a = await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    const reviewed = await json('approve', a.id, '--note', 'confirmed by phone');
    expect(reviewed.review).toMatchObject({
      decision: 'APPROVE',
      reviewer: expect.stringMatching(/^[A-Za-z0-9._@-]+$/),
      note: 'confirmed by phone',
    });
    expect((reviewed.review as { reviewer: string }).reviewer).toBe(userInfo().username);
  });

  it('refuses a bad decision (65) and a missing one (64)', async () => {
    const a = await json('submit', '--name', 'Gabe', '--address', 'ABadAddress');
    expect((await bank('review', a.id, '--decision', 'MAYBE')).code).toBe(65);
    expect((await bank('review', a.id)).code).toBe(64);
    expect((await json('show', a.id)).state).toBe('FLAGGED_FOR_REVIEW');
  });
});

describe('bank check, demo, help, version', () => {
  it('runs the checks on their own without storing anything', async () => {
    expect(await json('check', 'name', 'Spock')).toStrictEqual({ flagged: false });
    expect((await json('check', 'address', 'ABadAddress')).flagged).toBe(true);
    expect(await json('check', 'name', 'UNPROCESSABLE_DATA')).toMatchObject({ unprocessable: true });
    expect((await bank('check', 'name', '')).code).toBe(65);
    expect((await bank('check', 'shoe', 'x')).code).toBe(64);
    expect(await count()).toBe(0);
  });

  it('demo runs the three reference applications and reviews the flagged one', async () => {
    const run = await bank('demo');
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^(APPROVED|FLAGGED_FOR_REVIEW|FLAGGED_WITH_UNPROCESSABLE_DATA)$/gm)).toStrictEqual([
      'APPROVED',
      'FLAGGED_FOR_REVIEW',
      'FLAGGED_WITH_UNPROCESSABLE_DATA',
      'APPROVED',
    ]);
    expect(await count()).toBe(3);
  });

  it('has --help for every command and prints the version', async () => {
    const help = await bank('--help');
    for (const command of ['submit', 'list', 'show', 'history', 'review', 'approve', 'reject', 'check', 'serve', 'demo']) {
      expect(help.stdout).toContain(`  ${command}`);
      const run = await bank(command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: bank /);
    }
    expect((await bank('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await bank('frobnicate');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('the embedded database', () => {
  it('is created under the current folder by default, or at BANK_DB', async () => {
    const cwd = mkdtempSync(join(root, 'cwd-'));
    const run = await runBank(['submit', '--name', 'Spock', '--address', '1 Main', '--json'], {}, cwd);
    expect(run.code).toBe(0);
    const listed = await runBank(['list', '--json', '--db', join(cwd, '.bank', 'bank.db')]);
    expect(JSON.parse(listed.stdout).items).toHaveLength(1);
    const viaEnv = await runBank(['list', '--json'], { BANK_DB: join(cwd, '.bank', 'bank.db') });
    expect(JSON.parse(viaEnv.stdout).items).toHaveLength(1);
  });

  it('reports a store it cannot open as 69', async () => {
    const run = await runBank(['list', '--db', '/dev/null/bank.db']);
    expect(run.code).toBe(69);
    expect(run.stderr).toMatch(/^store_unavailable: /);
  });
});
