// Spawns the real built `bank` (dist/bin.js) the way a user runs it, without a terminal.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI entry. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** What one run of `bank` printed and how it exited. */
export interface BankRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bank …args` with `env` added to a clean environment (no inherited BANK_* or NO_COLOR). */
export function runBank(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<BankRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BANK_') && k !== 'INIT_CWD' && k !== 'NO_COLOR'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
