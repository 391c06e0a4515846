import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DomainError } from '../errors.js';
import { createPostgresProxy, createTestSchema, POSTGRES_SKIP_NOTE, TEST_DATABASE_URL } from '../testing/postgres.js';
import { classifyPostgresError, toPostgresStoreError } from './postgres-errors.js';

/** The error a promise rejects with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
const serverError = (code: string) => Object.assign(new Error(`server says ${code}`), { code, severity: 'ERROR' });

describe('postgres error classification', () => {
  it('classifies by SQLSTATE and driver code, never by message', () => {
    const cases: [unknown, string, boolean][] = [
      [serverError('23505'), 'conflict', false],
      [serverError('40001'), 'conflict', false],
      [serverError('40P01'), 'conflict', false],
      [serverError('08006'), 'store_unavailable', true],
      [serverError('57P01'), 'store_unavailable', true],
      [serverError('57P02'), 'store_unavailable', true],
      [serverError('57P03'), 'store_unavailable', true],
      [serverError('53100'), 'store_unavailable', false],
      [serverError('53300'), 'store_unavailable', false],
      [serverError('57014'), 'store_unavailable', false],
      [serverError('25006'), 'store_unavailable', false],
      [serverError('28P01'), 'store_unavailable', true],
      [serverError('3D000'), 'store_unavailable', true],
      [serverError('58030'), 'store_unavailable', false],
      [serverError('XX001'), 'store_corrupt', false],
      [serverError('XX002'), 'store_corrupt', false],
      [serverError('23502'), 'internal', false],
      [serverError('42P01'), 'internal', false],
      [Object.assign(new Error('x'), { code: 'CONNECTION_CLOSED' }), 'store_unavailable', true],
      [Object.assign(new Error('x'), { code: 'CONNECTION_DESTROYED' }), 'store_unavailable', true],
      [Object.assign(new Error('x'), { code: 'CONNECT_TIMEOUT' }), 'store_unavailable', true],
      [Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'store_unavailable', true],
      // A message that looks like trouble, without a code, is still just internal.
      [new Error('connection refused: deadlock, duplicate key, data corrupted'), 'internal', false],
      [Object.assign(new Error('x'), { code: 'XX001' }), 'internal', false], // a SQLSTATE-like code without a severity
      ['a string', 'internal', false],
      [new DomainError('not_found', 'nope'), 'not_found', false],
    ];
    expect(cases.map(([e]) => [classifyPostgresError(e).code, classifyPostgresError(e).connection])).toStrictEqual(
      cases.map(([, code, connection]) => [code, connection]),
    );
  });

  it('keeps, as the cause, a summary of a server error that classifies the same and quotes nothing', () => {
    const raw = Object.assign(serverError('57P01'), { detail: 'Failing row contains (Secret)', table_name: 'applications' });
    const error = toPostgresStoreError(raw, 'h:1/db');
    expect(classifyPostgresError(error.cause)).toStrictEqual(classifyPostgresError(raw));
    expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error.cause)}`).not.toMatch(/Secret|server says/);
  });

  it('keeps a DomainError as it is', () => {
    const error = new DomainError('conflict', 'lost');
    expect(toPostgresStoreError(error, 'h:1/db')).toBe(error);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`postgres error classification, with real errors${POSTGRES_SKIP_NOTE}`, () => {
  let sql: postgres.Sql;
  beforeAll(async () => {
    sql = postgres(TEST_DATABASE_URL!, { max: 3, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
  });
  const classify = async (promise: Promise<unknown>) => {
    const error = await rejection(promise);
    const domain = toPostgresStoreError(error, '127.0.0.1:5432/test');
    return { code: domain.code, message: domain.message, cause: `${String(domain.cause)} ${JSON.stringify(domain.cause)}` };
  };

  it('turns a real unique violation into conflict', async () => {
    const result = await classify(
      sql.begin(async (tx) => {
        await tx`CREATE TEMP TABLE t (id text PRIMARY KEY)`;
        await tx`INSERT INTO t VALUES ('Secret Name')`;
        await tx`INSERT INTO t VALUES ('Secret Name')`;
      }),
    );
    expect(result.code).toBe('conflict');
    expect(`${result.message} ${result.cause}`).not.toMatch(/Secret/);
  });

  it('turns a real deadlock into conflict', async () => {
    const schema = await createTestSchema();
    onTestFinished(() => schema.drop());
    const table = `"${schema.schema}".rows`;
    await sql.unsafe(`CREATE TABLE ${table} (id int PRIMARY KEY); INSERT INTO ${table} VALUES (1), (2)`);
    let release!: () => void;
    const both = new Promise<void>((resolve) => (release = resolve));
    let locked = 0;
    const lockInOrder = (first: number, second: number) =>
      sql.begin(async (tx) => {
        await tx.unsafe(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, [first]);
        if (++locked === 2) release();
        await both;
        await tx.unsafe(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, [second]);
      });
    const results = await Promise.allSettled([lockInOrder(1, 2), lockInOrder(2, 1)]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(classifyPostgresError(failed[0]!.reason)).toMatchObject({ code: 'conflict', connection: false });
  });

  it('turns a statement timeout and a read-only transaction into store_unavailable', async () => {
    const timedOut = await classify(
      sql.begin(async (tx) => {
        await tx`SET LOCAL statement_timeout = 10`;
        await tx`SELECT pg_sleep(1)`;
      }),
    );
    expect(timedOut.code).toBe('store_unavailable');
    const readOnly = await classify(
      sql.begin(async (tx) => {
        await tx`SET TRANSACTION READ ONLY`;
        await tx`CREATE TEMP TABLE t (id int)`;
      }),
    );
    expect(readOnly.code).toBe('store_unavailable');
    expect(readOnly.message).toMatch(/accepts no writes/);
  });

  it('turns a session ended by the server into store_unavailable', async () => {
    const victim = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    const [row] = await victim<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const pid = row!.pid;
    const sleeping = rejection(victim`SELECT pg_sleep(5)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sql`SELECT pg_terminate_backend(${pid})`;
    expect(classifyPostgresError(await sleeping)).toMatchObject({ code: 'store_unavailable', connection: true });
    await victim.end({ timeout: 0 });
  });

  it('turns bad data into internal, naming the column but quoting nothing', async () => {
    const notNull = await classify(
      sql.begin(async (tx) => {
        await tx`CREATE TEMP TABLE person (name text NOT NULL, address text)`;
        await tx`INSERT INTO person VALUES (NULL, 'Secret Street 1')`;
      }),
    );
    expect(notNull.code).toBe('internal');
    expect(notNull.message).toBe('the Postgres store failed (SQLSTATE 23502 (table person, column name))');
    expect(`${notNull.message} ${notNull.cause}`).not.toMatch(/Secret/);
    const syntax = await classify(sql`SELECT ${'Secret Value'}::int`);
    expect(syntax.code).toBe('internal');
    expect(`${syntax.message} ${syntax.cause}`).not.toMatch(/Secret/);
  });

  it('turns a refused connection, an unknown database and an unknown user into store_unavailable, without the password', async () => {
    const proxy = await createPostgresProxy();
    await proxy.cut();
    const withPassword = (url: string, changes: { database?: string; user?: string }) => {
      const u = new URL(url);
      u.password = 'hunter2-secret';
      if (changes.database) u.pathname = `/${changes.database}`;
      if (changes.user) u.username = changes.user;
      return u.toString();
    };
    for (const url of [
      withPassword(proxy.url, {}),
      withPassword(TEST_DATABASE_URL!, { database: 'bank_no_such_database' }),
      withPassword(TEST_DATABASE_URL!, { user: 'bank_no_such_user' }),
    ]) {
      const client = postgres(url, { max: 1, onnotice: () => {} });
      const error = await rejection(client`SELECT 1`);
      await client.end({ timeout: 0 });
      const failure = classifyPostgresError(error);
      expect(failure).toMatchObject({ code: 'store_unavailable', connection: true });
      const domain = toPostgresStoreError(error, 'somewhere');
      expect(`${domain.message} ${String(domain.cause)} ${JSON.stringify(domain.cause)}`).not.toMatch(/hunter2/);
    }
    await proxy.close();
  });
});
