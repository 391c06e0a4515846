// The `pnpm bank` launcher's staleness rule, on a tree of its own: a rebuild here must never touch the real dist/
// folders the other suites are running from.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script of the repository, without types
import { staleReason } from '../../../scripts/launch.mjs';

const stale = staleReason as (project: 'api' | 'cli', root: string) => string | undefined;

let root: string;
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Writes `path` under the fake repository with the given modification time. */
function file(path: string, time: Date): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, '');
  utimesSync(full, time, time);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bank-launch-'));
  file('tsconfig.base.json', at(0));
  for (const name of ['checks', 'core', 'api', 'cli']) {
    file(`packages/${name}/package.json`, at(0));
    file(`packages/${name}/tsconfig.lib.json`, at(0));
    file(`packages/${name}/src/index.ts`, at(1));
    file(`packages/${name}/dist/index.js`, at(2));
  }
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the launcher builds only when needed', () => {
  it('runs what is built and newer than its sources', () => {
    expect(stale('cli', root)).toBeUndefined();
    expect(stale('api', root)).toBeUndefined();
  });

  it('builds a package with no dist/ first', () => {
    rmSync(join(root, 'packages/core/dist'), { recursive: true });
    expect(stale('cli', root)).toBe('packages/core is not built');
  });

  it('builds after a source, a package.json or the shared tsconfig changed; the cli only for the cli', () => {
    file('packages/core/src/graph/svg.ts', at(3));
    expect(stale('cli', root)).toBe('packages/core changed since its last build');
    file('packages/core/dist/index.js', at(4));
    file('packages/cli/package.json', at(5));
    expect(stale('cli', root)).toBe('packages/cli changed since its last build');
    expect(stale('api', root)).toBeUndefined();
    file('packages/cli/dist/index.js', at(6));
    file('tsconfig.base.json', at(7));
    expect(stale('api', root)).toBe('packages/checks changed since its last build');
  });

  it('ignores tests and test helpers, which are not built', () => {
    file('packages/core/src/runtime/runtime.test.ts', at(3));
    file('packages/core/src/testing/helpers.ts', at(3));
    expect(stale('cli', root)).toBeUndefined();
  });

  it("counts a build from its stamp when Nx left identical outputs' times alone", () => {
    file('packages/api/src/app.ts', at(3));
    expect(stale('cli', root)).toBe('packages/api changed since its last build');
    file('node_modules/.cache/bank-launch/cli.built', at(4));
    expect(stale('cli', root)).toBeUndefined();
  });
});
