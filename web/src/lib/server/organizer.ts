import { error, redirect } from '@sveltejs/kit';
import { isOrganizer, isTimeZone, wallTimeToUtc } from '@fairground/core';
import type { BroadcastInput, FairInput } from '@fairground/core/schemas';
import type { SessionUser } from '@fairground/db';
import { DEFAULT_TIME_ZONE } from '#lib/time.ts';
import type { FormValues } from './form-values';

/**
 * The organizer console's gate: visitors are sent to sign in (and back), other roles get 403.
 * Pages use it for a clear answer; the services check the role again on every call.
 */
export function requireOrganizer(user: SessionUser | null, url: URL): SessionUser {
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!isOrganizer(user)) error(403, 'The organizer console is for organizers');
  return user;
}

/** Text no date-time input sends, so the schema answers "enter a date and time". */
const INVALID_DATE = new Date(Number.NaN);

/**
 * The start and end a form sent as datetime-local wall times, read in the form's time zone (never
 * the server's). Empty stays empty (the schema says "required"); anything unreadable is invalid.
 */
export function zonedWindow(values: FormValues): { startsAt: Date | undefined; endsAt: Date | undefined; timeZone: string } {
  const timeZone = typeof values.timeZone === 'string' && values.timeZone ? values.timeZone : DEFAULT_TIME_ZONE;
  // An unknown zone is the time-zone field's error alone; the times are read in the default.
  const zone = isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  const read = (key: string) => {
    const value = values[key];
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) return undefined;
    return wallTimeToUtc(text, zone) ?? INVALID_DATE;
  };
  return { startsAt: read('startsAt'), endsAt: read('endsAt'), timeZone };
}

// Form text goes to the services as it came (they validate it); only the times are read here.
export const fairInput = (values: FormValues): FairInput => ({ ...values, ...zonedWindow(values) }) as unknown as FairInput;

export function broadcastInput(values: FormValues): BroadcastInput {
  const { startsAt, endsAt } = zonedWindow(values);
  return { ...values, startsAt, endsAt } as unknown as BroadcastInput;
}
