import { requireOrganizer } from '#lib/server/organizer.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  requireOrganizer(locals.user, url);
};
