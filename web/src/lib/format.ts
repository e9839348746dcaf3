import { getLocale } from '#lib/paraglide/runtime.js';

/** Dates in the reader's language and the event's own time zone (fairs are local events). */
export function formatDateTime(value: Date | string, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat(getLocale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(value));
}

export function formatMoney(amount: number): string {
  return new Intl.NumberFormat(getLocale()).format(amount);
}
