import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { createApplicationMachine, type ApplicationMachine } from '../machine/application-machine.js';

/** One state node of the workflow machine. */
export interface WorkflowNode {
  /** The dotted XState path below the machine's root, e.g. `checking.name.running`. */
  readonly id: string;
  /** The node's own key, e.g. `running`. */
  readonly key: string;
  /** The id of the enclosing state; absent for top-level states. */
  readonly parent?: string;
  /** The XState node type. */
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** What a picture shows for the node. */
  readonly label: string;
  /** Whether the node is its parent's initial state (or the machine's, for a top-level state). */
  readonly initial?: boolean;
}

/** One transition of the workflow machine, from one state node to one target. */
export interface WorkflowEdge {
  /** `source->target`, with `#2`, `#3`… appended when the same pair has more than one transition. */
  readonly id: string;
  /** The id of the node the transition leaves. */
  readonly source: string;
  /** The id of the node the transition enters. */
  readonly target: string;
  /**
   * What triggers it: the event type (`review.submitted`), `done` or `error` of an invoked check or a parallel
   * state, with the guard in brackets; an eventless (`always`) transition shows its guard name, `else` or `always`.
   */
  readonly label: string;
}

/** The states and transitions of the workflow machine, in document order. */
export interface WorkflowDescription {
  /** Every state node below the machine's root. */
  readonly nodes: readonly WorkflowNode[];
  /** Every transition with a target. */
  readonly edges: readonly WorkflowEdge[];
}

const idOf = (node: AnyStateNode): string => node.path.join('.');

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  // An inline guard has no name worth showing (XState names it after its property, `guard`).
  if (typeof guard === 'function' && guard.name !== '' && guard.name !== 'guard') return guard.name;
  return 'condition';
}

function eventName(eventType: string): string {
  if (eventType.startsWith('xstate.done.')) return 'done';
  if (eventType.startsWith('xstate.error.')) return 'error';
  const delay = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return delay ? `after ${delay[1]}` : eventType;
}

/** Labels one transition of a list tried in order: a transition without a guard after guarded ones is the `else`. */
function labelOf(eventType: string | undefined, transition: AnyTransitionDefinition, index: number): string {
  const guard = guardName(transition.guard) ?? (index > 0 ? 'else' : undefined);
  if (eventType === undefined) return guard ?? 'always';
  return guard === undefined ? eventName(eventType) : `${eventName(eventType)} [${guard}]`;
}

/**
 * Describes the workflow machine's states, parallel regions and transitions, read from the machine definition
 * (so a change to the machine changes every picture drawn from it).
 * @param machine The machine to describe (default: {@link createApplicationMachine}'s).
 * @example
 * ```ts
 * import { describeWorkflow } from '@bank/core';
 * const { nodes, edges } = describeWorkflow();
 * nodes.find((n) => n.id === 'checking')?.type; // 'parallel'
 * edges.find((e) => e.source === 'pendingReview')?.label; // 'review.submitted [tokenMatches]'
 * ```
 */
export function describeWorkflow(machine: ApplicationMachine = createApplicationMachine()): WorkflowDescription {
  const nodes: WorkflowNode[] = [];
  const edges: WorkflowEdge[] = [];
  const seen = new Map<string, number>();
  const addEdge = (source: string, target: string, label: string) => {
    const pair = `${source}->${target}`;
    const count = (seen.get(pair) ?? 0) + 1;
    seen.set(pair, count);
    edges.push({ id: count === 1 ? pair : `${pair}#${count}`, source, target, label });
  };
  const addTransitions = (source: string, eventType: string | undefined, transitions: readonly AnyTransitionDefinition[]) => {
    transitions.forEach((transition, index) => {
      for (const target of transition.target ?? []) addEdge(source, idOf(target), labelOf(eventType, transition, index));
    });
  };

  const walk = (node: AnyStateNode) => {
    const initialIds = node.type === 'compound' ? new Set(node.initial.target.map(idOf)) : new Set<string>();
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const id = idOf(child);
      nodes.push({
        id,
        key: child.key,
        ...(node === machine.root ? {} : { parent: idOf(node) }),
        type: child.type,
        label: child.key,
        ...(initialIds.has(id) ? { initial: true } : {}),
      });
      for (const [eventType, transitions] of child.transitions) addTransitions(id, eventType, transitions);
      addTransitions(id, undefined, child.always ?? []);
      walk(child);
    }
  };
  walk(machine.root);
  return { nodes, edges };
}

let cached: WorkflowDescription | undefined;

/** The description of the default machine, built once (the machine is static). */
export const defaultWorkflowDescription = (): WorkflowDescription => (cached ??= describeWorkflow());
