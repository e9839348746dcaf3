import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  const id = routeId(params.id);
  const { employers, fairs } = services();
  const { job, employer } = await loadOr404(() => employers.job(id));
  // Where seekers can meet this employer: an approved booth at a live or upcoming fair, live
  // first. A booth of an ended fair is no place to meet anyone (its line is closed).
  const order = { live: 0, published: 1 } as const;
  const booths = (await fairs.boothsOfEmployer(employer.id))
    .filter((b) => b.booth.status === 'approved' && (b.fair.status === 'live' || b.fair.status === 'published'))
    .sort((a, b) => order[a.fair.status as keyof typeof order] - order[b.fair.status as keyof typeof order]);
  const staff = locals.user?.role === 'employer' && (await employers.mine(locals.user)).some((r) => r.employer.id === employer.id);
  return {
    job,
    employer: {
      id: employer.id,
      name: employer.name,
      industry: employer.industry,
      location: employer.location,
      description: employer.description,
      logoUploadId: employer.logoUploadId,
    },
    booths: booths.map((b) => ({ id: b.booth.id, fair: b.fair })),
    canEdit: staff,
  };
};
