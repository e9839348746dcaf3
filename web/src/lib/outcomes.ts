import { m } from '#lib/paraglide/messages.js';

export const OUTCOME_KEYS = ['next_round', 'offer', 'not_a_fit', 'no_show'] as const;
export type OutcomeKey = (typeof OUTCOME_KEYS)[number];

const text = { next_round: m.outcome_next_round, offer: m.outcome_offer, not_a_fit: m.outcome_not_a_fit, no_show: m.outcome_no_show } as const;
export const outcomeText = (o: OutcomeKey) => text[o]();
