// Maps between the Application record and the columns of the SQL stores (SQLite and Postgres share the shape).
import type { Application } from '../application.js';
import type { ExecutionCommit } from './store.js';

/** The columns of one `applications` row, as the SQL adapters read and write them. */
export interface ApplicationRow {
  id: string;
  state: string;
  name: string;
  address: string;
  checks: string | null;
  reason: string | null;
  review: string | null;
  task_token: string | null;
  status: string;
  execution: string;
  version: number;
  due_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Builds the row values (less `version` and `due_at`) of an application. */
export function toRow(a: Application): Omit<ApplicationRow, 'version' | 'due_at'> {
  const { status, ...execution } = a.execution;
  return {
    id: a.id,
    state: a.state,
    name: a.name,
    address: a.address,
    checks: a.checks ? JSON.stringify(a.checks) : null,
    reason: a.reason ?? null,
    review: a.review ? JSON.stringify(a.review) : null,
    task_token: a.taskToken ?? null,
    status,
    execution: JSON.stringify(execution),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

/** Rebuilds an application from its row. */
export function fromRow(row: ApplicationRow): Application {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    state: row.state as Application['state'],
    ...(row.checks === null ? {} : { checks: JSON.parse(row.checks) as NonNullable<Application['checks']> }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.task_token === null ? {} : { taskToken: row.task_token }),
    ...(row.review === null ? {} : { review: JSON.parse(row.review) as NonNullable<Application['review']> }),
    execution: { status: row.status as Application['execution']['status'], ...(JSON.parse(row.execution) as object) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The parameters of the SQLite-dialect INSERT of a new application (SQLite and D1 share the statement):
 * every column but `version` (1) in table order, with the due time.
 */
export function insertParameters(row: ReturnType<typeof toRow>, c: ExecutionCommit): unknown[] {
  return [
    row.id,
    row.state,
    row.name,
    row.address,
    row.checks,
    row.reason,
    row.review,
    row.task_token,
    row.status,
    row.execution,
    c.dueAt,
    row.created_at,
    row.updated_at,
  ];
}

/** The parameters of the version-checked UPDATE of a step (SQLite and D1): the changed columns, then id and expected version. */
export function updateParameters(row: ReturnType<typeof toRow>, c: ExecutionCommit): unknown[] {
  return [
    row.state,
    row.checks,
    row.reason,
    row.review,
    row.task_token,
    row.status,
    row.execution,
    c.dueAt,
    row.updated_at,
    row.id,
    c.expectedVersion,
  ];
}
