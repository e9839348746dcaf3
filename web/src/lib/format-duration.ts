/** 125 -> "2:05"; for timers. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const minutesOf = (seconds: number | null | undefined): number => Math.max(1, Math.round((seconds ?? 0) / 60));
