/**
 * Case 5, memory and size: a process fills a SQLite file with 10k (quick: 2k) waiting applications and exits; a
 * fresh process opens it (runtime, `recover()`, a few reads) and reports its RSS. Then the file grows to 100k
 * (quick: 20k) and a fresh process is measured again. Also: database bytes per waiting application.
 */
import { fork } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function child<T>(file: string, args: readonly string[], execArgv: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = fork(here(file), [...args], { execArgv: [...execArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let answer: T | undefined;
    proc.on('message', (m) => (answer = m as T));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 && answer !== undefined ? resolve(answer) : reject(new Error(`${file} exited with ${code}`))));
  });
}

const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const dbBytes = (path: string) => size(path) + size(`${path}-wal`);
const MiB = 1024 * 1024;

runCase(async ({ quick, runs, dir }) => {
  const small = quick ? 1_000 : 10_000;
  const large = quick ? 10_000 : 100_000;
  const path = join(dir, 'memory.db');
  const rssAt = async (count: number) => {
    const args = count === 0 ? [join(dir, 'memory-empty.db'), 'empty'] : [path];
    await child('./memory-open.js', args, ['--expose-gc']); // warm-up (page cache, compile cache)
    const values: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const { rss } = await child<{ rss: number }>('./memory-open.js', args, ['--expose-gc']);
      values.push(rss / MiB);
    }
    progress(`memory: RSS after restart with ${count} waiting: ${values.map((v) => v.toFixed(1)).join(', ')} MiB`);
    return values;
  };
  const fill = async (count: number) => {
    const { seconds } = await child<{ seconds: number }>('./memory-fill.js', [path, String(count)]);
    progress(`memory: created ${count} waiting applications in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s)`);
  };
  const rssEmpty = await rssAt(0);
  await fill(small);
  const rssSmall = await rssAt(small);
  const bytesSmall = dbBytes(path);
  await fill(large - small);
  const rssLarge = await rssAt(large);
  const bytesLarge = dbBytes(path);
  // Bytes per application at each size, and of the growth between them (what one more application costs).
  const perApp = [bytesSmall / small, bytesLarge / large, (bytesLarge - bytesSmall) / (large - small)];
  progress(`memory: database ${(bytesLarge / MiB).toFixed(1)} MiB for ${large}: ${perApp.map((v) => v.toFixed(0)).join(', ')} bytes/app`);
  return [
    { name: 'memory.rss_empty', unit: 'MiB', values: rssEmpty },
    { name: 'memory.rss_10k', unit: 'MiB', values: rssSmall, floor: 'memory.rss_empty' },
    { name: 'memory.rss_100k', unit: 'MiB', values: rssLarge, floor: 'memory.rss_10k' },
    { name: 'memory.db_bytes_per_app', unit: 'bytes', values: perApp },
  ] satisfies RawFigure[];
});
