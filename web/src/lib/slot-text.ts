import { getLocale } from '#lib/paraglide/runtime.js';
import { m } from '#lib/paraglide/messages.js';
import { errorText } from '#lib/errors.ts';

/** The profile fields a slot may require, in the reader's language. */
export const SLOT_FIELD_LABELS: Record<string, () => string> = {
  headline: m.slots_field_headline,
  skills: m.slots_field_skills,
  education: m.slots_field_education,
  salary: m.slots_field_salary,
  locations: m.slots_field_locations,
  jobTypes: m.slots_field_jobTypes,
  languages: m.slots_field_languages,
};

const ERRORS: Record<string, () => string> = {
  slot_taken: m.slots_err_slot_taken,
  slot_gone: m.slots_err_slot_gone,
  slot_started: m.slots_err_slot_started,
  booking_limit: m.slots_err_booking_limit,
  booking_overlap: m.slots_err_booking_overlap,
  past_cutoff: m.slots_err_past_cutoff,
  booking_cancelled: m.slots_err_booking_cancelled,
  needs_resume: m.slots_err_needs_resume,
  slot_overlap: m.slots_err_slot_overlap,
  slot_past: m.slots_err_slot_past,
  slot_after_fair: m.slots_err_slot_after_fair,
};

/** A booking refusal's code (core/src/slots.ts) as a sentence; other codes as the site words them. */
export function slotErrorText(code: string | undefined): string {
  if (!code) return '';
  if (code.startsWith('needs_') && SLOT_FIELD_LABELS[code.slice(6)]) return m.slots_err_needs_field({ field: SLOT_FIELD_LABELS[code.slice(6)]!() });
  return (ERRORS[code] ?? (() => errorText(code)))();
}

/** The zone this browser is in (the server renders in the fair's until the page is running). */
export function browserZone(fallback: string): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || fallback;
  } catch {
    return fallback;
  }
}

/** A slot's window in the reader's language and the given zone ("Sat 1 Mar, 14:00–14:20"). */
export function slotWindow(start: Date | string, end: Date | string, timeZone: string): string {
  const format = new Intl.DateTimeFormat(getLocale(), {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  return format.formatRange(new Date(start), new Date(end));
}

/** One instant ("1 Mar, 13:00"). */
export function slotInstant(at: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat(getLocale(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(
    new Date(at),
  );
}
