import { routeId } from '#lib/ids.ts';
import { displayKeyActions, loadDisplayKeys } from '#lib/server/display-keys.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

/** The fair's hall screens: its organizers issue and revoke their display keys. */
export const load: PageServerLoad = async (event) => {
  const fairId = routeId(event.params.id);
  const keys = await loadDisplayKeys(event, { kind: 'fair', fairId });
  const fair = await loadOr404(() => services().fairs.get(event.locals.user, fairId));
  return { title: fair.title, ...keys };
};

export const actions: Actions = displayKeyActions(({ params }) => ({ kind: 'fair', fairId: routeId(params.id!) }));
