// `bank submit` on a pseudo-terminal (util-linux `script`): missing fields are asked for and answered.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runBank } from './run-bank.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-cli-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command line on a pseudo-terminal, typing `answers` one line at a time as each prompt appears. */
function onTerminal(
  command: string,
  answers: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, ...env, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let prompts = 0;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      const seen = (screen.match(/(Name|Address): /g) ?? []).length;
      while (prompts < seen && prompts < answers.length) child.stdin.write(`${answers[prompts++]}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

describe('bank submit on a terminal', () => {
  it('asks for the missing fields and submits the answers, in colour', async () => {
    const db = join(dir, 'tty.db');
    const { code, screen } = await onTerminal(`${process.execPath} ${BIN} submit --db ${db}`, ['Spock', '123 Enterprise Street']);
    expect(code).toBe(0);
    expect(screen).toContain('Name: ');
    expect(screen).toContain('Address: ');
    expect(screen).toContain('\u001b[32mAPPROVED'); // green on a TTY
    const listed = await runBank(['list', '--json', '--db', db]);
    expect(JSON.parse(listed.stdout).items).toMatchObject([{ name: 'Spock', address: '123 Enterprise Street', state: 'APPROVED' }]);
  });

  it('asks only for what is missing, and has no colour with NO_COLOR', async () => {
    const db = join(dir, 'tty-2.db');
    const { code, screen } = await onTerminal(`${process.execPath} ${BIN} submit --name Gabe --db ${db}`, ['ABadAddress'], {
      NO_COLOR: '1',
    });
    expect(code).toBe(0);
    expect(screen).not.toContain('Name: ');
    expect(screen).toContain('FLAGGED_FOR_REVIEW');
    expect(screen).not.toMatch(new RegExp(`${'\u001b'}\\[[\\d;]*m`)); // no colour (readline's cursor moves are fine)
  });
});
