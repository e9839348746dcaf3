import { broadcastIcs } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/** The broadcast as an iCalendar file, so it lands in the reader's own calendar with its reminder. */
export const GET: RequestHandler = async ({ params, locals, url }) => {
  const id = routeId(params.id);
  const broadcast = await loadOr404(() => services().broadcasts.get(locals.user, id));
  const page = new URL(`/broadcasts/${id}`, url.origin).toString();
  const ascii =
    broadcast.title
      .replace(/[^A-Za-z0-9 _-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'broadcast';
  return new Response(broadcastIcs(broadcast, page), {
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      // An ASCII name for old clients, the real (often Chinese) title for the rest.
      'content-disposition': `attachment; filename="${ascii}.ics"; filename*=UTF-8''${encodeURIComponent(broadcast.title.slice(0, 80))}.ics`,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    },
  });
};
