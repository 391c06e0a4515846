import type { Application, HistoryEvent } from '../application.js';
import { DomainError } from '../errors.js';
import type { ExecutionCommit, IdempotencyRecord, ListQuery, Store, StoredExecution } from './store.js';

interface Row {
  readonly application: string; // JSON, so tests see the same round trip as a real backend
  readonly version: number;
  readonly machineVersion: number;
  readonly snapshot: string;
  readonly dueAt: string | null;
}

/** A store in memory, for unit tests and trying things out; it passes the same contract as SQLite. */
export function createMemoryStore(): Store {
  const rows = new Map<string, Row>();
  const histories = new Map<string, HistoryEvent[]>();
  const keys = new Map<string, IdempotencyRecord>();
  let closed = false;

  const open = () => {
    if (closed) throw new DomainError('store_unavailable', 'the store is closed');
  };
  const app = (row: Row) => JSON.parse(row.application) as Application;

  // Checks everything first, then writes, with no await in between: the commit is atomic.
  function apply(commit: ExecutionCommit): void {
    const id = commit.application.id;
    const current = rows.get(id);
    if ((current?.version ?? 0) !== commit.expectedVersion) {
      throw new DomainError('conflict', `application ${id} changed concurrently`);
    }
    if (commit.idempotency && keys.has(commit.idempotency.key)) {
      throw new DomainError('conflict', 'idempotency key already used');
    }
    rows.set(id, {
      application: JSON.stringify(commit.application),
      version: commit.expectedVersion + 1,
      machineVersion: commit.machineVersion,
      snapshot: JSON.stringify(commit.snapshot),
      dueAt: commit.dueAt,
    });
    const history = histories.get(id) ?? [];
    for (const event of commit.events) history.push({ seq: history.length + 1, ...JSON.parse(JSON.stringify(event)) });
    histories.set(id, history);
    if (commit.idempotency) keys.set(commit.idempotency.key, { requestHash: commit.idempotency.requestHash, applicationId: id });
  }

  return {
    async load(id): Promise<StoredExecution | undefined> {
      open();
      const row = rows.get(id);
      if (!row) return undefined;
      return {
        application: app(row),
        version: row.version,
        machineVersion: row.machineVersion,
        snapshot: JSON.parse(row.snapshot),
        dueAt: row.dueAt,
      };
    },
    async commit(commit) {
      open();
      apply(commit);
    },
    async commitMany(commits) {
      open();
      return commits.map((commit) => {
        try {
          apply(commit);
          return null;
        } catch (e) {
          return e as Error;
        }
      });
    },
    async get(id) {
      open();
      const row = rows.get(id);
      return row ? app(row) : undefined;
    },
    async list({ state, status, limit, after }: ListQuery) {
      open();
      return [...rows.values()]
        .map(app)
        .filter((a) => state === undefined || a.state === state)
        .filter((a) => status === undefined || a.execution.status === status)
        .filter((a) => !after || a.createdAt > after.createdAt || (a.createdAt === after.createdAt && a.id > after.id))
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
        .slice(0, limit);
    },
    async history(id) {
      open();
      return structuredClone(histories.get(id) ?? []);
    },
    async findIdempotencyKey(key) {
      open();
      return keys.get(key);
    },
    async due(at, limit) {
      open();
      return [...rows.entries()]
        .filter(([, row]) => row.dueAt !== null && row.dueAt <= at)
        .sort(([, a], [, b]) => (a.dueAt! < b.dueAt! ? -1 : a.dueAt! > b.dueAt! ? 1 : 0))
        .slice(0, limit)
        .map(([id]) => id);
    },
    async nextDueAt() {
      open();
      let next: string | undefined;
      for (const row of rows.values()) if (row.dueAt !== null && (next === undefined || row.dueAt < next)) next = row.dueAt;
      return next;
    },
    async quarantine({ id, reason, at }) {
      open();
      const row = rows.get(id);
      if (!row) return false;
      // Rebuilt from the raw JSON text only where it still parses: the point is to work on a damaged row.
      let application: Record<string, unknown>;
      try {
        application = JSON.parse(row.application) as Record<string, unknown>;
      } catch {
        application = { id };
      }
      application.execution = { status: 'FAILED', quarantined: { reason, at } };
      application.updatedAt = at;
      rows.set(id, { ...row, application: JSON.stringify(application), version: row.version + 1, dueAt: null });
      const history = histories.get(id) ?? [];
      history.push({ seq: history.length + 1, at, type: 'execution.quarantined', data: { reason } });
      histories.set(id, history);
      return true;
    },
    async ping() {
      open();
    },
    async close() {
      closed = true;
    },
  };
}
