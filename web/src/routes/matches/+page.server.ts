import { error, redirect } from '@sveltejs/kit';
import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user;
  if (!user) redirect(303, '/sign-in?next=/matches');
  if (user.role !== 'seeker') error(403, 'Matches are for job seekers');
  const { profile, matches } = await services().matching.forSeeker(user);
  return {
    expected: { min: profile.salaryMin, max: profile.salaryMax, currency: profile.currency },
    hasSkills: profile.skills.length > 0,
    matches: matches.map(({ job, match }) => ({
      id: job.id,
      title: job.title,
      employerName: job.employerName,
      location: job.location,
      jobType: job.jobType,
      salaryMin: job.salaryMin,
      salaryMax: job.salaryMax,
      currency: job.currency,
      score: match.score,
      reason: {
        skillsMatched: match.reason.skills.matched,
        skillsTotal: match.reason.skills.total,
        skillNames: match.reason.skills.names,
        salary: match.reason.salary,
        location: match.reason.location,
        jobType: match.reason.jobType,
      },
    })),
  };
};
