import type { schema } from '@fairground/db';
import type { formProgress } from '#lib/submit.svelte.ts';

/** The last form result on the console, sorted out for the section that sent the form. */
export interface FormResult {
  /** Which form answered (`company`, `logo`, `invite`, `team`, `apply`, `booth`, `join`). */
  form: string | undefined;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  /** A success: `done` names what happened, with any details. */
  done: Record<string, unknown> | null;
}

export type Progress = ReturnType<typeof formProgress>;
export type Employer = typeof schema.employers.$inferSelect;
export type Job = typeof schema.jobs.$inferSelect;

/** An action URL that keeps the chosen employer selected when the page is posted without JavaScript. */
export const actionFor = (employerId: string, action: string) => `?e=${employerId}&/${action}`;

/** What the user typed into a form that was refused, else the saved value. */
export function typed(result: FormResult, form: string, key: string, current: string): string {
  const value = result.form === form ? result.values[key] : undefined;
  return typeof value === 'string' ? value : current;
}

/** A form's field error, only when that form answered. */
export const errorOf = (result: FormResult, form: string, key: string): string | undefined => (result.form === form ? result.errors[key] : undefined);
