import { error, fail, redirect } from '@sveltejs/kit';
import { HTTP_STATUS, ServiceError, visibleBooth } from '@fairground/core';
import { isWalkInAddress } from '@fairground/db';
import { applyAuthCookies, auth, db, services } from '#lib/server/platform.ts';
import { routeId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

/** The booth as the hall sees it: the same visibility rule as the booth page (core's visibleBooth). */
async function boothOf(id: string, user: App.Locals['user']) {
  return visibleBooth(db(), user, routeId(id)).catch((e: unknown) => {
    if (e instanceof ServiceError && e.code === 'NOT_FOUND') error(404, 'Not found');
    throw e;
  });
}

export const load: PageServerLoad = async ({ params, locals }) => {
  const { booth, fair } = await boothOf(params.id, locals.user);
  // Opening the booth's QR code in the hall is an on-site visit (the funnel's first stage).
  if (locals.user?.role === 'seeker') await services().booths.visited(locals.user, booth.id, { onSite: true });
  return {
    booth: { id: booth.id, employerName: booth.employer.name, tagline: booth.tagline },
    fair: { id: fair.id, title: fair.title, live: fair.status === 'live' },
    isSeeker: locals.user?.role === 'seeker',
    isWalkIn: locals.user ? isWalkInAddress(locals.user.email) : false,
  };
};

export const actions: Actions = {
  /** The short sign-up: a walk-in identity signed in on this phone (core/src/walk-ins.ts). */
  start: async ({ request, params, locals, cookies, getClientAddress, url }) => {
    const { booth } = await boothOf(params.id, locals.user);
    if (locals.user) redirect(303, url.pathname);
    const form = Object.fromEntries(await request.formData());
    const values = { name: String(form.name ?? ''), contact: String(form.contact ?? '') };
    try {
      const { setCookies } = await services().walkIns.start(auth(), values, getClientAddress());
      applyAuthCookies(cookies, setCookies);
    } catch (e) {
      if (e instanceof ServiceError) {
        const errors = Object.keys(e.fields).length ? e.fields : { form: e.code };
        return fail(HTTP_STATUS[e.code], { values, errors: errors as Record<string, string> });
      }
      throw e;
    }
    // A full page load: the realtime connection starts signed in as the walk-in.
    redirect(303, `/booths/${booth.id}/walk-in?joined=1`);
  },
};
