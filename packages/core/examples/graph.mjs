// Writes the workflow diagram and Gabe's path through it as SVG files, and prints where Gabe stands.
// Run after a build: `node examples/graph.mjs [out-dir]` in packages/core.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applicationPath, createMemoryStore, createRuntime, renderApplicationSvg, renderWorkflowSvg } from '@bank/core';

const dir = process.argv[2] ?? '.';
const runtime = createRuntime({ store: createMemoryStore() });
const gabe = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
const history = await runtime.history(gabe.id);

writeFileSync(join(dir, 'machine.svg'), renderWorkflowSvg());
writeFileSync(join(dir, 'gabe.svg'), renderApplicationSvg(gabe, history));
const path = applicationPath(gabe, history);
console.log(path.at, path.marks['pendingReview'], path.notes['checking.address.done']);
// [ 'pendingReview' ] current [ '⚑ address check flagged: Address has no house number next to a street name.' ]
await runtime.close();
