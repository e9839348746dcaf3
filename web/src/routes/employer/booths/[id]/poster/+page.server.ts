import { error, redirect } from '@sveltejs/kit';
import { requireMember } from '@fairground/core';
import { getBooth } from '@fairground/db';
import { db, loadOr404 } from '#lib/server/platform.ts';
import { routeId } from '#lib/ids.ts';
import type { PageServerLoad } from './$types';

/** The booth's printable line poster: its staff only (the QR code itself is public, the console is not). */
export const load: PageServerLoad = async ({ params, locals, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const booth = await getBooth(db(), routeId(params.id));
  if (!booth) error(404, 'Not found');
  await loadOr404(() => requireMember(db(), locals.user, booth.employer.id));
  return {
    booth: { id: booth.id, employerName: booth.employer.name, tagline: booth.tagline },
    // The address the hall's phones open: this site's own origin, as the request reached it.
    walkInUrl: `${url.origin}/booths/${booth.id}/walk-in`,
  };
};
