import { getLocale } from '#lib/paraglide/runtime.js';

/** Where fairs and broadcasts happen unless an organizer says otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * A time window in the reader's language and the event's zone, the date written once when both
 * ends fall on the same day ("Saturday, 1 March 2025, 09:30 – 11:00").
 */
export function formatWindow(start: Date | string, end: Date | string, timeZone = DEFAULT_TIME_ZONE): string {
  const format = new Intl.DateTimeFormat(getLocale(), { dateStyle: 'full', timeStyle: 'short', timeZone });
  return format.formatRange(new Date(start), new Date(end));
}

/** A short window for cards ("1 Mar, 09:30 – 11:00"). */
export function formatWindowShort(start: Date | string, end: Date | string, timeZone = DEFAULT_TIME_ZONE): string {
  const format = new Intl.DateTimeFormat(getLocale(), {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  return format.formatRange(new Date(start), new Date(end));
}

/** The zone's name in the reader's language ("China Standard Time", "中国标准时间"). */
export function zoneName(timeZone = DEFAULT_TIME_ZONE, at: Date | string = new Date()): string {
  try {
    const parts = new Intl.DateTimeFormat(getLocale(), { timeZone, timeZoneName: 'longGeneric' }).formatToParts(new Date(at));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** Where an event stands now: upcoming, live (start inclusive) or over. */
export function phase(start: Date | string, end: Date | string, now = new Date()): 'upcoming' | 'live' | 'over' {
  if (now < new Date(start)) return 'upcoming';
  return now < new Date(end) ? 'live' : 'over';
}

/** A sample's wall time in the zone, sortable and readable by spreadsheets ("2026-03-01 10:00:05"). */
export function sampleTime(at: Date | string, timeZone = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}
