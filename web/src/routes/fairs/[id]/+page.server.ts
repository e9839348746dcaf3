import { error } from '@sveltejs/kit';
import { getFair, listBooths } from '@fairground/db';
import { db } from '$lib/server/platform';
import { routeId } from '$lib/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
  const id = routeId(params.id);
  const fair = await getFair(db(), id);
  if (!fair || fair.status === 'draft') error(404, 'Not found');
  return { fair, booths: await listBooths(db(), id) };
};
