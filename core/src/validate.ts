import type { z } from 'zod';
import { ServiceError } from './errors.ts';

/** Parses input or throws INVALID with the first problem per field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
  throw new ServiceError('INVALID', 'Some fields need attention', fields);
}
