import { m } from '#lib/paraglide/messages.js';

/** The parts of a match's reason as core/src/matching.ts gives them (flattened for the wire). */
export interface ReasonParts {
  skillsMatched: number;
  skillsTotal: number;
  salary: 'within' | 'overlaps' | 'below' | 'above' | 'unknown';
  location: boolean | null;
  jobType: boolean | null;
}

const salaryText = {
  within: m.match_salary_within,
  overlaps: m.match_salary_overlaps,
  below: m.match_salary_below,
  above: m.match_salary_above,
} as const;

/** "4 of 5 skills, salary within your range, …" in the reader's language. */
export function matchReasonText(r: ReasonParts): string {
  const parts = [r.skillsTotal > 0 ? m.match_skills({ matched: r.skillsMatched, total: r.skillsTotal }) : m.match_no_skills()];
  if (r.salary !== 'unknown') parts.push(salaryText[r.salary]());
  if (r.location != null) parts.push(r.location ? m.match_location_yes() : m.match_location_no());
  if (r.jobType != null) parts.push(r.jobType ? m.match_type_yes() : m.match_type_no());
  return parts.join(m.match_reason_separator());
}

/** "salary within your range" (empty when the seeker named no range). */
export const salaryFitText = (fit: ReasonParts['salary']): string => (fit === 'unknown' ? '' : salaryText[fit]());

const candidateSalaryText = {
  within: m.rb_reason_salary_within,
  overlaps: m.rb_reason_salary_overlaps,
  below: m.rb_reason_salary_below,
  above: m.rb_reason_salary_above,
} as const;

/** The same reason from the employer's side ("2 of 2 skills, pay within their expectation, …"), for the resume book. */
export function candidateReasonText(r: ReasonParts): string {
  const parts = [r.skillsTotal > 0 ? m.rb_reason_skills({ matched: r.skillsMatched, total: r.skillsTotal }) : m.rb_reason_no_skills()];
  if (r.salary !== 'unknown') parts.push(candidateSalaryText[r.salary]());
  if (r.location != null) parts.push(r.location ? m.rb_reason_location_yes() : m.rb_reason_location_no());
  if (r.jobType != null) parts.push(r.jobType ? m.rb_reason_type_yes() : m.rb_reason_type_no());
  return parts.join(m.match_reason_separator());
}
