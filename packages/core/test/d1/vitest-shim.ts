// Stands in for `vitest` inside workerd, where Vitest itself cannot run (it needs Node): `describe`, `it` and the hooks
// register tests that the contract worker runs one at a time on request, and `expect` is Vitest's own assertion
// library (@vitest/expect, the matchers `expect` has under Vitest), so the shared store contract runs unchanged.
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  chai,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
  type ExpectStatic,
} from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;

interface Scope {
  readonly names: readonly string[];
  readonly parent: Scope | undefined;
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
}

interface RegisteredTest {
  readonly name: string;
  readonly scope: Scope;
  readonly fn: Fn;
}

const root: Scope = { names: [], parent: undefined, beforeEach: [], afterEach: [] };
let current = root;
const registered = new Map<string, RegisteredTest>();

/** Groups tests under a name, as Vitest's `describe` does. */
export function describe(name: string, fn: () => void): void {
  const parent = current;
  current = { names: [...parent.names, name], parent, beforeEach: [], afterEach: [] };
  try {
    fn();
  } finally {
    current = parent;
  }
}

/** Registers a test; its full name (the describe names and its own, joined by ` > `) must be unique. */
export function it(name: string, fn: Fn): void {
  const full = [...current.names, name].join(' > ');
  if (registered.has(full)) throw new Error(`duplicate test name: ${full}`);
  registered.set(full, { name: full, scope: current, fn });
}

export const test = it;

/** Runs `fn` before each test of the enclosing describe. */
export function beforeEach(fn: Fn): void {
  current.beforeEach.push(fn);
}

/** Runs `fn` after each test of the enclosing describe. */
export function afterEach(fn: Fn): void {
  current.afterEach.push(fn);
}

const expectFn = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as ExpectStatic;
Object.assign(expectFn, chai.expect);
Object.assign(expectFn, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState(
  {
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
    currentTestName: '',
  },
  expectFn,
);

/** Vitest's `expect`, from @vitest/expect. */
export const expect = expectFn;

/** The full names of every registered test, in registration order. */
export const testNames = (): string[] => [...registered.keys()];

/** Runs one registered test with its hooks (outer `beforeEach` first, inner `afterEach` first); rejects as it fails. */
export async function runTest(name: string): Promise<void> {
  const entry = registered.get(name);
  if (!entry) throw new Error(`no such test: ${name}`);
  const scopes: Scope[] = [];
  for (let scope: Scope | undefined = entry.scope; scope; scope = scope.parent) scopes.unshift(scope);
  let failure: unknown;
  let failed = false;
  try {
    for (const scope of scopes) for (const hook of scope.beforeEach) await hook();
    await entry.fn();
  } catch (e) {
    failed = true;
    failure = e;
  }
  for (const scope of [...scopes].reverse()) {
    for (const hook of scope.afterEach) {
      try {
        await hook();
      } catch (e) {
        if (!failed) {
          failed = true;
          failure = e;
        }
      }
    }
  }
  if (failed) throw failure;
}
