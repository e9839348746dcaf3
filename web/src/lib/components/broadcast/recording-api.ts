/** What /broadcasts/<id>/recording answers: the stage's mark and toggle, the report's replay settings. */
export interface RecordingState {
  /** Recorded when it goes live (or being recorded): the stage's mark. */
  recorded: boolean;
  /** The actor is a host or organizer of the broadcast. */
  canManage: boolean;
  /** A host may still turn recording on or off (nothing recorded yet, not over). */
  changeable: boolean;
  /** The replay as this actor sees it (null: none, or not theirs to see). */
  replay: { status: string; visibility: 'public' | 'signed_in' | 'nobody'; published: boolean; mp4Url: string | null } | null;
}

/** The broadcast's recording as this user sees it (null when the page cannot read it). */
export async function readRecording(broadcastId: string): Promise<RecordingState | null> {
  const res = await fetch(`/broadcasts/${broadcastId}/recording`).catch(() => null);
  return res?.ok ? ((await res.json()) as RecordingState) : null;
}

export type RecordingChange = { action: 'record'; enabled: boolean } | { action: 'configure'; visibility?: string; published?: boolean } | { action: 'delete' };

/** Sends a change; the new state, or the refusal's code. */
export async function changeRecording(broadcastId: string, change: RecordingChange): Promise<{ state: RecordingState } | { code: string }> {
  const res = await fetch(`/broadcasts/${broadcastId}/recording`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  }).catch(() => null);
  if (!res) return { code: 'UNAVAILABLE' };
  const body = (await res.json().catch(() => ({}))) as RecordingState & { code?: string };
  return res.ok ? { state: body } : { code: body.code ?? 'INTERNAL' };
}
