import { m } from '#lib/paraglide/messages.js';

// Enum values from the database, turned into the reader's language in one place.
const fairStatus = {
  draft: m.fair_status_draft,
  published: m.fair_status_published,
  live: m.fair_status_live,
  ended: m.fair_status_ended,
} as const;
const theme = {
  graduates: m.theme_graduates,
  spring_campaign: m.theme_spring_campaign,
  employment_assistance: m.theme_employment_assistance,
  rural_revitalisation: m.theme_rural_revitalisation,
  flexible_work: m.theme_flexible_work,
  custom: m.theme_custom,
} as const;
const topic = {
  career_planning: m.topic_career_planning,
  interview_training: m.topic_interview_training,
  resume_clinic: m.topic_resume_clinic,
  policy_qa: m.topic_policy_qa,
  skills_training: m.topic_skills_training,
  company_presentation: m.topic_company_presentation,
} as const;
const jobType = {
  full_time: m.job_type_full_time,
  part_time: m.job_type_part_time,
  gig: m.job_type_gig,
  internship: m.job_type_internship,
} as const;

export const fairStatusLabel = (v: keyof typeof fairStatus) => fairStatus[v]();
export const themeLabel = (v: keyof typeof theme) => theme[v]();
export const topicLabel = (v: keyof typeof topic) => topic[v]();
export const jobTypeLabel = (v: keyof typeof jobType) => jobType[v]();
