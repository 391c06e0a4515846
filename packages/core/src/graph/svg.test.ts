import { describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/runtime.js';
import { createMemoryStore } from '../store/memory-store.js';
import { allElements, parseXml, textOf, type XmlElement } from '../testing/xml.js';
import { describeWorkflow } from './describe.js';
import { escapeXml, renderApplicationSvg, renderWorkflowSvg } from './svg.js';

const description = describeWorkflow();

/** Parses an SVG and checks what every render must be: self-contained, accessible, safe to inline twice. */
function parseSvg(svg: string): XmlElement {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attributes).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', role: 'img' });
  expect(root.attributes['viewBox']).toMatch(/^0 0 \d+(\.\d)? \d+(\.\d)?$/);
  expect(Number(root.attributes['width'])).toBeGreaterThan(500);
  expect(Number(root.attributes['height'])).toBeGreaterThan(500);
  expect(root.children[0]?.name).toBe('title');
  expect(root.children[1]?.name).toBe('desc');
  for (const element of allElements(root)) {
    expect(element.name, 'no scripts, styles, images, links or foreign content').toMatch(
      /^(svg|title|desc|g|rect|text|path|polygon|circle)$/,
    );
    expect(Object.keys(element.attributes).filter((a) => a === 'id' || a.includes('href') || a === 'style')).toStrictEqual([]);
    for (const value of Object.values(element.attributes)) expect(value).not.toMatch(/url\(/);
  }
  return root;
}

const nodesOf = (root: XmlElement) => allElements(root).filter((e) => e.attributes['data-state'] !== undefined);
const marksOf = (root: XmlElement) => Object.fromEntries(nodesOf(root).map((e) => [e.attributes['data-state'], e.attributes['data-mark']]));
const nodeNamed = (root: XmlElement, id: string) => {
  const found = nodesOf(root).find((e) => e.attributes['data-state'] === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};
const titleOf = (element: XmlElement) => element.children.find((c) => c.name === 'title')?.text ?? '';

async function reference(input: { name: string; address: string }) {
  const runtime = createRuntime({ store: createMemoryStore() });
  const application = await runtime.submit(input);
  const render = async () => parseSvg(renderApplicationSvg(await runtime.get(application.id), await runtime.history(application.id)));
  return { runtime, application, render };
}

describe('renderWorkflowSvg', () => {
  it('draws every state once, labelled, with a text for each transition and a legend', () => {
    const root = parseSvg(renderWorkflowSvg());
    expect(nodesOf(root).map((e) => e.attributes['data-state'])).toStrictEqual(
      expect.arrayContaining(description.nodes.map((node) => node.id)),
    );
    expect(nodesOf(root)).toHaveLength(description.nodes.length);
    for (const node of description.nodes) {
      expect(nodeNamed(root, node.id).attributes['data-mark']).toBeUndefined();
      expect(textOf(nodeNamed(root, node.id))).toContain(node.label);
    }
    const texts = allElements(root)
      .filter((e) => e.name === 'text')
      .map((e) => e.text);
    for (const edge of description.edges) expect(texts).toContain(edge.label);
    expect(allElements(root).filter((e) => e.attributes['data-edge'] !== undefined)).toHaveLength(description.edges.length);
    expect(texts).toEqual(expect.arrayContaining(['Legend', 'final state (double border)', 'parallel region']));
    expect(textOf(nodeNamed(root, 'checking'))).toContain('parallel');
    // Final states are double-bordered: two rectangles.
    expect(nodeNamed(root, 'approved').children.filter((c) => c.name === 'rect')).toHaveLength(2);
    expect(nodeNamed(root, 'pendingReview').children.filter((c) => c.name === 'rect')).toHaveLength(1);
  });
});

describe('renderApplicationSvg', () => {
  it('Spock: marks the checks and reviewRequired passed and approved as where it ended', async () => {
    const { render } = await reference({ name: 'Spock', address: '123 Enterprise Street' });
    const root = await render();
    const marks = marksOf(root);
    expect(Object.keys(marks).sort()).toStrictEqual(description.nodes.map((node) => node.id).sort());
    expect(marks['approved']).toBe('ended');
    expect(marks['reviewRequired']).toBe('passed');
    expect(marks['checking.name.done']).toBe('passed');
    expect(marks['pendingReview']).toBe('unvisited');
    expect(nodeNamed(root, 'approved').attributes['class']).toContain('bank-graph-ended');
    expect(textOf(nodeNamed(root, 'approved'))).toContain('■ ended here');
    expect(textOf(nodeNamed(root, 'reviewRequired'))).toContain('✓ passed');
    expect(textOf(nodeNamed(root, 'pendingReview'))).not.toMatch(/passed|waiting|ended|failed/);
    const taken = allElements(root)
      .filter((e) => e.attributes['data-taken'] === 'true')
      .map((e) => e.attributes['data-edge']);
    expect(taken).toEqual(expect.arrayContaining(['checking->reviewRequired', 'reviewRequired->approved']));
    expect(taken).not.toContain('reviewRequired->pendingReview');
  });

  it('Gabe: waits in pendingReview with the flagging reason; after APPROVE the path runs through reviewApproved to approved', async () => {
    const { runtime, application, render } = await reference({ name: 'Gabe', address: 'ABadAddress' });
    const waiting = await render();
    expect(marksOf(waiting)['pendingReview']).toBe('current');
    expect(Object.values(marksOf(waiting)).filter((m) => m === 'current' || m === 'ended')).toStrictEqual(['current']);
    expect(textOf(nodeNamed(waiting, 'pendingReview'))).toContain('‖ waiting');
    expect(textOf(nodeNamed(waiting, 'checking.address.done'))).toContain('⚑ flagged');
    expect(titleOf(nodeNamed(waiting, 'checking.address.done'))).toContain('Address has no house number next to a street name.');
    expect(textOf(waiting)).toContain('Address has no house number next to a street name.');

    await runtime.review(application.id, 'APPROVE', { reviewer: 'riker' });
    const approved = await render();
    const marks = marksOf(approved);
    expect([marks['pendingReview'], marks['deciding'], marks['reviewApproved'], marks['approved']]).toStrictEqual([
      'passed',
      'passed',
      'passed',
      'ended',
    ]);
    expect(marks['reviewRejected']).toBe('unvisited');
    expect(titleOf(nodeNamed(approved, 'deciding'))).toContain('APPROVE by riker');
  });

  it('UNPROCESSABLE_DATA: ends in unprocessable, with the reason in its title', async () => {
    const { render } = await reference({ name: 'UNPROCESSABLE_DATA', address: '123 Street' });
    const root = await render();
    const marks = marksOf(root);
    expect(Object.entries(marks).filter(([, m]) => m === 'ended')).toStrictEqual([['unprocessable', 'ended']]);
    expect(marks['reviewRequired']).toBe('unvisited');
    expect(titleOf(nodeNamed(root, 'unprocessable'))).toContain(
      "UnprocessableDataError: Name 'UNPROCESSABLE_DATA' is not possible to check.",
    );
  });

  it('escapes what reviewers write: a note with markup stays text', async () => {
    const { runtime, application, render } = await reference({ name: 'Gabe', address: 'ABadAddress' });
    const note = `</title><script>alert("x")</script> & 'quotes'`;
    await runtime.review(application.id, 'REJECT', { reviewer: 'obrien', note });
    const root = await render();
    expect(titleOf(nodeNamed(root, 'deciding'))).toContain(`REJECT by obrien: “</title><script>alert("x")</script> & 'quotes'”`);
    expect(allElements(root).some((e) => e.name === 'script')).toBe(false);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and drops characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\uD800`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('ok 😀')).toBe('ok 😀');
  });
});
