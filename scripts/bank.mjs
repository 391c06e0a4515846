// `pnpm bank …` (from the root or packages/cli): the built `bank` binary, built first only when its sources changed.
// It runs in the folder the user ran pnpm in, so a relative `--db` means what the shell completed; the default
// database is the repository's `.bank/bank.db` (as for `pnpm demo` and `pnpm nx run cli:…`), whichever folder of the
// repository that is. `BANK_INVOKED_AS` lets `bank` print hints a user of `pnpm bank` can run.
import { join } from 'node:path';
import { ensureBuilt, ROOT, run, userFolder } from './launch.mjs';

ensureBuilt('cli', 'bank');
run('packages/cli/dist/bin.js', process.argv.slice(2), {
  cwd: userFolder(),
  env: { ...process.env, BANK_DB: process.env.BANK_DB || join(ROOT, '.bank', 'bank.db'), BANK_INVOKED_AS: 'pnpm bank' },
});
