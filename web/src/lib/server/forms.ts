import type { z } from 'zod';

/** First problem per field, as codes the page turns into words (`required`, `email`, ...). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return errors;
}

export { safeNext } from '@fairground/core';
