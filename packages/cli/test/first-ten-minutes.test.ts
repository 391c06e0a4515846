// What a newcomer meets first, through the built binary and through `pnpm bank` (the repository's launcher, run by
// pnpm itself): the same stdout, the same JSON, the same exit codes; global options on either side of the command;
// suggestions for typos; invalid input said once, with the position of a JSON error; a read-only folder named as
// such; and a "next" hint spelled the way the user started bank.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPnpm, ROOT } from './pnpm.js';
import { runBank, type BankRun } from './run-bank.js';

const root = mkdtempSync(join(tmpdir(), 'bank-first-'));
const unmounts: (() => void)[] = [];
afterAll(() => {
  for (const unmount of unmounts.splice(0)) unmount();
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const freshDb = () => join(root, `db-${++n}.db`);

/** `bank …args` through both doors, from `cwd`. */
const ways = {
  binary: (args: readonly string[], cwd = ROOT): Promise<BankRun> => runBank(args, {}, cwd),
  'pnpm bank': (args: readonly string[], cwd = ROOT): Promise<BankRun> => runPnpm(['-s', 'bank', ...args], { cwd }),
};

describe.each(Object.entries(ways))('through %s', (way, bank) => {
  const hint = way === 'binary' ? 'bank' : 'pnpm bank';

  it('prints only what bank prints: one JSON document for --json, and the documented exit codes', async () => {
    const db = freshDb();
    const submitted = await bank(['submit', '--name', 'Spock', '--address', '123 Enterprise Street', '--db', db, '--json']);
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    const app = JSON.parse(submitted.stdout) as { id: string; state: string };
    expect(app.state).toBe('APPROVED');
    const listed = await bank(['list', '--json', '--db', db]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toStrictEqual({ items: [app] });
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    const version = await bank(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const typo = await bank(['submit', '--nmae', 'Spock', '--db', db]);
    expect(typo).toMatchObject({ code: 64, stdout: '' });
    expect(typo.stderr).toBe(`usage error: Unknown option '--nmae' (did you mean '--name'?)\nsee: ${hint} submit --help\n`);
    expect((await bank(['show', 'app_00000000-0000-7000-8000-000000000000', '--db', db])).code).toBe(66);
  });

  it('takes the global options before or after the command, and suggests the command meant', async () => {
    const db = freshDb();
    expect((await bank(['--db', db, 'submit', '--name', 'Gabe', '--address', 'ABadAddress'])).code).toBe(0);
    const before = await bank(['--db', db, '--json', 'list']);
    const after = await bank(['list', '--db', db, '--json']);
    const inline = await bank([`--db=${db}`, 'list', '--json']);
    expect(before).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(before.stdout) as { items: unknown[] }).items).toHaveLength(1);
    expect(after.stdout).toBe(before.stdout);
    expect(inline.stdout).toBe(before.stdout);
    const check = await bank(['--json', 'check', 'name', 'Spock']);
    expect(JSON.parse(check.stdout)).toStrictEqual({ flagged: false });

    const aprove = await bank(['aprove', 'x', '--db', db]);
    expect(aprove).toMatchObject({ code: 64, stdout: '' });
    expect(aprove.stderr).toBe(`usage error: unknown command 'aprove' (did you mean 'approve'?)\nsee: ${hint} --help\n`);
    const unknown = await bank(['frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toBe(`usage error: unknown command 'frobnicate'\nsee: ${hint} --help\n`);
    expect((await bank(['--dbb', db, 'list'])).stderr).toContain("unknown option '--dbb' (did you mean '--db'?)");
  });

  it('says what is wrong with the input once, with the line and column of a JSON error', async () => {
    const db = freshDb();
    const array = await bank(['submit', '--data', '[]', '--db', db]);
    expect(array).toMatchObject({ code: 65, stdout: '' });
    expect(array.stderr).toBe('invalid_input: an application must be an object: {"name": …, "address": …}\n');
    const broken = await bank(['submit', '--data', '{\n  "name": "Spock",\n  "address" "1 Main"\n}', '--db', db]);
    expect(broken.code).toBe(65);
    expect(broken.stderr).toBe('invalid_input: --data is not valid JSON: unexpected string at line 3, column 13\n');
    const empty = await bank(['submit', '--name', ' ', '--address', '', '--db', db]);
    expect(empty.code).toBe(65);
    expect(empty.stderr).toBe('invalid_input: 2 problems\n  - name: name must not be empty\n  - address: address must not be empty\n');
    const asJson = await bank(['submit', '--data', '{"name":"Spock"', '--json', '--db', db]);
    expect(JSON.parse(asJson.stderr)).toStrictEqual({
      error: {
        code: 'invalid_input',
        message: "--data is not valid JSON: expected ',' or '}' after property value at line 1, column 16",
        issues: [
          {
            code: 'invalid_json',
            path: [],
            message: "--data is not valid JSON: expected ',' or '}' after property value at line 1, column 16",
          },
        ],
      },
    });
    expect((await bank(['list', '--json', '--db', db])).stdout).toBe('{"items":[]}\n');
  });

  it('hints at the review with a command this user can run', async () => {
    const db = freshDb();
    const run = await bank(['submit', '--name', 'Gabe', '--address', 'ABadAddress', '--db', db]);
    expect(run.code).toBe(0);
    const id = /^ {2}id +(\S+)$/m.exec(run.stdout)?.[1];
    expect(run.stdout).toContain(`next           review it: ${hint} --db ${db} approve ${id}   or   ${hint} --db ${db} reject ${id}\n`);
    for (let i = 0; i < 2; i++) await bank(['submit', '--name', 'Gabe', '--address', 'ABadAddress', '--db', db]);
    expect((await bank(['list', '--limit', '2', '--db', db])).stdout).toContain(`more: ${hint} --db ${db} list --limit 2 --cursor `);
  });

  it('runs the same from inside packages/cli', async () => {
    const db = freshDb();
    const inside = await bank(['list', '--json', '--db', db], join(ROOT, 'packages', 'cli'));
    expect(inside).toMatchObject({ code: 0, stdout: '{"items":[]}\n', stderr: '' });
  });

  it('says a database folder cannot be created because the filesystem is read-only, exit 69', async (ctx) => {
    const at = mkdtempSync(join(root, 'ro-'));
    if (process.getuid?.() === 0) {
      // root writes through file modes: only a read-only mount stops it
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', at], { stdio: 'ignore' });
        unmounts.push(() => execFileSync('umount', ['-l', at], { stdio: 'ignore' }));
      } catch {
        ctx.skip('running as root without mount(8): cannot make a read-only folder');
      }
    } else {
      chmodSync(at, 0o555);
      unmounts.push(() => chmodSync(at, 0o755));
    }
    const why = process.getuid?.() === 0 ? 'the filesystem is read-only' : 'permission denied';
    // the default database, `.bank/bank.db` under the current folder
    const run = await runBank(['list'], {}, at);
    expect(run).toMatchObject({ code: 69, stdout: '' });
    expect(run.stderr).toBe(
      `store_unavailable: cannot create the SQLite database ${join(at, '.bank', 'bank.db')}: cannot create its folder ${join(at, '.bank')} in ${at} (${why})\n`,
    );
    const nested = await bank(['list', '--db', join(at, 'dir', '.bank', 'bank.db')]);
    expect(nested.code).toBe(69);
    expect(nested.stderr).toContain(`in ${at} (${why})`);
  });
});

describe('pnpm bank without -s', () => {
  it("adds only pnpm's banner, and no error, inside packages/cli too", async () => {
    mkdirSync(join(root, 'plain'), { recursive: true });
    const db = join(root, 'plain', 'bank.db');
    for (const cwd of [ROOT, join(ROOT, 'packages', 'cli')]) {
      const run = await runPnpm(['bank', 'list', '--db', db], { cwd });
      expect(run.code, cwd).toBe(0);
      expect(run.stdout, cwd).toMatch(/> exec node (\.\.\/\.\.\/)?scripts\/bank\.mjs list --db \S+\n\nno applications\n$/);
      expect(run.stdout).not.toContain('undefined');
      expect(run.stderr).toBe('');
    }
  });
});
