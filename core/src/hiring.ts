import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { membership, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import { enqueueBoothEvent } from './outbox.ts';
import { validate } from './validate.ts';

const { candidateStages, interviews, booths, employers, users, resumeShares } = schema;

export type HiringStage = (typeof schema.hiringStage.enumValues)[number];
/** In the order a candidacy moves through them (`not_a_fit` ends it at any point). */
export const HIRING_STAGES: readonly HiringStage[] = schema.hiringStage.enumValues;

export const stageSchema = z.object({
  stage: z.enum(schema.hiringStage.enumValues, { error: 'invalid' }),
  occurredOn: z.iso.date({ error: 'invalid' }),
  shared: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()).default(false),
  note: z.string().trim().max(2000, 'too_long').default(''),
});

export type CandidateStage = typeof candidateStages.$inferSelect;

/**
 * The funnel to hire past the interview: per candidate and employer, a history of stages (next
 * round, offer made, offer accepted, hired, or not a fit), each with its date. The employer's team
 * records them and chooses which the candidate sees. Each recorded stage is an `outcome.recorded`
 * webhook (through the outbox, in the same transaction), as the interview's own outcome is.
 */
export class HiringService {
  constructor(private readonly db: Db) {}

  /** The interview and the actor, who must be on its employer's team. */
  async #staffOf(actor: Actor, interviewId: string) {
    const user = requireUser(actor);
    const [row] = await this.db
      .select({ interview: interviews, employerId: booths.employerId })
      .from(interviews)
      .innerJoin(booths, eq(booths.id, interviews.boothId))
      .where(eq(interviews.id, interviewId));
    if (!row) throw new ServiceError('NOT_FOUND', 'No such interview');
    if (!(await membership(this.db, user.id, row.employerId))) throw new ServiceError('NOT_AUTHORIZED', 'Only the employer’s team records its hiring');
    return { ...row, user };
  }

  /**
   * Records a stage of the candidacy an interview started (again: corrects its date, note and
   * sharing; still one row per stage). Not before the interview took place.
   */
  async record(actor: Actor, interviewId: string, input: unknown): Promise<CandidateStage> {
    const { interview, employerId, user } = await this.#staffOf(actor, interviewId);
    const data = validate(stageSchema, input);
    if (data.occurredOn < interview.createdAt.toISOString().slice(0, 10)) {
      throw new ServiceError('INVALID', 'A stage cannot be dated before the interview', { occurredOn: 'before_interview' });
    }
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const values = { stage: data.stage, occurredOn: data.occurredOn, shared: data.shared, note: data.note, recordedBy: user.id, recordedAt: new Date() };
      const [row] = await db
        .insert(candidateStages)
        .values({ ...values, employerId, seekerId: interview.seekerId, interviewId, boothId: interview.boothId })
        .onConflictDoUpdate({ target: [candidateStages.interviewId, candidateStages.stage], set: values })
        .returning();
      await enqueueBoothEvent(db, 'outcome.recorded', interview.boothId, {
        interviewId,
        seekerId: interview.seekerId,
        recruiterId: interview.recruiterId,
        outcome: data.stage,
        stage: data.stage,
        occurredOn: data.occurredOn,
        sharedWithCandidate: data.shared,
      });
      return row!;
    });
  }

  /** The whole history of this interview's candidate with its employer (every interview), oldest first. Staff only. */
  async history(actor: Actor, interviewId: string) {
    const { interview, employerId } = await this.#staffOf(actor, interviewId);
    return this.db
      .select({
        id: candidateStages.id,
        interviewId: candidateStages.interviewId,
        stage: candidateStages.stage,
        occurredOn: candidateStages.occurredOn,
        shared: candidateStages.shared,
        note: candidateStages.note,
        recordedBy: users.name,
      })
      .from(candidateStages)
      .leftJoin(users, eq(users.id, candidateStages.recordedBy))
      .where(and(eq(candidateStages.employerId, employerId), eq(candidateStages.seekerId, interview.seekerId)))
      .orderBy(asc(candidateStages.occurredOn), asc(candidateStages.recordedAt));
  }

  /** What employers shared with this seeker, newest first (never a note or an unshared stage). */
  async sharedWith(actor: Actor) {
    const user = requireUser(actor);
    return this.db
      .select({ interviewId: candidateStages.interviewId, employerName: employers.name, stage: candidateStages.stage, occurredOn: candidateStages.occurredOn })
      .from(candidateStages)
      .innerJoin(employers, eq(employers.id, candidateStages.employerId))
      .where(and(eq(candidateStages.seekerId, user.id), eq(candidateStages.shared, true)))
      .orderBy(desc(candidateStages.occurredOn), desc(candidateStages.recordedAt));
  }
}

/** Hiring figures of some booths: seekers at each stage (distinct), and resumes received. */
export interface HiringFigures {
  /** Resumes shared with the employer through the booth's interviews (one per seeker). */
  resumesReceived: number;
  nextRound: number;
  offers: number;
  offersAccepted: number;
  hires: number;
}

const ZERO: HiringFigures = { resumesReceived: 0, nextRound: 0, offers: 0, offersAccepted: 0, hires: 0 };

/** Per booth and in total (a seeker hired at two booths counts once in the total). */
export async function hiringFigures(db: Db, boothIds: string[]): Promise<{ total: HiringFigures; byBooth: Map<string, HiringFigures> }> {
  const byBooth = new Map<string, HiringFigures>(boothIds.map((id) => [id, { ...ZERO }]));
  if (boothIds.length === 0) return { total: { ...ZERO }, byBooth };
  const n = (stage: HiringStage) => sql<number>`count(distinct ${candidateStages.seekerId}) filter (where ${candidateStages.stage} = ${stage})::int`;
  const stageColumns = { nextRound: n('next_round'), offers: n('offer_made'), offersAccepted: n('offer_accepted'), hires: n('hired') };
  const inBooths = inArray(candidateStages.boothId, boothIds);
  const resumes = sql<number>`count(distinct ${interviews.seekerId})::int`;
  const resumeJoin = and(inArray(interviews.boothId, boothIds));
  const [stageTotal, stageRows, resumeTotal, resumeRows] = await Promise.all([
    db.select(stageColumns).from(candidateStages).where(inBooths),
    db
      .select({ boothId: candidateStages.boothId, ...stageColumns })
      .from(candidateStages)
      .where(inBooths)
      .groupBy(candidateStages.boothId),
    db.select({ n: resumes }).from(resumeShares).innerJoin(interviews, eq(interviews.id, resumeShares.interviewId)).where(resumeJoin),
    db
      .select({ boothId: interviews.boothId, n: resumes })
      .from(resumeShares)
      .innerJoin(interviews, eq(interviews.id, resumeShares.interviewId))
      .where(resumeJoin)
      .groupBy(interviews.boothId),
  ]);
  for (const { boothId, ...counts } of stageRows) Object.assign(byBooth.get(boothId)!, counts);
  for (const r of resumeRows) byBooth.get(r.boothId)!.resumesReceived = r.n;
  const total = { ...ZERO, ...(stageTotal[0] ?? {}), resumesReceived: resumeTotal[0]?.n ?? 0 };
  return { total, byBooth };
}
