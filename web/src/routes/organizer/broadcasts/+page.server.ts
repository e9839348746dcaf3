import { formAction, services } from '#lib/server/platform.ts';
import { formValues, idField } from '#lib/server/form-values.ts';
import { broadcastInput, requireOrganizer } from '#lib/server/organizer.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requireOrganizer(locals.user, url);
  const { broadcasts, fairs } = services();
  const [upcoming, past, allFairs] = await Promise.all([broadcasts.upcoming(user), broadcasts.past(user), fairs.list(user)]);
  return {
    broadcasts: upcoming,
    /** Ended broadcasts, latest first: their reports stay available. */
    past,
    /** Fairs a broadcast may belong to: any not over yet. */
    fairs: allFairs.filter((f) => f.status !== 'ended').map((f) => ({ id: f.id, title: f.title })),
  };
};

export const actions: Actions = {
  /** A new broadcast is a draft until published; the times are wall times in the chosen zone. */
  create: async ({ request, locals }) => {
    const values = { ...formValues(await request.formData()), _form: 'create' };
    const outcome = await formAction(values, () => services().broadcasts.create(locals.user, broadcastInput(values)));
    return outcome.ok ? { _form: 'create', done: outcome.result.id } : outcome.failure;
  },

  publish: async ({ request, locals }) => {
    const id = idField(await request.formData(), 'broadcastId');
    const outcome = await formAction({ _form: 'publish' }, () => services().broadcasts.publish(locals.user, id));
    return outcome.ok ? { _form: 'publish', done: id } : outcome.failure;
  },
};
