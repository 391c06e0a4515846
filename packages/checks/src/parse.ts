import type { z } from 'zod';
import { InvalidInputError } from './errors.js';
import type { CheckIssue } from './result.js';
import { ApplicationInputSchema, type ApplicationInput } from './schemas/application-input.js';

/** The result of a safe parse: the value, or every issue found. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly CheckIssue[] };

/**
 * Converts zod's issues to {@link CheckIssue}s, so callers never depend on zod's error shape. A custom issue that
 * carries its own snake_case code in `params.code` (such as `control_character`) reports that code. zod's default
 * messages start with `Invalid input: `, which is dropped: an issue is always reported as invalid input already
 * (`InvalidInputError`, `invalid_input`), and would otherwise say it twice.
 */
export function toCheckIssues(issues: readonly z.core.$ZodIssue[]): CheckIssue[] {
  return issues.map((issue) => ({
    code: issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : issue.code,
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message.replace(/^Invalid input: /, ''),
  }));
}

/** Validates `input` against any zod schema without throwing. */
export function safeParseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: toCheckIssues(result.error.issues) };
}

/**
 * Validates `input` against any zod schema.
 * @throws {InvalidInputError} when the input does not match, with every issue.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = safeParseWith(schema, input);
  if (!result.ok) throw new InvalidInputError(result.issues);
  return result.value;
}

/**
 * Validates an application submission (see {@link ApplicationInputSchema}).
 * @throws {InvalidInputError} when the input does not match, with every issue.
 */
export const parseApplicationInput = (input: unknown): ApplicationInput => parseWith(ApplicationInputSchema, input);

/** Validates an application submission without throwing. */
export const safeParseApplicationInput = (input: unknown): ParseResult<ApplicationInput> => safeParseWith(ApplicationInputSchema, input);
