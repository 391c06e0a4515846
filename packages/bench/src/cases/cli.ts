/**
 * Case 7, the CLI: cold start of `bank --version` and of an embedded `bank submit`, wall-clock per process; and a
 * newcomer's first run, `bank submit` in a fresh folder, which creates `.bank/bank.db` and migrates it first.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs, progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';

// By path, not through a dependency on @bank/cli: a workspace dependency's `bin` is linked at install time, before
// any build has made dist/bin.js, and pnpm warns that it cannot create it.
const BIN = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));
// Without BANK_DB or BANK_API_URL from the caller's environment: every run is embedded, on the database it names.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BANK_')));

function time(args: readonly string[], bin: string[] = [BIN], cwd?: string): number {
  const start = nowMs();
  const result = spawnSync(process.execPath, [...bin, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = nowMs() - start;
  if (result.status !== 0) throw new Error(`bank ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return ms;
}

runCase(async ({ quick, dir }) => {
  const n = quick ? 3 : 15;
  const db = join(dir, 'cli.db');
  const version = ['--version'];
  const submit = ['submit', '--name', 'Spock', '--address', '123 Enterprise Street', '--db', db];
  const bare = ['-e', '0'];
  // The default database (`.bank/bank.db` under the current folder), in a folder no run has used: created, migrated.
  const firstSubmit = ['submit', '--name', 'Spock', '--address', '123 Enterprise Street'];
  const fresh = (i: number) => {
    const folder = join(dir, `first-run-${i}`);
    mkdirSync(folder, { recursive: true });
    return folder;
  };
  time(bare, []);
  time(version);
  time(submit);
  time(firstSubmit, [BIN], fresh(0));
  const floorMs: number[] = [];
  const versionMs: number[] = [];
  const submitMs: number[] = [];
  const firstRunMs: number[] = [];
  for (let i = 0; i < n; i++) {
    floorMs.push(time(bare, []));
    versionMs.push(time(version));
    submitMs.push(time(submit));
    firstRunMs.push(time(firstSubmit, [BIN], fresh(i + 1)));
  }
  const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  progress(`cli: node -e 0 ${list(floorMs)} ms`);
  progress(`cli: --version ${list(versionMs)} ms; submit ${list(submitMs)} ms; first run ${list(firstRunMs)} ms`);
  return [
    { name: 'cli.node_floor_ms', unit: 'ms', values: floorMs },
    { name: 'cli.version_ms', unit: 'ms', values: versionMs, floor: 'cli.node_floor_ms' },
    { name: 'cli.submit_ms', unit: 'ms', values: submitMs, floor: 'cli.node_floor_ms' },
    { name: 'cli.first_run_ms', unit: 'ms', values: firstRunMs, floor: 'cli.node_floor_ms' },
  ] satisfies RawFigure[];
});
