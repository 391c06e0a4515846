// Shared by the layout generator (which sizes boxes from their text) and the renderer (which writes that text), so
// a label always fits its box. Widths are estimates: the SVG names no web font, so no exact metric exists.

/** The font of every text in a workflow graph. */
export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** Font sizes in px: state names, region and container titles, edge labels, mark badges. */
export const FONT_SIZE = { state: 13, title: 12, edge: 10.5, badge: 10.5 } as const;

/** The height of a state box: its name, and room for a mark badge under it. */
export const STATE_HEIGHT = 50;

/** The narrowest state box, so short names do not make slivers. */
export const MIN_STATE_WIDTH = 128;

/** Space above the children of a container for its title. */
export const CONTAINER_TITLE_HEIGHT = 30;

/** The size of the start dot that points at an initial state. */
export const START_SIZE = 12;

/** The height of an edge label box. */
export const EDGE_LABEL_HEIGHT = 16;

// Average advance per character as a fraction of the font size; wide and narrow glyphs are told apart so a
// label of capitals or of `i`s is not badly misjudged.
const advance = (char: string): number => {
  if (/[ilj.,:;'|![\]()]/.test(char)) return 0.32;
  if (/[mwMW@]/.test(char)) return 0.88;
  if (/[A-Z]/.test(char)) return 0.68;
  if (/[0-9]/.test(char)) return 0.58;
  if (char.codePointAt(0)! > 0x2000) return 1.0;
  return 0.56;
};

/** The estimated width in px of `text` at `size` px. */
export function textWidth(text: string, size: number): number {
  let width = 0;
  for (const char of text) width += advance(char);
  return Math.ceil(width * size);
}
