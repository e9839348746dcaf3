import { error, redirect } from '@sveltejs/kit';
import { routeId } from '#lib/ids.ts';
import { formAction, loadOr404, services } from '#lib/server/platform.ts';
import { field, formValues } from '#lib/server/form-values.ts';
import type { Actions, PageServerLoad } from './$types';

/** Seconds as typed ("12.5", "1:02.5") -> ms; NaN when it is not a time (the service then refuses it). */
function toMs(text: string): number {
  const parts = text.trim().split(':').map(Number);
  if (!parts.length || parts.some((p) => !Number.isFinite(p) || p < 0)) return Number.NaN;
  return Math.round(parts.reduce((total, p) => total * 60 + p, 0) * 1000);
}

/**
 * A broadcast's captions and chapters for its hosts: who captions, every cue (correct text and
 * times after the end), the chapter markers, and the chapters the Q&A adds. The services decide who
 * may; this page only asks.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const id = routeId(params.id);
  const { broadcasts, captions, chapters } = services();
  const { broadcast, isHost, ended } = await loadOr404(() => broadcasts.access(locals.user, id));
  if (!isHost) error(403, 'Only the broadcast’s hosts and organizers manage its captions');
  const [captioners, cues, marks, list] = await Promise.all([
    captions.captioners(locals.user, id),
    captions.cues(locals.user, id),
    chapters.marks(locals.user, id),
    chapters.list(locals.user, id),
  ]);
  return {
    broadcast: { id: broadcast.id, title: broadcast.title, startsAt: broadcast.startsAt, endsAt: broadcast.endsAt },
    ended,
    captioners,
    cues,
    marks,
    fromQuestions: list.filter((c) => c.kind === 'question'),
  };
};

const id = (params: { id: string }) => routeId(params.id);

export const actions: Actions = {
  assign: async ({ request, locals, params }) => {
    const values = { ...formValues(await request.formData()), _form: 'assign' };
    const outcome = await formAction(values, () => services().captions.assign(locals.user, id(params), values));
    return outcome.ok ? { _form: 'assign', done: outcome.result.name } : outcome.failure;
  },
  unassign: async ({ request, locals, params }) => {
    const data = await request.formData();
    const outcome = await formAction({ _form: 'unassign' }, () => services().captions.unassign(locals.user, id(params), routeId(field(data, 'userId'))));
    return outcome.ok ? { _form: 'unassign', done: 'ok' } : outcome.failure;
  },
  editCue: async ({ request, locals, params }) => {
    const data = await request.formData();
    const cueId = routeId(field(data, 'cueId'));
    const values = { ...formValues(data), _form: `cue-${cueId}` };
    const input = { body: field(data, 'body'), startMs: toMs(field(data, 'start')), endMs: toMs(field(data, 'end')) };
    const outcome = await formAction(values, () => services().captions.edit(locals.user, id(params), cueId, input));
    return outcome.ok ? { _form: `cue-${cueId}`, done: 'saved' } : outcome.failure;
  },
  deleteCue: async ({ request, locals, params }) => {
    const cueId = routeId(field(await request.formData(), 'cueId'));
    const outcome = await formAction({ _form: `cue-${cueId}` }, () => services().captions.remove(locals.user, id(params), cueId));
    return outcome.ok ? { _form: 'deleted', done: 'deleted' } : outcome.failure;
  },
  addChapter: async ({ request, locals, params }) => {
    const data = await request.formData();
    const values = { ...formValues(data), _form: 'chapter-new' };
    const input = { title: field(data, 'title'), atMs: toMs(field(data, 'at')) };
    const outcome = await formAction(values, () => services().chapters.mark(locals.user, id(params), input));
    return outcome.ok ? { _form: 'chapter-new', done: outcome.result.title } : outcome.failure;
  },
  editChapter: async ({ request, locals, params }) => {
    const data = await request.formData();
    const markId = routeId(field(data, 'markId'));
    const values = { ...formValues(data), _form: `chapter-${markId}` };
    const input = { title: field(data, 'title'), atMs: toMs(field(data, 'at')) };
    const outcome = await formAction(values, () => services().chapters.edit(locals.user, id(params), markId, input));
    return outcome.ok ? { _form: `chapter-${markId}`, done: 'saved' } : outcome.failure;
  },
  deleteChapter: async ({ request, locals, params }) => {
    const markId = routeId(field(await request.formData(), 'markId'));
    const outcome = await formAction({ _form: `chapter-${markId}` }, () => services().chapters.remove(locals.user, id(params), markId));
    return outcome.ok ? { _form: 'deleted', done: 'deleted' } : outcome.failure;
  },
};
