// A clean install, as the README's quick start runs it, prints nothing that looks like a failure: no pnpm `WARN`
// (such as a bin it could not link to a dist/ not built yet) and no "Ignored build scripts" box. The repository as it
// is now (tracked and new files, not ignored ones) is copied to an empty folder and installed from the warm store.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pnpm, ROOT } from './pnpm.js';

const copy = mkdtempSync(join(tmpdir(), 'bank-install-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('a clean install', () => {
  it('prints no warning', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      mkdirSync(join(copy, dirname(file)), { recursive: true });
      try {
        cpSync(join(ROOT, file), join(copy, file));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the working tree, not yet in git
      }
    }
    const { command, args, env } = pnpm();
    const install = spawnSync(command, [...args, 'install', '--frozen-lockfile', '--offline'], {
      cwd: copy,
      env: { ...env, CI: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = `${install.stdout}${install.stderr}`;
    expect(install.status, output).toBe(0);
    expect(output).toContain('Done in');
    expect(output).not.toMatch(/WARN|Warning|Ignored build scripts|Failed to create bin/i);
  });
});
