import { routeId } from '#lib/ids.ts';
import { openDisplay } from '#lib/server/display.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** A guidance broadcast's hall screen: its fair's hall screen (same display key) with this broadcast pinned beside the cycle. */
export const load: PageServerLoad = async (event) => {
  const broadcastId = routeId(event.params.id);
  const fairId = await loadOr404(() => services().venue.fairOfBroadcast(broadcastId));
  const opened = await openDisplay(event, { kind: 'fair', fairId });
  if (!opened.grant) return { problem: opened.problem, screen: null, origin: event.url.origin };
  return { problem: null, screen: await services().venue.hallScreen(opened.grant, fairId, new Date(), broadcastId), origin: event.url.origin };
};
