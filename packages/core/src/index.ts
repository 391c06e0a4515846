/**
 * `@bank/core`: the bank account application workflow as an XState v5 machine with parallel check regions,
 * and the durable runtime that runs it to settled points and commits each step to a store.
 * The SQLite store is a Node-only subpath: `@bank/core/sqlite`.
 * @module
 */
export {
  createRuntime,
  type ListOptions,
  type ReviewOptions,
  type Runtime,
  type RuntimeOptions,
  type SubmitOptions,
} from './runtime/runtime.js';
export {
  createApplicationMachine,
  MACHINE_VERSION,
  type ApplicationMachine,
  type ApplicationMachineOptions,
} from './machine/application-machine.js';
export { CheckTimeoutError, InvalidCheckResultError, toCheckResult } from './machine/check-actor.js';
export {
  APPLICATION_STATES,
  CHECK_NAMES,
  type ApplicationContext,
  type ApplicationEmitted,
  type ApplicationEvent,
  type ApplicationState,
  type CheckContext,
  type CheckFn,
  type CheckFns,
  type CheckName,
  type RecordedError,
  type RecordedReview,
  type ReviewDecision,
} from './machine/types.js';
export {
  EXECUTION_STATUSES,
  type Application,
  type ApplicationPage,
  type ExecutionInfo,
  type ExecutionStatus,
  type HistoryEvent,
} from './application.js';
export { describeWorkflow, type WorkflowDescription, type WorkflowEdge, type WorkflowNode } from './graph/describe.js';
export { applicationPath, type ApplicationPath, type NodeMark } from './graph/path.js';
export { renderApplicationSvg, renderWorkflowSvg } from './graph/svg.js';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryDelayMs, type RetryPolicy } from './retry-policy.js';
export { createFakeClock, systemClock, type Clock, type FakeClock } from './clock.js';
export { DomainError, ERROR_CODES, isDomainError, isRetryableCode, parseInput, toDomainError, type ErrorCode } from './errors.js';
export { createMemoryStore } from './store/memory-store.js';
export type {
  DueClaim,
  ExecutionCommit,
  IdempotencyRecord,
  ListQuery,
  NewHistoryEvent,
  Quarantine,
  Store,
  StoredExecution,
} from './store/store.js';
export {
  ApplicationStateSchema,
  DEFAULT_PAGE_SIZE,
  IdempotencyKeySchema,
  ListQuerySchema,
  MAX_PAGE_SIZE,
  ReviewDecisionSchema,
  ReviewOptionsSchema,
} from './runtime/schemas.js';
export { isSettled } from './runtime/settle.js';
