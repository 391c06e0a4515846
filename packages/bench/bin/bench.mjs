#!/usr/bin/env node
// `pnpm bench [--quick] [--json] [--case …]` from the repository root. There is deliberately no root script
// named `bench`: pnpm then runs this binary directly (its exec fallback), without the "> pkg@version" banner
// it prints on stdout for scripts, so `--json` leaves exactly one JSON document on stdout. Builds first, with
// the build's output on stderr.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const build = spawnSync('pnpm', ['nx', 'run-many', '-t', 'build', 'bundle-edge', '--outputStyle=static'], {
  cwd: root,
  stdio: ['ignore', 2, 2],
});
if (build.status !== 0) {
  process.stderr.write(`bench: the build failed (exit ${build.status ?? build.signal}); see above\n`);
  process.exit(1);
}
await import('../dist/main.js');
