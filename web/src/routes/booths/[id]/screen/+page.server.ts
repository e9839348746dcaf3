import { routeId } from '#lib/ids.ts';
import { openDisplay } from '#lib/server/display.ts';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** A booth's screen (the TV behind the seat): opened with the booth's display key, no account. */
export const load: PageServerLoad = async (event) => {
  const boothId = routeId(event.params.id);
  const opened = await openDisplay(event, { kind: 'booth', boothId });
  if (!opened.grant) return { problem: opened.problem, screen: null, origin: event.url.origin };
  return { problem: null, screen: await services().venue.boothScreen(opened.grant, boothId), origin: event.url.origin };
};
