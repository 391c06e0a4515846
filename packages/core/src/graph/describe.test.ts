import { createMachine, type AnyStateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createApplicationMachine, type ApplicationMachine } from '../machine/application-machine.js';
import { describeWorkflow } from './describe.js';

/** Every state node below the root and every targeted transition, counted straight from the machine. */
function walk(node: AnyStateNode, out = { ids: [] as string[], transitions: 0 }) {
  for (const child of Object.values(node.states) as AnyStateNode[]) {
    out.ids.push(child.path.join('.'));
    for (const list of [...child.transitions.values(), child.always ?? []]) {
      for (const t of list) out.transitions += t.target?.length ?? 0;
    }
    walk(child, out);
  }
  return out;
}

describe('describeWorkflow', () => {
  const machine = createApplicationMachine();
  const description = describeWorkflow(machine);
  const byId = (id: string) => description.nodes.find((node) => node.id === id);

  it('lists every state node of the machine, with its type', () => {
    const { ids } = walk(machine.root);
    expect(ids.length).toBeGreaterThan(15);
    expect(description.nodes.map((node) => node.id)).toStrictEqual(ids);
    for (const node of description.nodes) {
      const stateNode = machine.root.machine.getStateNodeById(`application.${node.id}`);
      expect({ id: node.id, type: node.type, key: node.key }).toStrictEqual({ id: node.id, type: stateNode.type, key: stateNode.key });
    }
    expect(byId('checking')).toMatchObject({ type: 'parallel', initial: true });
    expect(byId('checking.name')).toMatchObject({ type: 'compound', parent: 'checking' });
    expect(byId('checking.address.running')).toStrictEqual({
      id: 'checking.address.running',
      key: 'running',
      parent: 'checking.address',
      type: 'atomic',
      label: 'running',
    });
    expect(description.nodes.filter((node) => node.type === 'final').map((node) => node.id)).toStrictEqual([
      'checking.name.done',
      'checking.address.done',
      'approved',
      'rejected',
      'unprocessable',
    ]);
    expect(description.nodes.filter((node) => node.initial).map((node) => node.id)).toStrictEqual([
      'checking',
      'checking.name.pending',
      'checking.address.pending',
    ]);
  });

  it('lists every transition with a target, between known nodes, with unique ids and readable labels', () => {
    expect(description.edges).toHaveLength(walk(machine.root).transitions);
    const ids = new Set(description.nodes.map((node) => node.id));
    for (const edge of description.edges) {
      expect(ids.has(edge.source) && ids.has(edge.target), edge.id).toBe(true);
      expect(edge.label).not.toMatch(/xstate\./);
    }
    expect(new Set(description.edges.map((edge) => edge.id)).size).toBe(description.edges.length);
    const label = (id: string) => description.edges.find((edge) => edge.id === id)?.label;
    expect(label('checking->reviewRequired')).toBe('done');
    expect(label('reviewRequired->pendingReview')).toBe('anyFlagged');
    expect(label('reviewRequired->approved')).toBe('else');
    expect(label('pendingReview->deciding')).toBe('review.submitted [tokenMatches]');
    expect(label('checking.name.running->checking.name.done')).toBe('done');
    expect(label('checking.name.running->unprocessable')).toBe('error [isUnprocessable]');
    expect(label('checking.address.running->checking.address.waiting')).toBe('error [canRetry]');
    expect(label('checking.address.running->failed')).toBe('error [else]');
    expect(label('checking.name.waiting->checking.name.running')).toBe('retry.due [isDue]');
    expect(label('failed->checking')).toBe('execution.redrive');
    expect(label('reviewApproved->approved')).toBe('always');
  });

  it('follows the machine it is given: another machine gives another description', () => {
    const other = createMachine({
      id: 'other',
      initial: 'a',
      states: {
        a: { on: { GO: 'b', SKIP: [{ guard: () => true, target: 'c' }, { target: 'c' }] } },
        b: { type: 'parallel', states: { x: { initial: 'x1', states: { x1: {} } }, y: { initial: 'y1', states: { y1: {} } } } },
        c: { type: 'final' },
      },
    }) as unknown as ApplicationMachine;
    const { nodes, edges } = describeWorkflow(other);
    expect(nodes.map((node) => `${node.id}:${node.type}${node.initial ? '*' : ''}`)).toStrictEqual([
      'a:atomic*',
      'b:parallel',
      'b.x:compound',
      'b.x.x1:atomic*',
      'b.y:compound',
      'b.y.y1:atomic*',
      'c:final',
    ]);
    expect(edges).toStrictEqual([
      { id: 'a->b', source: 'a', target: 'b', label: 'GO' },
      { id: 'a->c', source: 'a', target: 'c', label: 'SKIP [condition]' },
      { id: 'a->c#2', source: 'a', target: 'c', label: 'SKIP [else]' },
    ]);
  });
});
