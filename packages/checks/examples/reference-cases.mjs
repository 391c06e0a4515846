// Runs the reference applications through both data checks, the way the workflow's parallel step does.
// Run it after a build: `pnpm nx run checks:demo` (or `node examples/reference-cases.mjs` in this folder).
import { checkAddress, checkName, isUnprocessableDataError, parseApplicationInput } from '@bank/checks';

const references = [
  { name: 'Spock', address: '123 Enterprise Street' },
  { name: 'Gabe', address: 'ABadAddress' },
  { name: 'UNPROCESSABLE_DATA', address: '123 Street' },
];

for (const raw of references) {
  const input = parseApplicationInput(raw);
  let outcome;
  try {
    const [name, address] = await Promise.all([checkName(input.name), checkAddress(input.address)]);
    outcome = name.flagged || address.flagged ? { state: 'FLAGGED_FOR_REVIEW', name, address } : { state: 'APPROVED', name, address };
  } catch (error) {
    if (!isUnprocessableDataError(error)) throw error;
    outcome = { state: 'FLAGGED_WITH_UNPROCESSABLE_DATA', reason: `${error.name}: ${error.message}` };
  }
  console.log(JSON.stringify({ input, ...outcome }));
}
