// The built `bank` on a database written the way an old release could have written it: before @bank/checks refused
// control characters, a name such as ESC [2J (clear the screen) or one with a newline was stored as sent. Whatever
// the store or a remote API holds, the CLI must not write a control character to the terminal raw, must keep one
// table row per application, and `--json` must still parse back to exactly the stored value.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRuntime } from '@bank/core';
import { DatabaseSync } from '@photostructure/sqlite';
import { createSqliteStore } from '@bank/core/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBank, type BankRun } from './run-bank.js';

/** Clears the screen, breaks the line, then opens a one-byte C1 CSI (U+009B) sequence. */
const EVIL = '\u001b[2JEvil\nName\u009b31m';
/** How `printable` shows it. */
const SHOWN = '\\x1B[2JEvil\\nName\\x9B31m';

const dir = mkdtempSync(join(tmpdir(), 'bank-cli-terminal-'));
const db = join(dir, 'old-release.db');
const TOKEN = 'terminal-safety-token';
let evilId: string;
let server: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  const runtime = createRuntime({ store: createSqliteStore({ path: db }) });
  const gabe = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' }); // flagged: has a check reason
  await runtime.submit({ name: 'Spock', address: '123 Enterprise Street' });
  await runtime.close();
  evilId = gabe.id;

  const raw = new DatabaseSync(db);
  try {
    const changed = (sql: string, ...params: unknown[]) => Number(raw.prepare(sql).run(...params).changes);
    expect(changed('UPDATE applications SET name = ? WHERE id = ?', EVIL, evilId)).toBe(1);
    expect(changed(`UPDATE applications SET checks = json_set(checks, '$.address.reason', ?) WHERE id = ?`, EVIL, evilId)).toBe(1);
    // A string detail and a nested one, in the first event of the history.
    expect(
      changed(
        `UPDATE history SET data = json_set(data, '$.note', ?, '$.detail', json_object('message', ?)) WHERE application_id = ? AND seq = 1`,
        EVIL,
        EVIL,
        evilId,
      ),
    ).toBe(1);
  } finally {
    raw.close();
  }
}, 60_000);

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const embedded = (...args: string[]) => runBank([...args, '--db', db]);

/** What a terminal acts on, but the line breaks the CLI writes itself: C0 (ESC included), DEL and C1. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Asserts the run succeeded and wrote nothing a terminal acts on. */
function expectTerminalSafe(run: BankRun): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(Buffer.from(run.stdout).includes(0x1b)).toBe(false);
  expect(run.stdout).not.toMatch(/[\u0080-\u009f]/);
  expect(run.stdout).not.toMatch(RAW_CONTROL);
}

describe('bank on a database holding control characters', () => {
  it('lists exactly one table row per application, the name escaped', async () => {
    const run = await embedded('list');
    expectTerminalSafe(run);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 2);
    expect(lines[0]).toMatch(/^ID\s+STATE\s+NAME\s+SUBMITTED$/);
    expect(lines.slice(1).every((line) => line.startsWith('app_'))).toBe(true);
    expect(lines.find((line) => line.startsWith(evilId))).toContain(` ${SHOWN} `);
  });

  it('shows the application with every stored value escaped, one line per field', async () => {
    const run = await embedded('show', evilId);
    expectTerminalSafe(run);
    expect(run.stdout).toContain(`  name           ${SHOWN}\n`);
    expect(run.stdout).toContain(`  address check  flagged (${SHOWN})\n`);
    expect(run.stdout.match(/^ {2}name {11}/gm)).toHaveLength(1);
  });

  it('prints the history with string and nested details escaped', async () => {
    const run = await embedded('history', evilId);
    expectTerminalSafe(run);
    const first = run.stdout.split('\n')[0];
    expect(first).toContain(`note=${SHOWN}`);
    expect(first).toContain('detail={"message":"\\u001b[2JEvil\\nName\\u009B31m"}');
  });

  it('--json parses back to exactly the stored strings', async () => {
    const list = await embedded('list', '--json');
    expectTerminalSafe(list);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(1);
    const items = (JSON.parse(list.stdout) as { items: { id: string; name: string }[] }).items;
    expect(items.find((a) => a.id === evilId)?.name).toBe(EVIL);

    const show = await embedded('show', evilId, '--json');
    expectTerminalSafe(show);
    const app = JSON.parse(show.stdout) as { name: string; checks: { address: { reason: string } } };
    expect(app.name).toBe(EVIL);
    expect(app.checks.address.reason).toBe(EVIL);

    const history = await embedded('history', evilId, '--json');
    expectTerminalSafe(history);
    const [first] = (JSON.parse(history.stdout) as { events: { data: { note?: string; detail?: { message: string } } }[] }).events;
    expect(first?.data.note).toBe(EVIL);
    expect(first?.data.detail?.message).toBe(EVIL);
  });

  it('escapes what the user typed when it comes back in an error, as text and as JSON', async () => {
    for (const args of [['show', `app_${EVIL}`], [EVIL]]) {
      const run = await embedded(...args);
      expect(run.code).not.toBe(0);
      expect(run.stderr).not.toMatch(RAW_CONTROL);
      const asJson = await embedded(...args, '--json');
      expect(asJson.stderr).not.toMatch(RAW_CONTROL);
      expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: expect.any(String) } });
    }
    expect((await embedded(EVIL)).stderr).toContain(`usage error: unknown command '${SHOWN}'`);
  });
});

describe('bank in remote mode, against an API serving that database', () => {
  beforeAll(async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], {
      env: { ...process.env, BANK_REVIEWER_TOKENS: TOKEN },
      cwd: dirname(db),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    server = child;
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) resolve(entry.url);
      });
      child.once('exit', (code) => reject(new Error(`bank serve exited with ${code}`)));
    });
  }, 30_000);

  it('prints exactly what embedded mode prints, escaped the same way', async () => {
    for (const args of [['list'], ['show', evilId], ['history', evilId], ['list', '--json'], ['show', evilId, '--json']]) {
      const viaApi = await runBank([...args, '--api', url, '--token', TOKEN]);
      expectTerminalSafe(viaApi);
      // Only the suggested commands differ: each names the target it was run against.
      expect(viaApi.stdout, args.join(' ')).toBe((await embedded(...args)).stdout.replaceAll(`--db ${db}`, `--api ${url}`));
    }
  });
});
