// Runs pnpm itself (not `npx pnpm`: npx re-raises a SIGINT it got after its child exits, whatever the child did), the
// way a user with pnpm installed runs the README's commands. Under `pnpm nx run …:test` pnpm says where it is
// (npm_execpath); otherwise npx finds the pinned version.
import { execFileSync, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function pnpmEntry(): string {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm\.c?js$/.test(execpath)) return execpath;
  const bin = execFileSync('npx', ['-y', '-p', 'pnpm@10.34.9', 'which', 'pnpm'], { encoding: 'utf8' }).trim();
  return realpathSync(bin);
}

/** `node <pnpm.cjs>`, and a PATH on which Nx (which runs package scripts with `pnpm run`) finds the same pnpm. */
export function pnpm(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const entry = pnpmEntry();
  // …/node_modules/pnpm/bin/pnpm.cjs → …/node_modules/.bin, where npx and npm link `pnpm`
  const bin = join(dirname(dirname(dirname(entry))), '.bin');
  return { command: process.execPath, args: [entry], env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } };
}

/** What one run printed and how it ended. */
export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pnpm …args` in `cwd` with `env` over a clean environment (no inherited BANK_*, INIT_CWD or NO_COLOR). */
export function runPnpm(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const { command, args: prefix, env } = pnpm();
  const base = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('BANK_') && k !== 'INIT_CWD' && k !== 'NO_COLOR'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...base, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
