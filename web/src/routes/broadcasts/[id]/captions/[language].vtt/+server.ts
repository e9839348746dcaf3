import { error } from '@sveltejs/kit';
import { CAPTION_LANGUAGES, type CaptionLanguage } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * One language's captions as a WebVTT track (`en.vtt`, `zh-CN.vtt`): whoever may see the broadcast
 * may read them (the service checks; a draft is its organizers' only). The replay's player loads it.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
  const language = params.language as CaptionLanguage;
  if (!CAPTION_LANGUAGES.includes(language)) error(404, 'No such caption language');
  const vtt = await loadOr404(() => services().captions.webVtt(locals.user, routeId(params.id), language));
  return new Response(vtt, {
    headers: {
      'content-type': 'text/vtt; charset=utf-8',
      // Hosts edit cues after the end: a cached copy must be checked again.
      'cache-control': 'no-cache',
    },
  });
};
