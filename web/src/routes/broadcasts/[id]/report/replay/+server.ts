import { error, json } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * The replay's status for the report's status panel to poll (status, progress, error): the
 * broadcast's hosts and organizers only (the service decides; others get 404, as for the report).
 */
export const GET: RequestHandler = async ({ locals, params }) => {
  if (!locals.user) error(401, 'Sign in first');
  const replay = await loadOr404(() => services().recordings.replayFor(locals.user, routeId(params.id)));
  if (!replay?.canManage) error(404, 'No replay here');
  return json(
    { status: replay.status, progress: replay.progress, error: replay.error, durationMs: replay.durationMs },
    { headers: { 'cache-control': 'no-store' } },
  );
};
