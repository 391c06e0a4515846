/** The machine and versions a run was measured on. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, totalmem, type as osType, arch } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The version of an installed package, found from its entry point (so packages without a `./package.json` export work). */
function versionOf(name: string, from: NodeJS.Require = require): string | undefined {
  try {
    let dir = dirname(from.resolve(name));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version;
      } catch {
        // no package.json here: keep walking up
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  } catch {
    return undefined;
  }
}

/** Operating system, CPUs, memory, Node and the versions of the packages on the measured paths. */
export function machineInfo() {
  const cpu = cpus();
  const core = createRequire(require.resolve('@bank/core'));
  const api = createRequire(require.resolve('@bank/api'));
  return {
    os: `${osType()} ${release()} ${arch()}`,
    cpus: { model: cpu[0]?.model.trim() ?? 'unknown', count: cpu.length },
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    packages: {
      xstate: versionOf('xstate', core),
      hono: versionOf('hono', api),
      '@hono/node-server': versionOf('@hono/node-server', api),
      '@photostructure/sqlite': versionOf('@photostructure/sqlite', core),
      postgres: versionOf('postgres', core),
      zod: versionOf('zod', core),
      autocannon: versionOf('autocannon'),
    },
  };
}
