import { routeId } from '#lib/ids.ts';
import { openDisplay } from '#lib/server/display.ts';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** A fair's hall screen: opened with the fair's display key, no account. */
export const load: PageServerLoad = async (event) => {
  const fairId = routeId(event.params.id);
  const opened = await openDisplay(event, { kind: 'fair', fairId });
  if (!opened.grant) return { problem: opened.problem, screen: null, origin: event.url.origin };
  return { problem: null, screen: await services().venue.hallScreen(opened.grant, fairId), origin: event.url.origin };
};
