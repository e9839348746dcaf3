import { error } from '@sveltejs/kit';
import { getBooth, getFair, listJobs } from '@fairground/db';
import { membership } from '@fairground/core';
import { db } from '$lib/server/platform';
import { routeId } from '$lib/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  const booth = await getBooth(db(), routeId(params.id));
  if (!booth) error(404, 'Not found');
  const [fair, jobs] = await Promise.all([getFair(db(), booth.fairId), listJobs(db(), [booth.employer.id])]);
  if (!fair || fair.status === 'draft') error(404, 'Not found');
  const isStaff = locals.user ? Boolean(await membership(db(), locals.user.id, booth.employer.id)) : false;
  return { booth, fair: { id: fair.id, title: fair.title }, jobs, isStaff, isSeeker: locals.user?.role === 'seeker' };
};
