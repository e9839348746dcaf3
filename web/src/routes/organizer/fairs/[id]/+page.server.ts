import { fail } from '@sveltejs/kit';
import { requireRole, utcToWallTime, validate, type FairStatus } from '@fairground/core';
import { fairSchema } from '@fairground/core/schemas';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import { field, formFile, formValues, idField } from '#lib/server/form-values.ts';
import { fairInput, requireOrganizer } from '#lib/server/organizer.ts';
import type { Actions, PageServerLoad } from './$types';

const STATUSES: readonly FairStatus[] = ['draft', 'published', 'live', 'ended'];

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = requireOrganizer(locals.user, url);
  const id = routeId(params.id);
  const { fairs, employers } = services();
  const fair = await loadOr404(() => fairs.get(user, id));
  const [booths, everyEmployer, slotRules] = await Promise.all([fairs.allBooths(user, id), employers.all(user), services().slots.settings(id)]);
  const taken = new Set(booths.map((b) => b.employer.id));
  return {
    fair,
    /** The saved times as the form shows them: wall times in the fair's zone. */
    local: { startsAt: utcToWallTime(fair.startsAt, fair.timeZone), endsAt: utcToWallTime(fair.endsAt, fair.timeZone) },
    created: url.searchParams.has('created'),
    booths: booths.map((b) => ({ id: b.booth.id, status: b.booth.status, tagline: b.booth.tagline, employer: b.employer })),
    slotRules,
    invitable: everyEmployer.filter((e) => !taken.has(e.id)).map((e) => ({ id: e.id, name: e.name, industry: e.industry })),
  };
};

export const actions: Actions = {
  /** Booked interview slots: bookings per seeker in this fair, and when changes close. */
  slotRules: async ({ request, locals, params }) => {
    const values = { ...formValues(await request.formData()), _form: 'slotRules' };
    const outcome = await formAction(values, () => services().slots.setSettings(locals.user, routeId(params.id), values));
    return outcome.ok ? { _form: 'slotRules', done: 'saved' } : outcome.failure;
  },
  update: async ({ request, locals, params }) => {
    const id = routeId(params.id);
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'update' };
    const input = fairInput(values);
    const outcome = await formAction(values, async () => {
      const { fairs, uploads } = services();
      requireRole(locals.user, 'organizer');
      validate(fairSchema, input);
      const file = await formFile(data, 'cover');
      const coverId = file ? await uploads.store(locals.user, 'cover', file) : null;
      await fairs.update(locals.user, id, input);
      if (coverId) await fairs.setCover(locals.user, id, coverId);
      else if (field(data, 'removeCover') === 'on') await fairs.setCover(locals.user, id, null);
    });
    return outcome.ok ? { _form: 'update', done: 'saved' } : outcome.failure;
  },

  /** A lifecycle move; a refused one says what the fair is now and what it cannot become. */
  status: async ({ request, locals, params }) => {
    const id = routeId(params.id);
    const to = field(await request.formData(), 'status') as FairStatus;
    if (!STATUSES.includes(to)) return fail(400, { values: { _form: 'status' }, errors: { form: 'invalid' } as Record<string, string> });
    const { fairs } = services();
    const outcome = await formAction({ _form: 'status' }, () => fairs.setStatus(locals.user, id, to));
    if (outcome.ok) return { _form: 'status', done: to };
    if (outcome.failure.status !== 409) return outcome.failure;
    const now = await loadOr404(() => fairs.get(locals.user, id));
    return fail(409, { values: { _form: 'status' }, errors: { form: 'status_refused' } as Record<string, string>, refused: { from: now.status, to } });
  },

  decide: async ({ request, locals }) => {
    const data = await request.formData();
    const decision = field(data, 'decision') === 'approved' ? 'approved' : 'rejected';
    const outcome = await formAction({ _form: 'booths' }, () => services().fairs.decide(locals.user, idField(data, 'boothId'), decision));
    if (!outcome.ok) {
      // The only conflict: someone decided this application first.
      const failure = outcome.failure;
      if (failure.status === 409) return fail(409, { values: { _form: 'booths' }, errors: { form: 'already_decided' } as Record<string, string> });
      return failure;
    }
    return { _form: 'booths', done: decision };
  },

  invite: async ({ request, locals, params }) => {
    const fairId = routeId(params.id);
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'invite' };
    if (!field(data, 'employerId')) return fail(400, { values, errors: { employerId: 'required' } as Record<string, string> });
    const outcome = await formAction(values, () => services().fairs.invite(locals.user, fairId, idField(data, 'employerId')));
    if (!outcome.ok) {
      const status = outcome.failure.status;
      if (status === 409) return fail(409, { values, errors: { employerId: 'already_at_fair' } as Record<string, string> });
      if (status === 404) return fail(404, { values, errors: { employerId: 'invalid' } as Record<string, string> });
      return outcome.failure;
    }
    return { _form: 'invite', done: 'invited' };
  },
};
