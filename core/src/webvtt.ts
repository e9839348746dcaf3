/** A cue as a WebVTT file holds it: times in ms from the media's start, plain text. */
export interface VttCue {
  id?: string;
  startMs: number;
  endMs: number;
  text: string;
}

/** 3723004 -> "01:02:03.004" (hours always written, so any length of broadcast reads the same). */
export function vttTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3600_000);
  const m = Math.floor((total % 3600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const frac = total % 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${String(frac).padStart(3, '0')}`;
}

/**
 * Cue text as WebVTT's cue-text syntax reads it: `&`, `<` and `>` are markup there (`<b>`, `<v
 * Name>`, entities), so they are escaped; `>` also keeps a literal "-->" from ending the timing
 * line's meaning. A blank line would end the cue early, so line breaks become one each and empty
 * lines go.
 */
export function escapeCueText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/** A whole WebVTT file (UTF-8; Chinese text is written as is). Cues are sorted by start. */
export function toWebVtt(cues: readonly VttCue[]): string {
  const blocks = [...cues]
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs)
    .map((c) => {
      const text = escapeCueText(c.text);
      // A cue identifier may not contain "-->" nor a line break; ours are uuids.
      const id = c.id && !c.id.includes('-->') && !/[\r\n]/.test(c.id) ? `${c.id}\n` : '';
      return `${id}${vttTimestamp(c.startMs)} --> ${vttTimestamp(Math.max(c.endMs, c.startMs + 1))}\n${text}`;
    })
    .filter((b) => !b.endsWith('\n'));
  return ['WEBVTT', ...blocks].join('\n\n') + '\n';
}
