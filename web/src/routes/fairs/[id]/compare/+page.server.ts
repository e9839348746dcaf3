import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** Where a hall screen's QR code leads: a seeker puts their expected pay on the screen for a minute. */
export const load: PageServerLoad = async ({ params, locals }) => {
  const fair = await loadOr404(() => services().fairs.get(locals.user, routeId(params.id)));
  return { fair: { id: fair.id, title: fair.title }, isSeeker: locals.user?.role === 'seeker' };
};
