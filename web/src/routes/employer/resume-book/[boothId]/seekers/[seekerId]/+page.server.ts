import { redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import { field, formValues } from '#lib/server/form-values.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const boothId = routeId(params.boothId);
  const seekerId = routeId(params.seekerId);
  const { resumeBook, candidateInvitations } = services();
  // Opening the profile is what the view log records; a seeker who is not findable is a 404.
  const found = await loadOr404(() => resumeBook.profile(user, boothId, seekerId));
  const [sent, slots] = await Promise.all([candidateInvitations.sentFromBooth(user, boothId, seekerId), candidateInvitations.offerableSlots(user, boothId)]);
  return {
    slots,
    booth: found.booth,
    seeker: found.seeker,
    resume: found.resume,
    jobs: found.jobs,
    sent,
    matches: found.matches.map((x) => ({
      jobId: x.jobId,
      title: x.title,
      score: x.score,
      reason: {
        skillsMatched: x.reason.skills.matched,
        skillsTotal: x.reason.skills.total,
        salary: x.reason.salary,
        location: x.reason.location,
        jobType: x.reason.jobType,
      },
    })),
  };
};

export const actions: Actions = {
  /** The target is one select: `booth`, `job:<id>` or `slot:<id>`, split here into the invitation's kind. */
  invite: async ({ request, locals, params }) => {
    const data = await request.formData();
    const values = formValues(data);
    const target = field(data, 'target');
    const input = target.startsWith('job:')
      ? { kind: 'job', jobId: target.slice(4), message: field(data, 'message') }
      : target.startsWith('slot:')
        ? { kind: 'slot', slotId: target.slice(5), message: field(data, 'message') }
        : { kind: target, message: field(data, 'message') };
    const outcome = await formAction(values, () => services().candidateInvitations.invite(locals.user, params.boothId, params.seekerId, input));
    return outcome.ok ? { sent: true as const } : outcome.failure;
  },
};
