import { and, asc, eq, exists, gt, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '@fairground/db';
import { requireRole, requireUser, type Actor } from './actor.ts';
import { ServiceError } from './errors.ts';
import type { InvitationMail } from './invitations.ts';
import { mailLanguage, noMail } from './mail.ts';
import { enqueueWebhookEvent } from './outbox.ts';
import { validate } from './validate.ts';

const { fairs, fairSurveys, surveyAnswers, booths, queueEntries, employerMembers, users } = schema;

/** Fairs that ended longer ago than this get no survey mail (a deploy does not mail last year's fairs). */
const SEND_WITHIN_MS = 7 * 24 * 3600_000;

export const surveyQuestionsSchema = z.object({
  ratingQuestion: z.string().trim().max(300, 'too_long').default(''),
  commentQuestion: z.string().trim().max(300, 'too_long').default(''),
});

export const surveyAnswerSchema = z.object({
  rating: z.coerce.number({ error: 'invalid' }).int('invalid').min(1, 'invalid').max(5, 'invalid'),
  comments: z.string().trim().max(2000, 'too_long').default(''),
});

export type Respondent = 'seeker' | 'employer';

/**
 * The post-fair survey: after a fair ends, the seekers who queued at one of its booths and the
 * teams of its employers answer once (a rating 1-5 and comments; the unique key makes it once).
 * The organizer words the two questions per fair (empty: the default, in the reader's language).
 * Invitations go out once per fair, in-app (the fair's page) and by mail; each answer is a
 * `survey.answered` webhook through the outbox, in the answer's transaction.
 */
export class SurveyService {
  constructor(
    private readonly db: Db,
    private readonly mail: InvitationMail = { mailer: noMail, origin: 'http://localhost:3000' },
  ) {}

  async #fair(fairId: string) {
    const [fair] = await this.db.select().from(fairs).where(eq(fairs.id, fairId));
    if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
    return fair;
  }

  /** The organizer's wording (nulls: the defaults). */
  async questions(fairId: string): Promise<{ rating: string | null; comment: string | null }> {
    const [row] = await this.db.select().from(fairSurveys).where(eq(fairSurveys.fairId, fairId));
    return { rating: row?.ratingQuestion ?? null, comment: row?.commentQuestion ?? null };
  }

  /** Organizers word the questions; an empty one goes back to the default. */
  async configure(actor: Actor, fairId: string, input: unknown) {
    requireRole(actor, 'organizer');
    await this.#fair(fairId);
    const data = validate(surveyQuestionsSchema, input);
    const values = { ratingQuestion: data.ratingQuestion || null, commentQuestion: data.commentQuestion || null, updatedAt: new Date() };
    await this.db
      .insert(fairSurveys)
      .values({ fairId, ...values })
      .onConflictDoUpdate({ target: fairSurveys.fairId, set: values });
    return this.questions(fairId);
  }

  /** How this user took part in the fair (null: not at all). */
  async #respondent(userId: string, fairId: string): Promise<Respondent | null> {
    const [row] = await this.db
      .select({
        seeker: sql<boolean>`${exists(
          this.db
            .select({ one: sql`1` })
            .from(queueEntries)
            .innerJoin(booths, eq(booths.id, queueEntries.boothId))
            .where(and(eq(booths.fairId, fairId), eq(queueEntries.seekerId, userId))),
        )}`,
        employer: sql<boolean>`${exists(
          this.db
            .select({ one: sql`1` })
            .from(employerMembers)
            .innerJoin(booths, eq(booths.employerId, employerMembers.employerId))
            .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved'), eq(employerMembers.userId, userId))),
        )}`,
      })
      .from(sql`(select 1) one`);
    if (row?.employer) return 'employer';
    if (row?.seeker) return 'seeker';
    return null;
  }

  /** The survey as this user sees it: may they answer, have they, with which questions. */
  async forMe(actor: Actor, fairId: string) {
    const user = requireUser(actor);
    const fair = await this.#fair(fairId);
    const [respondent, questions, [answer]] = await Promise.all([
      this.#respondent(user.id, fairId),
      this.questions(fairId),
      this.db
        .select({ rating: surveyAnswers.rating, comments: surveyAnswers.comments, answeredAt: surveyAnswers.answeredAt })
        .from(surveyAnswers)
        .where(and(eq(surveyAnswers.fairId, fairId), eq(surveyAnswers.userId, user.id))),
    ]);
    return {
      fair: { id: fair.id, title: fair.title, status: fair.status },
      open: fair.status === 'ended' && respondent !== null,
      respondent,
      questions,
      answer: answer ?? null,
    };
  }

  /** One answer per person, after the fair, from those who took part. */
  async answer(actor: Actor, fairId: string, input: unknown) {
    const user = requireUser(actor);
    const fair = await this.#fair(fairId);
    if (fair.status !== 'ended') throw new ServiceError('CONFLICT', 'The survey opens when the fair has ended');
    const respondent = await this.#respondent(user.id, fairId);
    if (!respondent) throw new ServiceError('NOT_AUTHORIZED', 'Only those who took part in the fair answer its survey');
    const data = validate(surveyAnswerSchema, input);
    const questions = await this.questions(fairId);
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [row] = await db
        .insert(surveyAnswers)
        .values({ fairId, userId: user.id, respondent, rating: data.rating, comments: data.comments, questions })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ServiceError('CONFLICT', 'You have answered this survey already');
      await enqueueWebhookEvent(db, {
        type: 'survey.answered',
        subject: `fair:${fairId}`,
        employerId: null,
        fairId,
        data: { fairId, answerId: row.id, respondent, rating: row.rating, comments: row.comments },
        at: row.answeredAt,
      });
      return row;
    });
  }

  /**
   * The clock's part: each fair that ended (within the last week) sends its invitations once,
   * whichever node gets there first (the claim is one conditional upsert). Returns the mails sent.
   */
  async sendDue(now = new Date()): Promise<number> {
    const due = await this.db
      .select({ fairId: fairs.id })
      .from(fairs)
      .leftJoin(fairSurveys, eq(fairSurveys.fairId, fairs.id))
      .where(and(eq(fairs.status, 'ended'), gt(fairs.endsAt, new Date(now.getTime() - SEND_WITHIN_MS)), isNull(fairSurveys.sentAt)));
    const claimed: string[] = [];
    for (const { fairId } of due) {
      // The claim: one conditional upsert, so exactly one node (and one pass) sends a fair's mail.
      const [won] = await this.db
        .insert(fairSurveys)
        .values({ fairId, sentAt: now })
        .onConflictDoUpdate({ target: fairSurveys.fairId, set: { sentAt: now }, setWhere: isNull(fairSurveys.sentAt) })
        .returning({ fairId: fairSurveys.fairId });
      if (won) claimed.push(won.fairId);
    }
    let sent = 0;
    for (const fairId of claimed) {
      const fair = await this.#fair(fairId);
      for (const person of await this.#participants(fairId)) {
        const lang = mailLanguage(person.locale);
        const link = `${this.mail.origin}/fairs/${fairId}/survey`;
        await this.mail.mailer
          .send(
            lang === 'zh'
              ? {
                  to: person.email,
                  subject: `「${fair.title}」满意度调查`,
                  text: [`感谢参加「${fair.title}」。请花一分钟告诉我们你的感受：`, link, '', '—— Fairground 招聘会'].join('\n'),
                }
              : {
                  to: person.email,
                  subject: `How was ${fair.title}?`,
                  text: [`Thank you for taking part in ${fair.title}. Tell us how it went (one minute):`, link, '', '— Fairground'].join('\n'),
                },
          )
          .then(() => (sent += 1))
          .catch(() => {});
      }
    }
    return sent;
  }

  /** Everyone who took part: seekers who queued at its booths, and its employers' teams. */
  async #participants(fairId: string) {
    const boothIds = (
      await this.db
        .select({ id: booths.id })
        .from(booths)
        .where(and(eq(booths.fairId, fairId), eq(booths.status, 'approved')))
    ).map((b) => b.id);
    if (boothIds.length === 0) return [];
    const seekers = this.db.selectDistinct({ id: queueEntries.seekerId }).from(queueEntries).where(inArray(queueEntries.boothId, boothIds));
    const staff = this.db
      .selectDistinct({ id: employerMembers.userId })
      .from(employerMembers)
      .innerJoin(booths, eq(booths.employerId, employerMembers.employerId))
      .where(inArray(booths.id, boothIds));
    return this.db
      .select({ email: users.email, locale: users.locale })
      .from(users)
      .where(and(sql`${users.id} in (${seekers} union ${staff})`, eq(users.emailVerified, true)))
      .orderBy(asc(users.email));
  }

  /** For the fair report: the answers (no names) and their averages. */
  async results(fairId: string) {
    const answers = await this.db
      .select({ respondent: surveyAnswers.respondent, rating: surveyAnswers.rating, comments: surveyAnswers.comments, answeredAt: surveyAnswers.answeredAt })
      .from(surveyAnswers)
      .where(eq(surveyAnswers.fairId, fairId))
      .orderBy(asc(surveyAnswers.answeredAt));
    const average = (list: typeof answers) => (list.length ? list.reduce((n, a) => n + a.rating, 0) / list.length : null);
    const seekers = answers.filter((a) => a.respondent === 'seeker');
    const employers = answers.filter((a) => a.respondent === 'employer');
    return {
      answers,
      summary: [
        { respondent: 'seeker' as const, answers: seekers.length, averageRating: average(seekers) },
        { respondent: 'employer' as const, answers: employers.length, averageRating: average(employers) },
      ],
    };
  }
}
