// A small strict XML parser for tests: enough to prove an SVG is well-formed and to query it, without a DOM.
// It rejects what a browser's XML parser rejects for our output: unescaped `<` or `&`, unknown entities,
// mismatched or unclosed tags, unquoted or duplicate attributes, more than one root.

/** One parsed element. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  readonly text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`unescaped '<' at ${where}`);
  return raw.replace(/&([^;\s]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new Error(`unterminated entity '${match}' at ${where}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity '&${name};' at ${where}`);
    return value;
  });
}

/** Parses one XML document; throws on anything not well-formed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const skipProlog = () => {
    for (;;) {
      const rest = source.slice(i).match(/^\s*(<\?[\s\S]*?\?>|<!--[\s\S]*?-->)?/)!;
      if (!rest[1]) return;
      i += rest[0].length;
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.:-]*)/.exec(source.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${source.slice(i, i + 30)}`);
    const name = open[1]!;
    i += open[0].length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(source.slice(i));
      if (!attr) break;
      if (attr[1]! in attributes) throw new Error(`duplicate attribute '${attr[1]}' on <${name}>`);
      attributes[attr[1]!] = decode(attr[2]!, i);
      i += attr[0].length;
    }
    const end = /^\s*(\/?)>/.exec(source.slice(i));
    if (!end) throw new Error(`malformed tag <${name}> at ${i}: ${source.slice(i, i + 30)}`);
    i += end[0].length;
    if (end[1] === '/') return { name, attributes, children: [], text: '' };
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) throw new Error(`<${name}> is never closed`);
      text += decode(source.slice(i, next), i);
      i = next;
      if (source.startsWith('<!--', i)) {
        i = source.indexOf('-->', i) + 3;
      } else if (source.startsWith('</', i)) {
        const close = /^<\/([^\s>]+)\s*>/.exec(source.slice(i));
        if (close?.[1] !== name) throw new Error(`</${close?.[1]}> closes <${name}> at ${i}`);
        i += close[0].length;
        return { name, attributes, children, text };
      } else {
        children.push(element());
      }
    }
  };
  skipProlog();
  const root = element();
  if (source.slice(i).trim() !== '') throw new Error(`content after the root element at ${i}`);
  return root;
}

/** Every element of the tree, depth first, the root included. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** The text of an element and all its descendants. */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join('');
}
