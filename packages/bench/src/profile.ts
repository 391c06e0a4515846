/**
 * The hottest path under a profiler: `pnpm --filter @bank/bench cpu-profile` runs durable sequential submits (the
 * engine case) under `node --cpu-prof`, then prints the functions with the most self time.
 * Usage: `node --cpu-prof --cpu-prof-dir=<dir> dist/profile.js [count]`, then `node dist/profile-summary.js <dir>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'bank-profile-'));
const runtime = createRuntime({ store: createSqliteStore({ path: join(dir, 'profile.db') }) });
const start = performance.now();
for (let i = 0; i < count; i++) await runtime.submit({ name: 'Spock', address: '123 Enterprise Street' });
const seconds = (performance.now() - start) / 1000;
await runtime.close();
rmSync(dir, { recursive: true, force: true });
process.stderr.write(`profiled ${count} durable sequential submits: ${(count / seconds).toFixed(0)}/s\n`);
