import { routeId } from '#lib/ids.ts';
import { displayKeyActions, loadDisplayKeys } from '#lib/server/display-keys.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

/** The booth's screen: its employer's team issue and revoke its display keys. */
export const load: PageServerLoad = async (event) => {
  const boothId = routeId(event.params.id);
  const keys = await loadDisplayKeys(event, { kind: 'booth', boothId });
  const { booth } = await loadOr404(() => services().booths.access(event.locals.user, boothId));
  return { employerName: booth.employer.name, ...keys };
};

export const actions: Actions = displayKeyActions(({ params }) => ({ kind: 'booth', boothId: routeId(params.id!) }));
