/** A mistake in how the command was called; exits 64 with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
