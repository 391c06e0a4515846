// The real Node server as a child process (`node dist/serve.js`, built by the `build` target the tests depend on),
// shared by the server, abuse and fault suites: start it on 127.0.0.1 with a port picked by the OS, collect every
// line it logs, and kill whatever is left after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built server script. */
export const SERVE = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'serve.js');

/** A running server process. */
export interface Served {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Every line the server wrote to stdout, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Lines on stdout that were not JSON (there must be none). */
  readonly raw: string[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A server that stopped before it listened: how it exited and what it said. */
export class ServerExited extends Error {
  constructor(
    readonly code: number | null,
    readonly lines: readonly Record<string, unknown>[],
    readonly stderr: string,
  ) {
    super(`the server exited (${code}) before listening: ${stderr}${JSON.stringify(lines)}`);
  }
}

const running = new Set<ChildProcess>();

/** Throws a clear error when the server has not been built. */
export function assertBuilt(): void {
  if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run \`pnpm nx run api:build\` first (the test target depends on it)`);
}

/** Registers another child process (an attacker, a lock holder) to be killed by {@link killServers}. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Kills every server still running (call it from `afterEach`). */
export function killServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts `node dist/serve.js` with exactly `env` (plus PATH, PORT=0 and HOST) and resolves once it logs `listening`. */
export function serve(env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [SERVE], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        raw.push(line);
        return;
      }
      lines.push(parsed);
      if (parsed['msg'] === 'listening') {
        clearTimeout(timer);
        const url = String(parsed['url']);
        resolve({ url, port: Number(new URL(url).port), child, lines, raw, stderr: () => stderr, exited });
      }
    });
    // After stdout has ended, so every line the server wrote is in `lines`.
    child.stdout!.once('end', () => {
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new ServerExited(code ?? (signal === null ? null : -1), lines, stderr));
      });
    });
  });
}

/** Stops a server with SIGTERM and waits for it to exit. */
export async function stop(server: Served): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Sleeps for `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP port on 127.0.0.1 that is free now, drawn at random from 20000–32767: below Linux's ephemeral range
 * (32768–60999), so the OS never hands it to another socket (a `PORT=0` server, an outgoing connection) while a test has
 * stopped the server that listens on it and is about to start another there.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free TCP port on 127.0.0.1 in 20000–32767');
}
