// `pnpm serve`: the HTTP API (packages/api/dist/serve.js, configured by environment variables), built first only
// when its sources changed. Unlike `pnpm nx run api:serve`, Ctrl-C reaches the server and nothing else decides the
// outcome: it logs `stopping`, finishes the requests in flight, logs `stopped` and exits 0. Nx cannot give that: on
// SIGINT it silences its own output (the server's log goes through it), stops the server with SIGTERM and exits 130.
// Runs in the repository root, as the Nx target does, so the default database is the repository's `.bank/bank.db`.
import { ensureBuilt, ROOT, run } from './launch.mjs';

ensureBuilt('api', 'serve');
run('packages/api/dist/serve.js', process.argv.slice(2), { cwd: ROOT, env: process.env });
