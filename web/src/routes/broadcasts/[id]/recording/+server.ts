import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { HTTP_STATUS, ServiceError } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { services } from '#lib/server/platform.ts';
import type { RecordingState } from '#lib/components/broadcast/recording-api.ts';
import type { RequestHandler } from './$types';

const change = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('record'), enabled: z.boolean() }),
  z.strictObject({ action: z.literal('configure'), visibility: z.enum(['public', 'signed_in', 'nobody']).optional(), published: z.boolean().optional() }),
  z.strictObject({ action: z.literal('delete') }),
]);

async function state(user: App.Locals['user'], broadcastId: string): Promise<RecordingState> {
  const { broadcasts, recordings } = services();
  const { isHost, ended } = await broadcasts.access(user, broadcastId);
  const [recorded, replay] = await Promise.all([recordings.isRecorded(broadcastId), recordings.replayFor(user, broadcastId)]);
  return {
    recorded,
    canManage: isHost,
    changeable: isHost && !ended && (!replay || replay.status === 'idle' || replay.status === 'off'),
    replay: replay && { status: replay.status, visibility: replay.visibility, published: replay.published, mp4Url: replay.mp4Url },
  };
}

/** Refusals as `{ code }` with their status (the components show a message per code). */
async function answer(run: () => Promise<RecordingState>) {
  try {
    return json(await run(), { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof ServiceError) return json({ code: e.code }, { status: HTTP_STATUS[e.code] });
    throw e;
  }
}

export const GET: RequestHandler = async ({ locals, params }) => answer(() => state(locals.user, routeId(params.id)));

/** A host or organizer changes the recording: on/off before live, who may watch, published, or deletes it (core checks). */
export const POST: RequestHandler = async ({ locals, params, request }) => {
  // JSON only: a cross-site form cannot send it (and SvelteKit checks the origin of form types).
  if (!request.headers.get('content-type')?.startsWith('application/json')) error(415, 'JSON only');
  const parsed = change.safeParse(await request.json().catch(() => null));
  if (!parsed.success) error(400, 'Bad request');
  const id = routeId(params.id);
  const { recordings } = services();
  return answer(async () => {
    const body = parsed.data;
    if (body.action === 'record') await recordings.setEnabled(locals.user, id, body.enabled);
    else if (body.action === 'configure') {
      const { action: _, ...settings } = body;
      await recordings.configure(locals.user, id, settings);
    } else await recordings.remove(locals.user, id);
    return state(locals.user, id);
  });
};
