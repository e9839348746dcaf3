import { error, json } from '@sveltejs/kit';
import { HTTP_STATUS, ServiceError } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/** The largest beat body read (a session id, a number, a device id). */
const MAX_BODY = 1024;

/**
 * The replay player's heartbeat (fetch while playing, sendBeacon when the page goes): counts the
 * view once per page load and raises its watch time (core/src/replay-audience.ts checks and clamps).
 */
export const POST: RequestHandler = async ({ locals, params, request }) => {
  const text = await request.text();
  if (text.length > MAX_BODY) error(413, 'Too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return json({ error: 'INVALID' }, { status: 400 });
  }
  try {
    return json(await services().replayAudience.beat(locals.user, routeId(params.id), body));
  } catch (e) {
    if (e instanceof ServiceError) {
      return json({ error: e.code }, { status: HTTP_STATUS[e.code] });
    }
    throw e;
  }
};
