/** Case 6, the CLI: cold start of `bank --version` and of an embedded `bank submit`, wall-clock per process. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nowMs, progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';

const require = createRequire(import.meta.url);
const BIN = join(dirname(require.resolve('@bank/cli/package.json')), 'dist', 'bin.js');

function time(args: readonly string[], bin: string[] = [BIN]): number {
  const start = nowMs();
  const result = spawnSync(process.execPath, [...bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
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
  time(bare, []);
  time(version);
  time(submit);
  const floorMs: number[] = [];
  const versionMs: number[] = [];
  const submitMs: number[] = [];
  for (let i = 0; i < n; i++) {
    floorMs.push(time(bare, []));
    versionMs.push(time(version));
    submitMs.push(time(submit));
  }
  progress(`cli: node -e 0 ${floorMs.map((v) => v.toFixed(0)).join(', ')} ms`);
  progress(`cli: --version ${versionMs.map((v) => v.toFixed(0)).join(', ')} ms; submit ${submitMs.map((v) => v.toFixed(0)).join(', ')} ms`);
  return [
    { name: 'cli.node_floor_ms', unit: 'ms', values: floorMs },
    { name: 'cli.version_ms', unit: 'ms', values: versionMs, floor: 'cli.node_floor_ms' },
    { name: 'cli.submit_ms', unit: 'ms', values: submitMs, floor: 'cli.node_floor_ms' },
  ] satisfies RawFigure[];
});
