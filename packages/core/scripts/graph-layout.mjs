// Writes src/graph/layout.generated.ts: describeWorkflow() of the default machine, laid out by elkjs
// (scripts/graph-layout.ts), formatted by prettier. Run it after changing the machine:
//   npx -y pnpm@10.34.9 nx run core:graph-layout
// esbuild bundles the TypeScript sources first (Node 20 cannot run them); elkjs stays external.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import prettier from 'prettier';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(packageDir, 'src/graph/layout.generated.ts');
const bundle = join(packageDir, 'node_modules/.cache/bank-graph-layout.mjs');

mkdirSync(dirname(bundle), { recursive: true });
await build({
  stdin: {
    contents: [
      "export { describeWorkflow } from './src/graph/describe.ts';",
      "export { layoutWorkflow, layoutModuleSource } from './scripts/graph-layout.ts';",
    ].join('\n'),
    resolveDir: packageDir,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  conditions: ['@bank/source'],
  external: ['elkjs', 'elkjs/*'],
  outfile: bundle,
  logLevel: 'warning',
});
try {
  const { describeWorkflow, layoutWorkflow, layoutModuleSource } = await import(pathToFileURL(bundle).href);
  const source = layoutModuleSource(await layoutWorkflow(describeWorkflow()));
  const options = (await prettier.resolveConfig(target)) ?? {};
  writeFileSync(target, await prettier.format(source, { ...options, filepath: target }));
  console.log(`wrote ${target}`);
} finally {
  rmSync(bundle, { force: true });
}
