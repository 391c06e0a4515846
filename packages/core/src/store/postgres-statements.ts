// The SQL of the Postgres store, built once per schema. A settled step is ONE statement: data-modifying CTEs write the
// row, the snapshot, the history, the idempotency key and the wake-up together, and each of them reads from the CTE
// that wrote the row, so when the version check (or the id, or the key) loses, the statement writes nothing at all and
// says so in its result: a lost race is a count of 0, not an error. Those CTEs all see the snapshot the statement
// started with and not each other's rows, which is why nothing in them reads what another one writes: history is
// numbered from the `last_seq` the row update returns (under the row lock), not from MAX(seq).
import type { ExecutionCommit } from './store.js';
import { quoteIdentifier } from './postgres-schema.js';

/** A statement's text and the order of its named parameters. */
export interface Statement {
  readonly text: string;
  readonly names: readonly string[];
}

/** Builds a statement whose parameters are written `${p('name')}`: each name gets one number, however often it is used. */
function statement(build: (p: (name: string) => string) => string): Statement {
  const names: string[] = [];
  const text = build((name) => {
    const index = names.indexOf(name);
    return `$${index === -1 ? names.push(name) : index + 1}`;
  });
  return { text: text.replace(/\s+/g, ' ').trim(), names };
}

/** The values of a statement's parameters, in order; a missing value is a programming error, not a NULL. */
export function parameters(statement: Statement, values: Readonly<Record<string, string | number | null>>): (string | number | null)[] {
  return statement.names.map((name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for parameter ${name}`);
    return value;
  });
}

/** A Postgres array literal of text (`{"a","b\"c"}`), passed as one parameter and cast with `::text[]`. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** The named parameter values of a step, shared by the create and update statements. */
export function stepValues(
  c: ExecutionCommit,
  channel: string,
  row: Record<string, string | null>,
): Record<string, string | number | null> {
  return {
    ...row,
    version: c.expectedVersion,
    due_at: c.dueAt,
    machine_version: c.machineVersion,
    snapshot: JSON.stringify(c.snapshot),
    event_ats: textArray(c.events.map((e) => e.at)),
    event_types: textArray(c.events.map((e) => e.type)),
    event_data: textArray(c.events.map((e) => JSON.stringify(e.data))),
    key: c.idempotency?.key ?? null,
    request_hash: c.idempotency?.requestHash ?? null,
    channel,
  };
}

/** Every statement of a store on one schema. */
export interface PostgresStatements {
  /** Creates an application (version 1) with its snapshot, history and idempotency key; returns `written`, `key_taken`. */
  readonly create: Statement;
  /** Moves an application from `version` to version + 1 with its snapshot, history and due time; returns `written`. */
  readonly update: Statement;
  readonly load: Statement;
  readonly get: Statement;
  readonly listAll: Statement;
  readonly listState: Statement;
  readonly listStatus: Statement;
  readonly listStateStatus: Statement;
  readonly history: Statement;
  readonly findKey: Statement;
  /** The due ids, earliest first, leased or not (no claim). */
  readonly due: Statement;
  /** Leases up to `limit` due ids to `owner` until `until`, skipping live leases of others and rows locked right now. */
  readonly claim: Statement;
  readonly nextDue: Statement;
  /** Fails an execution without reading its JSON, with one history event. */
  readonly quarantine: Statement;
  readonly probe: Statement;
}

/** Builds the statements of a store on `schema`. */
export function createPostgresStatements(schema: string): PostgresStatements {
  const s = quoteIdentifier(schema);
  // The events of a step, as rows (at, type, data, n) with n = 1, 2, 3…
  const events = (p: (name: string) => string) =>
    `unnest(${p('event_ats')}::text[], ${p('event_types')}::text[], ${p('event_data')}::text[]) WITH ORDINALITY AS e (at, type, data, n)`;
  // pg_notify in a CTE runs only if the final SELECT reads the CTE; NOTIFY is delivered when the transaction commits.
  const tail = (p: (name: string) => string, from: string) => `
    idem AS (
      INSERT INTO ${s}.idempotency_keys (key, request_hash, application_id, created_at)
      SELECT ${p('key')}::text, ${p('request_hash')}::text, id, created_at FROM ${from} WHERE ${p('key')}::text IS NOT NULL
    ),
    wake AS (SELECT pg_notify(${p('channel')}::text, ${p('due_at')}::text) FROM ${from} WHERE ${p('due_at')}::text IS NOT NULL)
    SELECT (SELECT count(*) FROM ${from})::int AS written, (SELECT count(*) FROM wake)::int AS woken,
      EXISTS (SELECT 1 FROM ${s}.idempotency_keys WHERE key = ${p('key')}::text) AS key_taken`;
  // A key used before is refused up front; a key being used by a concurrent, uncommitted statement slips past this
  // check, and then the key's primary key refuses it (23505 → conflict), which rolls back the whole statement.
  const keyFree = (p: (name: string) => string) => `NOT EXISTS (SELECT 1 FROM ${s}.idempotency_keys WHERE key = ${p('key')}::text)`;
  const columns =
    'a.id, a.state, a.name, a.address, a.checks, a.reason, a.review, a.task_token, a.status, a.execution, a.version, a.due_at, a.created_at, a.updated_at';
  const list = (filter: (p: (name: string) => string) => string) =>
    statement(
      (
        p,
      ) => `SELECT ${columns} FROM ${s}.applications a WHERE ${filter(p)} (a.created_at, a.id) > (${p('after_created_at')}::text, ${p('after_id')}::text)
        ORDER BY a.created_at, a.id LIMIT ${p('limit')}::int`,
    );

  return {
    create: statement(
      (p) => `
      WITH ins AS (
        INSERT INTO ${s}.applications (id, state, name, address, checks, reason, review, task_token, status, execution,
          version, last_seq, due_at, created_at, updated_at)
        SELECT ${p('id')}::text, ${p('state')}::text, ${p('name')}::text, ${p('address')}::text, ${p('checks')}::text,
          ${p('reason')}::text, ${p('review')}::text, ${p('task_token')}::text, ${p('status')}::text, ${p('execution')}::text,
          1, cardinality(${p('event_types')}::text[]), ${p('due_at')}::text, ${p('created_at')}::text, ${p('updated_at')}::text
        WHERE ${keyFree(p)}
        ON CONFLICT (id) DO NOTHING
        RETURNING id, last_seq, created_at
      ),
      snap AS (
        INSERT INTO ${s}.snapshots (application_id, machine_version, snapshot)
        SELECT id, ${p('machine_version')}::int, ${p('snapshot')}::text FROM ins
      ),
      hist AS (
        INSERT INTO ${s}.history (application_id, seq, at, type, data)
        SELECT ins.id, e.n::int, e.at, e.type, e.data FROM ins, ${events(p)}
      ),
      ${tail(p, 'ins')}`,
    ),
    update: statement(
      (p) => `
      WITH upd AS (
        UPDATE ${s}.applications SET state = ${p('state')}::text, checks = ${p('checks')}::text, reason = ${p('reason')}::text,
          review = ${p('review')}::text, task_token = ${p('task_token')}::text, status = ${p('status')}::text,
          execution = ${p('execution')}::text, version = version + 1, last_seq = last_seq + cardinality(${p('event_types')}::text[]),
          due_at = ${p('due_at')}::text, lease_owner = NULL, lease_until = NULL, updated_at = ${p('updated_at')}::text
        WHERE id = ${p('id')}::text AND version = ${p('version')}::int AND ${keyFree(p)}
        RETURNING id, last_seq, created_at
      ),
      snap AS (
        INSERT INTO ${s}.snapshots (application_id, machine_version, snapshot)
        SELECT id, ${p('machine_version')}::int, ${p('snapshot')}::text FROM upd
        ON CONFLICT (application_id) DO UPDATE SET machine_version = excluded.machine_version, snapshot = excluded.snapshot
      ),
      hist AS (
        INSERT INTO ${s}.history (application_id, seq, at, type, data)
        SELECT upd.id, upd.last_seq - cardinality(${p('event_types')}::text[]) + e.n::int, e.at, e.type, e.data FROM upd, ${events(p)}
      ),
      ${tail(p, 'upd')}`,
    ),
    load: statement(
      (p) => `SELECT ${columns}, s.machine_version, s.snapshot FROM ${s}.applications a
        JOIN ${s}.snapshots s ON s.application_id = a.id WHERE a.id = ${p('id')}::text`,
    ),
    get: statement((p) => `SELECT ${columns} FROM ${s}.applications a WHERE a.id = ${p('id')}::text`),
    listAll: list(() => ''),
    listState: list((p) => `a.state = ${p('state')}::text AND`),
    listStatus: list((p) => `a.status = ${p('status')}::text AND`),
    listStateStatus: list((p) => `a.state = ${p('state')}::text AND a.status = ${p('status')}::text AND`),
    history: statement((p) => `SELECT seq, at, type, data FROM ${s}.history WHERE application_id = ${p('id')}::text ORDER BY seq`),
    findKey: statement((p) => `SELECT request_hash, application_id FROM ${s}.idempotency_keys WHERE key = ${p('key')}::text`),
    due: statement((p) => `SELECT id FROM ${s}.applications WHERE due_at <= ${p('at')}::text ORDER BY due_at, id LIMIT ${p('limit')}::int`),
    claim: statement(
      (p) => `
      WITH picked AS (
        SELECT id FROM ${s}.applications
        WHERE due_at <= ${p('at')}::text
          AND (lease_until IS NULL OR lease_until <= ${p('at')}::text OR lease_owner = ${p('owner')}::text)
        ORDER BY due_at, id LIMIT ${p('limit')}::int
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${s}.applications a SET lease_owner = ${p('owner')}::text, lease_until = ${p('until')}::text
      FROM picked WHERE a.id = picked.id
      RETURNING a.id, a.due_at`,
    ),
    // MIN(GREATEST(due_at, lease_until)), as two index-ordered probes: the earliest due row not leased past its due
    // time, and the earliest lease that ends after its row's due time.
    nextDue: statement(
      () => `SELECT LEAST(
        (SELECT due_at FROM ${s}.applications WHERE due_at IS NOT NULL AND (lease_until IS NULL OR lease_until <= due_at)
          ORDER BY due_at LIMIT 1),
        (SELECT lease_until FROM ${s}.applications WHERE lease_until IS NOT NULL AND due_at IS NOT NULL AND lease_until > due_at
          ORDER BY lease_until LIMIT 1)
      ) AS at`,
    ),
    quarantine: statement(
      (p) => `
      WITH upd AS (
        UPDATE ${s}.applications SET status = 'FAILED', execution = ${p('execution')}::text, due_at = NULL, lease_owner = NULL,
          lease_until = NULL, version = version + 1, last_seq = last_seq + 1, updated_at = ${p('at')}::text
        WHERE id = ${p('id')}::text
        RETURNING id, last_seq
      ),
      hist AS (
        INSERT INTO ${s}.history (application_id, seq, at, type, data)
        SELECT id, last_seq, ${p('at')}::text, 'execution.quarantined', ${p('data')}::text FROM upd
      )
      SELECT (SELECT count(*) FROM upd)::int AS written`,
    ),
    probe: statement(
      (p) => `INSERT INTO ${s}.store_probe (id, at) VALUES (1, ${p('at')}::text) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
    ),
  };
}
