import { services } from '#lib/server/platform.ts';
import { loadOr404 } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/** A booking's calendar file, for its seeker and the booth's staff (core decides; anyone else gets 404). */
export const GET: RequestHandler = async ({ params, locals }) => {
  const ics = await loadOr404(() => services().slots.ics(locals.user, params.id));
  return new Response(ics, {
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'attachment; filename="interview.ics"',
      'cache-control': 'private, no-store',
    },
  });
};
