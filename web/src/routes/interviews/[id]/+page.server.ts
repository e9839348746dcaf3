import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { DEFAULT_TIME_ZONE } from '#lib/time.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const id = routeId(params.id);
  const view = await loadOr404(() => services().interviews.view(locals.user, id));
  const messages = view.role === 'staff' ? [] : await services().interviews.messages(locals.user, id);
  // The employer's team (interviewer, panel, colleagues) sees and records the stages towards hiring.
  const stages = view.role === 'seeker' ? [] : await services().hiring.history(locals.user, id);
  return { ...view, messages, stages, me: locals.user.id, today: todayIn(DEFAULT_TIME_ZONE) };
};

export const actions: Actions = {
  /** On-site: the seeker reached the desk; the interview starts (core checks the recruiter and the call). */
  desk: async ({ params, locals }) => {
    const id = routeId(params.id);
    const result = await formAction({}, async () => {
      const { interview } = await services().interviews.requireParticipant(locals.user, id);
      return services().queue.arrivedAtDesk(locals.user, interview.boothId, interview.entryId);
    });
    return result.ok ? { started: true } : result.failure;
  },
  end: async ({ params, locals }) => {
    const result = await formAction({}, () => services().interviews.end(locals.user, routeId(params.id)));
    return result.ok ? { ended: true } : result.failure;
  },
  assess: async ({ request, params, locals }) => {
    const values = Object.fromEntries(await request.formData());
    const result = await formAction(values, () => services().interviews.assess(locals.user, routeId(params.id), values));
    return result.ok ? { saved: true } : result.failure;
  },
  stage: async ({ request, params, locals }) => {
    const values = Object.fromEntries(await request.formData());
    const result = await formAction(values, () => services().hiring.record(locals.user, routeId(params.id), values));
    return result.ok ? { stageSaved: true } : result.failure;
  },
};

/** Today's date (YYYY-MM-DD) on the fairs' clock, not the server's (UTC is yesterday in Shanghai's morning). */
function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
