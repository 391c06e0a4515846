import { z } from 'zod';
import { findUnprintable, formatCodePoint, type UnprintableKind } from '../unprintable.js';

/** Limits of a {@link printableTextSchema}, counted in UTF-16 code units after trimming. */
export interface PrintableTextOptions {
  /** The longest text accepted. */
  readonly maxLength: number;
  /** The shortest text accepted (default 1: not empty). */
  readonly minLength?: number;
}

const WHAT: Readonly<Record<UnprintableKind, string>> = {
  control_character: 'control characters',
  unpaired_surrogate: 'unpaired UTF-16 surrogates',
};

/**
 * Builds the schema of a free-text field a person typed (a name, an address, a reviewer's note): a string, trimmed,
 * within the length limits, that contains no control character (C0, DEL, C1; tab, CR and LF included) and no unpaired
 * surrogate between its first and last visible character. A refused character is reported with the issue code
 * `control_character` or `unpaired_surrogate` and its 1-based position, in UTF-16 code units, in the string as sent
 * (before trimming), e.g. `address must not contain control characters: U+0000 at position 12`.
 * @example
 * ```ts
 * const NoteSchema = printableTextSchema('note', { maxLength: 1000 });
 * NoteSchema.parse('  Looks fine to me\n'); // 'Looks fine to me'
 * ```
 */
export function printableTextSchema(label: string, options: PrintableTextOptions): z.ZodString {
  const min = options.minLength ?? 1;
  return (
    z
      .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
      // Runs before trim(), on the string as sent, so the position is the one the sender sees; the whitespace
      // that trim() removes (a trailing newline, say) is not looked at.
      .superRefine((sent, ctx) => {
        const found = findUnprintable(sent.trim());
        if (!found) return;
        const position = found.position + sent.length - sent.trimStart().length;
        ctx.addIssue({
          code: 'custom',
          input: sent,
          message: `${label} must not contain ${WHAT[found.kind]}: ${formatCodePoint(found.codePoint)} at position ${position}`,
          params: { code: found.kind, position, codePoint: found.codePoint },
        });
      })
      .trim()
      .min(min, { error: min === 1 ? `${label} must not be empty` : `${label} must be at least ${min} characters` })
      .max(options.maxLength, { error: `${label} must be at most ${options.maxLength} characters` })
  );
}
