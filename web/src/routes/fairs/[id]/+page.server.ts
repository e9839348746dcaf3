import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

type Found = Awaited<ReturnType<ReturnType<typeof services>['fairs']['search']>>;
type Job = Found['booths'][number]['jobs'][number];

const contains = (text: string, part: string) => text.toLocaleLowerCase().includes(part.toLocaleLowerCase());

/**
 * Which of a matching booth's jobs to list. The search finds booths; when a booth matched a word
 * or a place only through some of its jobs, list just those jobs (the job type is applied by the
 * search already).
 */
function matchingJobs(booth: Found['booths'][number], f: Found['filters']): Job[] {
  let jobs = booth.jobs;
  const e = booth.employer;
  if (f.q && !(contains(e.name, f.q) || contains(e.industry, f.q) || contains(booth.tagline, f.q))) {
    jobs = jobs.filter((j) => contains(j.title, f.q!) || j.skills.some((s) => contains(s, f.q!)));
  }
  if (f.location && !contains(e.location, f.location)) jobs = jobs.filter((j) => contains(j.location, f.location!));
  return jobs;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
  const id = routeId(params.id);
  const { fairs } = services();
  const fair = await loadOr404(() => fairs.get(locals.user, id));
  const found = await fairs.search(locals.user, id, Object.fromEntries(url.searchParams));
  // A seeker's resume-book switch for this fair (off until they turn it on); null for anyone else.
  const resumeBook =
    locals.user?.role === 'seeker' && (fair.status === 'published' || fair.status === 'live')
      ? { optedIn: await services().resumeBook.isOptedIn(locals.user, id) }
      : null;
  const filtered = Boolean(found.filters.q || found.filters.industry || found.filters.jobType || found.filters.location);
  // After the fair: those who took part are asked for the survey here too (core/src/surveys.ts).
  const survey = fair.status === 'ended' && locals.user ? await services().surveys.forMe(locals.user, id) : null;
  return {
    fair,
    surveyDue: Boolean(survey?.open && !survey.answer),
    resumeBook,
    filters: found.filters,
    filtered,
    industries: found.industries,
    booths: found.booths.map((b) => ({
      id: b.id,
      tagline: b.tagline,
      employer: b.employer,
      jobs: matchingJobs(b, found.filters).map((j) => ({
        id: j.id,
        title: j.title,
        jobType: j.jobType,
        location: j.location,
        salaryMin: j.salaryMin,
        salaryMax: j.salaryMax,
        currency: j.currency,
      })),
    })),
  };
};
