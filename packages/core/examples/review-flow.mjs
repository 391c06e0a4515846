// Submits the three reference applications on a SQLite file, reviews the flagged one, and prints each outcome.
// Run after a build: `node examples/review-flow.mjs [path/to/bank.db]` in packages/core.
import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';

const runtime = createRuntime({ store: createSqliteStore({ path: process.argv[2] ?? '.bank/example.db' }) });
await runtime.recover(); // drive anything a previous process left due

const spock = await runtime.submit({ name: 'Spock', address: '123 Enterprise Street' });
const gabe = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
const unprocessable = await runtime.submit({ name: 'UNPROCESSABLE_DATA', address: '123 Street' });
console.log(spock.state, gabe.state, unprocessable.state); // APPROVED FLAGGED_FOR_REVIEW FLAGGED_WITH_UNPROCESSABLE_DATA

const reviewed = await runtime.review(gabe.id, 'APPROVE', { reviewer: 'example' });
console.log(reviewed.state, (await runtime.history(gabe.id)).map((e) => e.type).join(' → '));
await runtime.close();
