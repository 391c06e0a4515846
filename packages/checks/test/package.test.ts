// Installs the packed tarball into a fresh project with plain npm, as a user would, and uses it from
// an ESM script and from TypeScript. Needs a build first (the `test` target depends on `build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with the check-package target, without types
import { packPackage } from '../../../scripts/pack.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let project: string;
let files: string[];

beforeAll(() => {
  const packed = packPackage(packageDir) as { path: string; files: string[] };
  files = packed.files;
  project = mkdtempSync(join(tmpdir(), 'bank-checks-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.path], { cwd: project, stdio: 'pipe' });
  rmSync(dirname(packed.path), { recursive: true, force: true });
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the published @bank/checks package', () => {
  it('contains the build, README and LICENSE, and no tests, sources or source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md', 'package/LICENSE']),
    );
    expect(files.filter((f) => /\.test\.|\.map$|\/src\//.test(f))).toStrictEqual([]);
  });

  it('publishes exports without the workspace-only source condition', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/@bank/checks/package.json'), 'utf8')) as { exports: object };
    expect(JSON.stringify(manifest.exports)).not.toContain('@bank/source');
  });

  it('works from an ESM script under plain Node', () => {
    writeFileSync(
      join(project, 'index.mjs'),
      `import { checkName, checkAddress, runDataCheck, parseApplicationInput, isUnprocessableDataError, findUnprintable } from '@bank/checks';
let unprocessable = false;
try { checkName('UNPROCESSABLE_DATA'); } catch (e) { unprocessable = isUnprocessableDataError(e); }
let invalid = '';
try { parseApplicationInput({ name: '', address: 1 }); } catch (e) { invalid = e.code; }
console.log(JSON.stringify({
  spock: runDataCheck({ command: 'CHECK_NAME', data: { name: 'Spock' } }),
  address: checkAddress('ABadAddress').flagged,
  unprocessable,
  invalid,
  unprintable: findUnprintable('Gabe\\u0000'),
}));`,
    );
    const out = execFileSync(process.execPath, ['index.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toStrictEqual({
      spock: { flagged: false },
      address: true,
      unprocessable: true,
      invalid: 'invalid_input',
      unprintable: { position: 5, codePoint: 0, kind: 'control_character' },
    });
  });

  it('type-checks from TypeScript, and rejects wrong use', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: [] },
        include: ['*.ts'],
      }),
    );
    writeFileSync(
      join(project, 'good.ts'),
      `import { ApplicationInputSchema, checkName, type ApplicationInput, type CheckResult } from '@bank/checks';
const input: ApplicationInput = ApplicationInputSchema.parse({ name: 'Spock', address: '1 Main' });
const result: CheckResult = checkName(input.name);
const flagged: boolean = result.flagged;
export { flagged };`,
    );
    execFileSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: project, stdio: 'pipe' });

    writeFileSync(join(project, 'bad.ts'), `import { checkName } from '@bank/checks';\ncheckName(42);\n`);
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: project, encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout);
    }
    expect(output).toContain("bad.ts(2,11): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.");
    rmSync(join(project, 'bad.ts'));
  });
});
