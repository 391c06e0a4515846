import { describe, expect, it } from 'vitest';
import { invokedAs, suggestedCommand } from './invocation.js';

describe('invokedAs', () => {
  it('is pnpm bank only when the launcher says so with a known spelling, else bank', () => {
    expect(invokedAs({ BANK_INVOKED_AS: 'pnpm bank' })).toBe('pnpm bank');
    expect(invokedAs({})).toBe('bank');
    expect(invokedAs({ BANK_INVOKED_AS: 'rm -rf / ; bank' })).toBe('bank');
  });
});

describe('suggestedCommand', () => {
  it('carries the --db and --api the user chose, quoted for the shell, and never the token', () => {
    expect(suggestedCommand({ BANK_INVOKED_AS: 'pnpm bank' }, {})).toBe('pnpm bank');
    expect(suggestedCommand({}, { db: '/tmp/bank.db' })).toBe('bank --db /tmp/bank.db');
    expect(suggestedCommand({}, { db: "my apps/it's.db" })).toBe(`bank --db 'my apps/it'\\''s.db'`);
    expect(suggestedCommand({}, { api: 'http://127.0.0.1:8787', token: 's3cret' } as never)).toBe('bank --api http://127.0.0.1:8787');
  });

  it('shows control characters in a path escaped, never raw', () => {
    expect(suggestedCommand({}, { db: 'a\u001b[2Jb.db' })).toBe(`bank --db 'a\\x1B[2Jb.db'`);
  });
});
