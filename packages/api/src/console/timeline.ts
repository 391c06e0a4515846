import type { HistoryEvent } from '@bank/core';
import { formatTime } from './format.js';
import { html, type Html } from './layout.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One history event in words a reviewer reads: what happened, with the reason or decision it carries. */
export function describeEvent(event: HistoryEvent): string {
  const d = event.data;
  const check = text(d['check']);
  const result = d['result'] as { flagged?: boolean; reason?: string } | undefined;
  const error = d['error'] as { name?: string; message?: string } | undefined;
  switch (event.type) {
    case 'execution.started':
      return 'Submitted; the workflow started.';
    case 'state.entered':
      return `Entered ${text(d['state']) ?? 'a state'}.`;
    case 'check.succeeded':
      return result?.flagged ? `The ${check} check flagged it: ${result.reason ?? 'no reason given'}` : `The ${check} check passed.`;
    case 'check.failed':
      return `The ${check} check failed (attempt ${String(d['attempt'] ?? '?')}): ${error?.message ?? 'unknown error'}`;
    case 'task_token.issued':
      return 'Waiting for a reviewer.';
    case 'review.received': {
      const by = text(d['reviewer']);
      const note = text(d['note']);
      return `${text(d['decision']) ?? 'A decision'} by ${by ?? 'a reviewer'}.${note === undefined ? '' : ` Note: ${note}`}`;
    }
    case 'execution.succeeded':
      return `Finished: ${text(d['state']) ?? ''}.`;
    case 'execution.failed':
      return `The execution failed: ${error?.message ?? 'see the API for details'}`;
    case 'execution.quarantined':
      return `Set aside (quarantined): ${text(d['reason']) ?? 'it could not be loaded'}`;
    case 'execution.redriven':
      return 'Redriven by an operator.';
    default:
      return event.type;
  }
}

/** The history as a timeline: an ordered list of events, each with its time. */
export function timeline(history: readonly HistoryEvent[]): Html {
  return html`<ol class="timeline">
    ${history.map((event) => html`<li>${formatTime(event.at)}${describeEvent(event)}</li> `)}
  </ol>`;
}
