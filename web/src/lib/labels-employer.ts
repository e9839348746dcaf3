import type * as core from '@fairground/core/schemas';
import { m } from '#lib/paraglide/messages.js';
import { getLocale } from '#lib/paraglide/runtime.js';

// Enum values of employers, jobs and booths in the reader's language (see also labels.ts).

export const currencies = ['CNY', 'USD', 'EUR', 'HKD'] as const;
export const employerSizes = ['1-49', '50-199', '200-999', '1000+'] as const;
export const benefitCodes = ['social_insurance', 'housing_fund', 'meals', 'dormitory', 'accident_insurance', 'training'] as const;
export const jobTypes = ['full_time', 'part_time', 'gig', 'internship'] as const;

// Copies of the schemas' lists (importing the schemas would put zod into the browser bundle);
// these lines stop compiling if the two ever differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type ListsMatchTheSchemas = [
  Expect<Same<(typeof benefitCodes)[number], (typeof core.benefitCodes)[number]>>,
  Expect<Same<(typeof employerSizes)[number], (typeof core.employerSizes)[number]>>,
  Expect<Same<(typeof jobTypes)[number], (typeof core.jobTypes)[number]>>,
  Expect<Same<(typeof currencies)[number], NonNullable<core.JobInput['currency']>>>,
];

/**
 * Industries offered in the company form. The schema takes any short text (older records and the
 * demo data use these codes too); a value outside this list is shown as it is.
 */
export const industries = [
  'software',
  'manufacturing',
  'agriculture',
  'logistics',
  'retail',
  'construction',
  'education',
  'healthcare',
  'finance',
  'hospitality',
  'public_service',
  'energy',
  'other',
] as const;

const industry: Record<(typeof industries)[number], () => string> = {
  software: m.industry_software,
  manufacturing: m.industry_manufacturing,
  agriculture: m.industry_agriculture,
  logistics: m.industry_logistics,
  retail: m.industry_retail,
  construction: m.industry_construction,
  education: m.industry_education,
  healthcare: m.industry_healthcare,
  finance: m.industry_finance,
  hospitality: m.industry_hospitality,
  public_service: m.industry_public_service,
  energy: m.industry_energy,
  other: m.industry_other,
};
const size: Record<(typeof employerSizes)[number], () => string> = {
  '1-49': m.size_1_49,
  '50-199': m.size_50_199,
  '200-999': m.size_200_999,
  '1000+': m.size_1000_plus,
};
const benefit: Record<(typeof benefitCodes)[number], () => string> = {
  social_insurance: m.benefit_social_insurance,
  housing_fund: m.benefit_housing_fund,
  meals: m.benefit_meals,
  dormitory: m.benefit_dormitory,
  accident_insurance: m.benefit_accident_insurance,
  training: m.benefit_training,
};
const boothStatus = {
  applied: m.booth_status_applied,
  invited: m.booth_status_invited,
  approved: m.booth_status_approved,
  rejected: m.booth_status_rejected,
} as const;
const memberRole = { owner: m.member_role_owner, recruiter: m.member_role_recruiter } as const;

const lookup = <T extends Record<string, () => string>>(table: T, value: string) => (Object.hasOwn(table, value) ? table[value as keyof T]!() : value);

export const industryLabel = (v: string) => lookup(industry, v);
export const sizeLabel = (v: string) => lookup(size, v);
export const benefitLabel = (v: string) => lookup(benefit, v);
export const boothStatusLabel = (v: keyof typeof boothStatus) => boothStatus[v]();
export const memberRoleLabel = (v: keyof typeof memberRole) => memberRole[v]();

/** Bytes as "1.2 MB" / "320 KB" in the reader's number format. */
export function formatSize(bytes: number): string {
  const fmt = (n: number) => new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 1 }).format(n);
  return bytes >= 1024 * 1024 ? `${fmt(bytes / 1024 / 1024)} MB` : `${fmt(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** The text of a list field ("a, b, c"), as the schemas split it back. */
export const listText = (items: readonly string[] | undefined | null) => (items ?? []).join(', ');

/** Splits a list field the way the schemas do (commas, 、, full-width commas, new lines). */
export const splitList = (text: string) => [
  ...new Set(
    text
      .split(/[,\n，、]/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];
