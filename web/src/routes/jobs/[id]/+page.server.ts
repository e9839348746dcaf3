import { routeId } from '$lib/ids';
import { loadOr404, services } from '$lib/server/platform';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  const id = routeId(params.id);
  const { employers, fairs } = services();
  const { job, employer } = await loadOr404(() => employers.job(id));
  // Where seekers can meet this employer: an open booth at a fair that is not a draft, live first.
  const order = { live: 0, published: 1, ended: 2, draft: 3 } as const;
  const booths = (await fairs.boothsOfEmployer(employer.id))
    .filter((b) => b.booth.status === 'approved' && b.fair.status !== 'draft')
    .sort((a, b) => order[a.fair.status] - order[b.fair.status]);
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
