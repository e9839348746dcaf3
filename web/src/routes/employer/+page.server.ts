import { error, fail, redirect } from '@sveltejs/kit';
import { formAction, services } from '#lib/server/platform.ts';
import { field, formFile, formValues, idField } from '#lib/server/form-values.ts';
import type { EmployerInput } from '@fairground/core/schemas';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (user.role === 'seeker') redirect(303, '/profile');
  if (user.role !== 'employer') error(403, 'The employer console is for employer accounts');

  const { employers, fairs } = services();
  const [mine, invitations] = await Promise.all([employers.mine(user), employers.invitationsFor(user)]);
  const choice = mine.find((r) => r.employer.id === url.searchParams.get('e')) ?? mine[0];
  const notice = url.searchParams.get('notice');
  const base = {
    mine: mine.map((r) => ({ id: r.employer.id, name: r.employer.name, role: r.role })),
    invitations,
    notice: notice === 'job_created' || notice === 'job_deleted' ? notice : null,
    userId: user.id,
  };
  if (!choice) return { ...base, current: null };

  const id = choice.employer.id;
  const [members, jobs, booths, allFairs, teamBookings] = await Promise.all([
    employers.members(user, id),
    employers.jobs(id),
    fairs.boothsOfEmployer(id),
    fairs.list(user),
    services().slots.teamBookings(user, id),
  ]);
  // What needs staffing first: live fairs, then upcoming ones, then drafts; ended fairs last (their
  // booths keep their reports). Within a status, by start time, as boothsOfEmployer returns them.
  const order = { live: 0, published: 1, draft: 2, ended: 3 } as const;
  booths.sort((a, b) => order[a.fair.status] - order[b.fair.status]);
  const taken = new Set(booths.map((b) => b.fair.id));
  return {
    ...base,
    current: { employer: choice.employer, role: choice.role },
    members,
    jobs,
    booths,
    teamBookings,
    openFairs: allFairs
      .filter((f) => (f.status === 'published' || f.status === 'live') && !taken.has(f.id))
      .map((f) => ({ id: f.id, title: f.title, status: f.status })),
  };
};

/** Each form names its employer; the services decide whether this user may act for it. */
export const actions: Actions = {
  company: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'company' };
    const outcome = await formAction(values, () => services().employers.update(locals.user, idField(data, 'employerId'), values as unknown as EmployerInput));
    return outcome.ok ? { done: 'company' } : outcome.failure;
  },

  logo: async ({ request, locals }) => {
    const data = await request.formData();
    const employerId = idField(data, 'employerId');
    const file = await formFile(data, 'logo');
    if (!file) return fail(400, { values: { _form: 'logo' }, errors: { file: 'file_missing' } as Record<string, string> });
    // Only the owner may: the service asks before storing anything.
    const outcome = await formAction({ _form: 'logo' }, () => services().employers.uploadLogo(locals.user, employerId, file));
    return outcome.ok ? { done: 'logo' } : outcome.failure;
  },

  removeLogo: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ _form: 'logo' }, () => services().employers.setLogo(locals.user, idField(data, 'employerId'), null));
    return outcome.ok ? { done: 'logo_removed' } : outcome.failure;
  },

  invite: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'invite' };
    const outcome = await formAction(values, () => services().employers.invite(locals.user, idField(data, 'employerId'), { email: field(data, 'email') }));
    return outcome.ok ? { done: 'invite', email: field(data, 'email').trim().toLowerCase() } : outcome.failure;
  },

  removeMember: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { _form: 'team', userId: field(data, 'userId') };
    const outcome = await formAction(values, () => services().employers.removeMember(locals.user, idField(data, 'employerId'), idField(data, 'userId')));
    return outcome.ok ? { done: 'removed', name: field(data, 'name') } : outcome.failure;
  },

  apply: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'apply' };
    const outcome = await formAction(values, () =>
      services().fairs.apply(locals.user, idField(data, 'employerId'), { fairId: field(data, 'fairId'), tagline: field(data, 'tagline') }),
    );
    return outcome.ok ? { done: 'applied' } : outcome.failure;
  },

  acceptBooth: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { _form: 'booth', boothId: field(data, 'boothId') };
    const outcome = await formAction(values, () => services().fairs.acceptInvitation(locals.user, idField(data, 'boothId')));
    return outcome.ok ? { done: 'booth_accepted', boothId: field(data, 'boothId') } : outcome.failure;
  },

  tagline: async ({ request, locals }) => {
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'booth' };
    const outcome = await formAction(values, () => services().fairs.setTagline(locals.user, idField(data, 'boothId'), field(data, 'tagline')));
    return outcome.ok ? { done: 'tagline', boothId: field(data, 'boothId') } : outcome.failure;
  },

  /** An invitation to join another employer's team. */
  join: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ _form: 'join' }, () => services().employers.acceptInvitation(locals.user, idField(data, 'invitationId')));
    if (!outcome.ok) return outcome.failure;
    redirect(303, `/employer?e=${outcome.result.employerId}`);
  },
};
