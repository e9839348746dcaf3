/** 125 -> "2:05"; for timers. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const minutesOf = (seconds: number | null | undefined): number => Math.max(1, Math.round((seconds ?? 0) / 60));

/** 3725 -> "1:02:05", 125 -> "0:02:05"; for durations that may pass an hour. */
export function hms(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
