// Ctrl-C on the documented command, `pnpm serve` (README): the server logs `stopping`, finishes the request in
// flight, logs `stopped`, and the command exits 0, as `node dist/serve.js` does on its own. A terminal sends SIGINT to
// the whole process group; a supervisor may signal only the process it started (pnpm): both are tested. pnpm is run
// itself, not through npx, which re-raises a SIGINT it got once its child exits, whatever the child did.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bank-serve-signal-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** pnpm's own entry (npm_execpath under `pnpm nx run api:test`; else the pinned version through npx). */
function pnpmEntry(): string {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm\.c?js$/.test(execpath)) return execpath;
  return realpathSync(execFileSync('npx', ['-y', '-p', 'pnpm@10.34.9', 'which', 'pnpm'], { encoding: 'utf8' }).trim());
}

/** Sends a submit whose body arrives in two halves, and resolves with the raw HTTP response once it is complete. */
function slowSubmit(port: number, sendSecondHalf: Promise<void>): Promise<string> {
  const body = JSON.stringify({ name: 'Spock', address: '123 Enterprise Street' });
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
      );
      void sendSecondHalf.then(() => socket.write(body.slice(10)));
    });
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(response));
  });
}

describe('Ctrl-C on pnpm serve', () => {
  it.each([
    ['the process group, as a terminal does', 'group'],
    ['only the pnpm process, as a supervisor does', 'pnpm'],
  ] as const)('to %s: stopping, the request in flight answered, stopped, exit 0', async (_, target) => {
    const entry = pnpmEntry();
    const child = spawn(process.execPath, [entry, 'serve'], {
      cwd: ROOT,
      detached: true, // its own process group, like a command started in a terminal
      env: {
        ...process.env,
        // Nx (when the launcher builds) runs package scripts with `pnpm run`: the same pnpm, on the PATH
        PATH: `${join(dirname(dirname(dirname(entry))), '.bin')}${delimiter}${process.env.PATH ?? ''}`,
        BANK_DB: join(dir, `${target}.db`),
        BANK_REVIEWER_TOKENS: 'signal-test-token',
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const listening = /"msg":"listening".*?"url":"([^"]+)"/.exec(stdout) ?? /"url":"([^"]+)".*?"msg":"listening"/.exec(stdout);
        if (listening) resolve(listening[1]!);
      });
      void exited.then(({ code }) => reject(new Error(`pnpm serve exited ${code} before listening:\n${stdout}\n${stderr}`)));
    });
    let release = () => {};
    const response = slowSubmit(Number(new URL(url).port), new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the request is in: headers and half the body
    process.kill(target === 'group' ? -child.pid! : child.pid!, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stdout).toContain('"msg":"stopping"');
    expect(stdout).not.toContain('"msg":"stopped"'); // still waiting for the request in flight
    release();
    expect(await response).toMatch(/^HTTP\/1\.1 201 /);
    expect(await exited).toStrictEqual({ code: 0, signal: null });
    const messages = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m === 'stopping' || m === 'stopped' || m.startsWith('second signal'))).toStrictEqual([
      'stopping',
      'stopped',
    ]);
  });
});
