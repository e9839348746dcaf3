import { error } from '@sveltejs/kit';
import { listJobs } from '@fairground/db';
import { ServiceError, visibleBooth } from '@fairground/core';
import { db, services } from '#lib/server/platform.ts';
import { routeId } from '#lib/ids.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  // The same rule as the booth socket join (core's visibleBooth): draft fairs' booths are not found.
  const found = await visibleBooth(db(), locals.user, routeId(params.id)).catch((e: unknown) => {
    if (e instanceof ServiceError && e.code === 'NOT_FOUND') error(404, 'Not found');
    throw e;
  });
  const { booth, fair, isStaff } = found;
  const jobs = await listJobs(db(), [booth.employer.id]);
  // What the booth's own screen shows now (the console's switch starts from it).
  const screenMode = isStaff ? await services().venue.boothScreenMode(booth.id) : ('jobs' as const);
  return { booth, fair: { id: fair.id, title: fair.title }, jobs, isStaff, isSeeker: locals.user?.role === 'seeker', screenMode };
};
