import { listBroadcasts, listFairs } from '@fairground/db';
import { db } from '$lib/server/platform';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const [fairs, broadcasts] = await Promise.all([listFairs(db()), listBroadcasts(db())]);
  return {
    fairs: fairs.filter((f) => f.status !== 'draft'),
    broadcasts: broadcasts.filter((b) => b.endsAt.getTime() > Date.now()),
  };
};
