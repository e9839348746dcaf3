import { requireOrganizer } from '$lib/server/organizer';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  requireOrganizer(locals.user, url);
};
