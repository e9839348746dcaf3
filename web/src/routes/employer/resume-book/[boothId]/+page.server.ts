import { redirect } from '@sveltejs/kit';
import { ServiceError } from '@fairground/core';
import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** The search form's fields, as the page echoes them back. */
const FILTER_KEYS = ['skills', 'location', 'jobType', 'salaryMin', 'salaryMax', 'currency', 'graduationYear'] as const;

export const load: PageServerLoad = async ({ params, locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const boothId = routeId(params.boothId);
  const { resumeBook, candidateInvitations } = services();
  // The booth first: a refusal (not staff, no such booth, fair over) is the error page.
  const booth = await loadOr404(() => resumeBook.boothOf(user, boothId));
  const typed = Object.fromEntries(FILTER_KEYS.map((k) => [k, url.searchParams.get(k) ?? '']));
  const input = { ...typed, page: url.searchParams.get('page') ?? '' };
  const filtered = FILTER_KEYS.some((k) => typed[k] !== '' && k !== 'currency');
  const sent = await candidateInvitations.sentFromBooth(user, boothId);
  const head = { booth: { id: booth.id, employerName: booth.employerName, fair: booth.fair }, typed, filtered, sent };
  try {
    const found = await resumeBook.search(user, boothId, input);
    return {
      ...head,
      errors: {} as Record<string, string>,
      hasJobs: found.results.some((r) => r.match !== null) || found.total === 0,
      total: found.total,
      page: found.page,
      pages: found.pages,
      results: found.results.map(({ seeker, match }) => ({
        seeker: {
          id: seeker.id,
          name: seeker.name,
          headline: seeker.headline,
          skills: seeker.skills,
          locations: seeker.locations,
          jobTypes: seeker.jobTypes,
          salaryMin: seeker.salaryMin,
          salaryMax: seeker.salaryMax,
          currency: seeker.currency,
          graduationYear: seeker.graduationYear,
          yearsExperience: seeker.yearsExperience,
        },
        match: match && {
          title: match.title,
          score: match.score,
          reason: {
            skillsMatched: match.reason.skills.matched,
            skillsTotal: match.reason.skills.total,
            salary: match.reason.salary,
            location: match.reason.location,
            jobType: match.reason.jobType,
          },
        },
      })),
    };
  } catch (e) {
    // A refused filter is shown beside its field, with no results, rather than an error page.
    if (e instanceof ServiceError && e.code === 'INVALID') {
      return { ...head, errors: e.fields, hasJobs: true, total: 0, page: 1, pages: 1, results: [] };
    }
    throw e;
  }
};
