/**
 * Wall-clock times in a named time zone, as <input type="datetime-local"> sends them
 * ("2025-03-01T09:30", seconds optional). Fairs are local events: an organizer in Shanghai types
 * Shanghai time whatever the server's own zone is, so the conversion must never use the process's
 * zone (which is what `new Date("2025-03-01T09:30")` does).
 */
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall clock at an instant, as if that wall time were UTC (ms). */
function wallClockAt(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC at an instant, in ms (Shanghai: +8 h). */
function offsetAt(instant: number, timeZone: string): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  return wallClockAt(wholeSecond, timeZone) - wholeSecond;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant a wall-clock time in `timeZone` names, or null when the text is not a valid
 * date-time or the zone is unknown. Around daylight-saving changes it does what calendars do
 * (Temporal's "compatible"): a time that occurs twice means the earlier one; a time skipped by
 * the clocks going forward moves forward by the gap (02:30 becomes 03:30).
 */
export function wallTimeToUtc(value: string, timeZone: string): Date | null {
  const m = WALL_TIME.exec(value.trim());
  if (!m || !isTimeZone(timeZone)) return null;
  const [year, month, day, hour, minute, second = '0'] = m.slice(1).map((v) => v ?? '0') as string[];
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  // Date.UTC rolls 2025-02-30 over to March; such text is not a date.
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== Number(year) ||
    check.getUTCMonth() !== Number(month) - 1 ||
    check.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    return null;
  }
  // The offsets in force a day either side cover any single transition near this time.
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => wallClockAt(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]!);
  // In a gap: read the wall time with the offset from before the change, which lands after it.
  return new Date(wall - before);
}

/** The value for <input type="datetime-local"> showing an instant on the zone's wall clock. */
export function utcToWallTime(instant: Date, timeZone: string): string {
  return new Date(wallClockAt(instant.getTime(), timeZone)).toISOString().slice(0, 16);
}

/** The instant the calendar day containing `instant` began on the zone's wall clock. */
export function startOfDay(instant: Date, timeZone: string): Date {
  const day = utcToWallTime(instant, timeZone).slice(0, 10);
  return wallTimeToUtc(`${day}T00:00`, timeZone) ?? new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}
