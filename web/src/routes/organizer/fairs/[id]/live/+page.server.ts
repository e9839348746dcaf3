import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import { requireOrganizer } from '#lib/server/organizer.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = requireOrganizer(locals.user, url);
  const fair = await loadOr404(() => services().fairs.get(user, routeId(params.id)));
  return { fair: { id: fair.id, title: fair.title, status: fair.status, timeZone: fair.timeZone } };
};
