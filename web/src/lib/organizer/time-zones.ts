import { getLocale } from '#lib/paraglide/runtime.js';

/** Zones organizers pick most often: China first (the product's home), then neighbours and the world. */
const COMMON = [
  'Asia/Shanghai',
  'Asia/Urumqi',
  'Asia/Hong_Kong',
  'Asia/Macau',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Kuala_Lumpur',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Bangkok',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Australia/Sydney',
  'UTC',
];

export interface ZoneOption {
  value: string;
  label: string;
}

function label(zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat(getLocale(), { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(new Date());
    const name = parts.find((p) => p.type === 'timeZoneName')?.value;
    return name && name !== zone ? `${name} (${zone})` : zone;
  } catch {
    return zone;
  }
}

/**
 * The options for a time-zone <select>: the common zones with names in the reader's language, then
 * every other zone the runtime knows. `current` is always offered, even if it is in neither list.
 */
export function timeZoneOptions(current?: string): { common: ZoneOption[]; other: ZoneOption[] } {
  const common = COMMON.map((value) => ({ value, label: label(value) }));
  const known = new Set(COMMON);
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  if (current && !known.has(current) && !all.includes(current)) all.push(current);
  const other = all.filter((z) => !known.has(z)).map((value) => ({ value, label: value.replaceAll('_', ' ') }));
  return { common, other };
}
