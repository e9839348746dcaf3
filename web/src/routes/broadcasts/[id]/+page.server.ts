import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { loadOr404, routerRtpCapabilities, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  const { broadcasts, booths, fairs, replayTimelines } = services();
  const { broadcast, isHost, ended } = await loadOr404(() => broadcasts.access(locals.user, routeId(params.id)));
  // A booth presentation is live at its booth (the booth's stage is what is recorded); its page is the replay's after.
  if (broadcast.boothId && !ended) redirect(303, `/booths/${broadcast.boothId}`);
  // The fair it belongs to, when visitors may see that fair.
  const fair = broadcast.fairId ? await fairs.get(locals.user, broadcast.fairId).catch(() => null) : null;
  return {
    broadcast,
    fair: fair ? { id: fair.id, title: fair.title } : null,
    // A booth presentation's page leads back to its booth.
    booth: broadcast.boothId ? { id: broadcast.boothId, employerName: (await booths.header(broadcast.boothId)).employerName } : null,
    canHost: isHost,
    // After the end the page is the replay's (or says why there is none: processing, not recorded).
    replay: ended ? await replayTimelines.stateFor(locals.user, broadcast.id, broadcast.startsAt) : null,
    // With the page, so the viewer's media device is ready before Watch (null: loaded after the join).
    routerRtpCapabilities: ended ? null : await routerRtpCapabilities().catch(() => null),
  };
};
