/**
 * How the user started `bank`, for the commands the CLI suggests (`next: … approve <id>`, `see: … --help`): `pnpm
 * bank` when the repository's launcher ran it (it sets `BANK_INVOKED_AS`), else `bank`. A suggestion must be a command
 * the user can run, and someone who typed `pnpm bank` has no `bank` on their PATH. Only the few spellings a launcher
 * uses are taken: the value is printed as part of commands to copy.
 */
export function invokedAs(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.BANK_INVOKED_AS?.trim();
  return value && /^(pnpm|npm|npx|yarn)( -s| --silent)?( run| exec)? bank$/.test(value) ? value : 'bank';
}
