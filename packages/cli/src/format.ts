import type { Application, ApplicationPage, HistoryEvent } from '@bank/core';
import type { CheckOutcome } from './backend.js';
import { printable, printableJson } from './printable.js';

// Every value that comes from the store or a remote API goes through `printable` before it is padded or
// coloured: an old database or another server may hold control characters that a terminal would act on.

type Paint = (text: string) => string;
const ansi =
  (code: number): Paint =>
  (text) =>
    `\u001b[${code}m${text}\u001b[0m`;
const plain: Paint = (text) => text;

/** Colours for human output; all identity when colour is off (no TTY, or `NO_COLOR`). */
export function palette(color: boolean) {
  return color
    ? { green: ansi(32), yellow: ansi(33), red: ansi(31), dim: ansi(2), bold: ansi(1), cyan: ansi(36) }
    : { green: plain, yellow: plain, red: plain, dim: plain, bold: plain, cyan: plain };
}
type Palette = ReturnType<typeof palette>;

function stateColor(state: string, p: Palette): Paint {
  if (state === 'APPROVED' || state === 'REVIEW_APPROVED') return p.green;
  if (state === 'FLAGGED_FOR_REVIEW' || state === 'SUBMITTED') return p.yellow;
  return p.red;
}

function checkLine(outcome: CheckOutcome | undefined, p: Palette): string {
  if (!outcome) return p.dim('not run');
  if ('unprocessable' in outcome) return p.red(`unprocessable (${printable(outcome.reason)})`);
  return outcome.flagged ? p.yellow(`flagged${outcome.reason ? ` (${printable(outcome.reason)})` : ''}`) : p.green('passed');
}

/** What to do next with an application, as a command to copy (`bank` is how the user runs bank). */
function nextStep(app: Application, bank: string): string {
  const id = printable(app.id);
  const { execution } = app;
  if (execution.status === 'FAILED') {
    const why = execution.quarantined
      ? `set aside: ${printable(execution.quarantined.reason)}`
      : `a check kept failing (${printable(execution.error?.message ?? 'unknown error')})`;
    return `${why}; once the cause is fixed: ${bank} redrive ${id}   (details: ${bank} history ${id})`;
  }
  switch (app.state) {
    case 'FLAGGED_FOR_REVIEW':
      return `review it: ${bank} approve ${id}   or   ${bank} reject ${id}`;
    case 'SUBMITTED':
      return `a check is being retried${execution.nextAttemptAt ? ` at ${printable(execution.nextAttemptAt)}` : ''}; see ${bank} show ${id}`;
    default:
      return 'nothing: the application is settled';
  }
}

/**
 * A readable summary of one application; its `next` line is a command to copy, spelled as the user runs bank
 * (`bank`, or `pnpm bank` in the repository: see `invokedAs`).
 */
export function formatApplication(app: Application, color: boolean, bank = 'bank'): string {
  const p = palette(color);
  const rows: [string, string][] = [
    ['id', printable(app.id)],
    ['name', printable(app.name)],
    ['address', printable(app.address)],
    ['name check', checkLine(app.checks?.name, p)],
    ['address check', checkLine(app.checks?.address, p)],
  ];
  if (app.reason) rows.push(['reason', printable(app.reason)]);
  if (app.review) {
    const { decision, reviewer, reviewedAt } = app.review;
    rows.push(['review', `${printable(decision)}${reviewer ? ` by ${printable(reviewer)}` : ''} at ${printable(reviewedAt)}`]);
    if (app.review.note !== undefined) rows.push(['note', printable(app.review.note)]);
  }
  rows.push(['execution', printable(app.execution.status)], ['submitted', printable(app.createdAt)], ['next', nextStep(app, bank)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [p.bold(stateColor(app.state, p)(printable(app.state))), ...rows.map(([k, v]) => `  ${p.dim(k.padEnd(width))}  ${v}`)].join('\n');
}

/** A table of applications, with the command for the next page. */
export function formatPage(page: ApplicationPage, color: boolean, nextCommand: (cursor: string) => string): string {
  const p = palette(color);
  if (page.items.length === 0) return p.dim('no applications');
  // Escaped before the widths are measured, so a newline in a name can neither break a row nor misalign the table.
  const rows = page.items.map((a) => [a.id, a.state, a.name, a.createdAt].map(printable));
  const head = ['ID', 'STATE', 'NAME', 'SUBMITTED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], paint: (cell: string, i: number) => string) =>
    cells
      .map((c, i) => paint(c.padEnd(widths[i]!), i))
      .join('  ')
      .trimEnd();
  const out = [line(head, (c) => p.bold(c)), ...rows.map((r) => line(r, (c, i) => (i === 1 ? stateColor(r[1]!, p)(c) : c)))];
  if (page.nextCursor) out.push(p.dim(`more: ${nextCommand(printable(page.nextCursor))}`));
  return out.join('\n');
}

/** An application's history, one event a line; a detail that is not a string is shown as (terminal-safe) JSON. */
export function formatHistory(events: readonly HistoryEvent[], color: boolean): string {
  const p = palette(color);
  return events
    .map((e) => {
      const details = Object.entries(e.data)
        .map(([k, v]) => `${printable(k)}=${typeof v === 'string' ? printable(v) : printableJson(v)}`)
        .join(' ');
      return `${p.dim(printable(String(e.seq)).padStart(3))}  ${p.dim(printable(e.at))}  ${p.cyan(printable(e.type))}${details ? `  ${details}` : ''}`;
    })
    .join('\n');
}

/** One standalone check's outcome. */
export function formatCheck(check: string, value: string, outcome: CheckOutcome, color: boolean): string {
  return `${check} ${printableJson(value)}: ${checkLine(outcome, palette(color))}`;
}
