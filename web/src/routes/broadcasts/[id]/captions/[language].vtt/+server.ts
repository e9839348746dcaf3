import { error } from '@sveltejs/kit';
import { CAPTION_LANGUAGES, type CaptionLanguage } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * One language's captions as a WebVTT track (`en.vtt`, `zh-CN.vtt`): whoever may see the broadcast
 * may read them (the service checks; a draft is its organizers' only). Timed from the broadcast's
 * scheduled start; `?replay=1` times them from the replay's start (the recording's), for its player.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
  const language = params.language as CaptionLanguage;
  if (!CAPTION_LANGUAGES.includes(language)) error(404, 'No such caption language');
  const id = routeId(params.id);
  const { captions, broadcasts, replayTimelines } = services();
  const vtt = await loadOr404(async () =>
    url.searchParams.get('replay') === '1'
      ? replayTimelines.webVtt(locals.user, id, language, (await broadcasts.get(locals.user, id)).startsAt)
      : captions.webVtt(locals.user, id, language),
  );
  return new Response(vtt, {
    headers: {
      'content-type': 'text/vtt; charset=utf-8',
      // Hosts edit cues after the end: a cached copy must be checked again.
      'cache-control': 'no-cache',
    },
  });
};
