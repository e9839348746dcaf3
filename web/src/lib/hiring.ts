import { m } from '#lib/paraglide/messages.js';

/** The stages towards hiring, in order, with their words (core/src/hiring.ts). */
export const STAGES = [
  ['next_round', m.hire_stage_next_round],
  ['offer_made', m.hire_stage_offer_made],
  ['offer_accepted', m.hire_stage_offer_accepted],
  ['hired', m.hire_stage_hired],
  ['not_a_fit', m.hire_stage_not_a_fit],
] as const;

export type StageKey = (typeof STAGES)[number][0];

export const stageLabel = (stage: string): string => STAGES.find(([key]) => key === stage)?.[1]() ?? stage;
