import { error, fail, redirect } from '@sveltejs/kit';
import { HTTP_STATUS, ServiceError } from '@fairground/core';
import { getFair } from '@fairground/db';
import { applyAuthCookies, auth, db, services } from '#lib/server/platform.ts';
import { routeId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

const refusal = (e: unknown, values: Record<string, string>) => {
  if (!(e instanceof ServiceError)) throw e;
  const errors = Object.keys(e.fields).length ? e.fields : { form: e.code };
  return fail(HTTP_STATUS[e.code], { values, errors: errors as Record<string, string> });
};

async function fairOf(id: string) {
  const fair = await getFair(db(), routeId(id));
  if (!fair || fair.status === 'draft') error(404, 'Not found');
  return fair;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
  const fair = await fairOf(params.id);
  // On the phone after the hand-off: the same matches, without the kiosk's sign-out clock.
  const onPhone = url.searchParams.get('on') === 'phone';
  // A seeker using the kiosk is in the hall: counted on the hall screens for a while (docs/ARCHITECTURE.md, "Hall count").
  if (locals.user?.role === 'seeker' && !onPhone) await services().venue.checkInAtKiosk(locals.user, fair.id);
  const matches =
    locals.user?.role === 'seeker'
      ? (await services().matching.forSeekerAtFair(locals.user, fair.id)).matches.slice(0, 8).map(({ job, match }) => ({
          id: job.id,
          title: job.title,
          employerName: job.employerName,
          boothId: job.boothId,
          location: job.location,
          salaryMin: job.salaryMin,
          salaryMax: job.salaryMax,
          currency: job.currency,
          score: match.score,
        }))
      : [];
  return { fair: { id: fair.id, title: fair.title }, matches, onPhone, isSeeker: locals.user?.role === 'seeker' };
};

export const actions: Actions = {
  /** Registers at the kiosk: a walk-in identity (core/src/walk-ins.ts) and the profile that matching reads. */
  register: async ({ request, params, cookies, getClientAddress, locals }) => {
    const fair = await fairOf(params.id);
    if (locals.user) redirect(303, `/fairs/${fair.id}/kiosk`);
    const form = Object.fromEntries(await request.formData());
    const values = Object.fromEntries(['name', 'contact', 'skills', 'salaryMin', 'salaryMax', 'location'].map((k) => [k, String(form[k] ?? '')]));
    let started: Awaited<ReturnType<ReturnType<typeof services>['walkIns']['start']>>;
    try {
      started = await services().walkIns.start(auth(), { name: values.name, contact: values.contact }, getClientAddress());
    } catch (e) {
      return refusal(e, values);
    }
    applyAuthCookies(cookies, started.setCookies);
    const me = await auth().userFor(new Headers({ cookie: started.setCookies.map((c) => c.split(';')[0]).join('; ') }));
    // What the profile form would take; a refusal here leaves the walk-in signed in without a profile (they can retry).
    await services()
      .profiles.save(me, {
        name: values.name,
        skills: values
          .skills!.split(/[,，、]/)
          .map((s) => s.trim())
          .filter(Boolean),
        salaryMin: values.salaryMin,
        salaryMax: values.salaryMax,
        locations: values.location ? [values.location] : [],
      })
      .catch(() => undefined);
    redirect(303, `/fairs/${fair.id}/kiosk`);
  },

  /** A one-time code for the phone; this machine signs out in the same step (core/src/phone-hand-off.ts). */
  handOff: async ({ request, params, cookies, locals, url }) => {
    const fair = await fairOf(params.id);
    if (!locals.user) redirect(303, `/fairs/${fair.id}/kiosk`);
    const { token, expiresAt } = await services().phoneHandOff.issue(locals.user, `/fairs/${fair.id}/kiosk?on=phone`);
    applyAuthCookies(cookies, await auth().signOut(request.headers));
    // This response's pages (the header's "Signed in as") already show nobody.
    locals.user = null;
    return { handOff: { url: `${url.origin}/hand-off/${token}`, expiresAt: expiresAt.toISOString() } };
  },

  /** Puts the signed-in seeker's comparison on the hall screens, with the code a screen shows. */
  compare: async ({ request, params, locals }) => {
    const fair = await fairOf(params.id);
    if (!locals.user) redirect(303, `/fairs/${fair.id}/kiosk`);
    const code = String((await request.formData()).get('code') ?? '').slice(0, 16);
    try {
      await services().venue.showComparison(locals.user, fair.id, code);
    } catch (e) {
      return refusal(e, { code });
    }
    return { compared: true };
  },

  signOut: async ({ request, params, cookies }) => {
    applyAuthCookies(cookies, await auth().signOut(request.headers));
    redirect(303, `/fairs/${routeId(params.id)}/kiosk`);
  },
};
