import { redirect } from '@sveltejs/kit';
import type { IntegrationOwner } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { exportForm, integrationActions, loadIntegrations } from '#lib/server/integrations.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
  const owner: IntegrationOwner = { kind: 'employer', employerId: routeId(params.id) };
  // Core decides: staff of this employer read, its owner manages.
  const settings = await loadOr404(() => loadIntegrations(user, owner));
  const employer = await services().employers.get(owner.employerId);
  // The export picker's choices: the employer's open booths, by fair (read only after core let
  // this actor read the employer's settings, above).
  const booths = (await services().fairs.boothsOfEmployer(owner.employerId))
    .filter((b) => b.booth.status === 'approved')
    .map((b) => ({ id: b.booth.id, fairTitle: b.fair.title }));
  return { employer: { id: employer.id, name: employer.name }, ...settings, exportBooths: booths, exportForm: exportForm(url) };
};

export const actions: Actions = integrationActions(({ params }) => ({ kind: 'employer', employerId: routeId(params.id!) }));
