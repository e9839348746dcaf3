import { and, asc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { checkInAtKiosk, getBooth, getFair, listBooths, listJobs, onSiteSeekers, schema, type Db } from '@fairground/db';
import { requireMember, requireRole, type Actor } from './actor.ts';
import type { DisplayGrant } from './display-keys.ts';
import { checkScreenCode, currentScreenCode, defaultScreenCodeLimits, type ScreenCode, type ScreenCodeLimits } from './screen-codes.ts';

/** Which screen a display session opens (its grant, without the key's language). */
export type ScreenScope = Pick<DisplayGrant, 'kind' | 'fairId' | 'boothId'>;
import { ServiceError } from './errors.ts';
import { DomainEvents } from './events.ts';

const { broadcasts, screenComparisons, seekerProfiles, boothScreens } = schema;

/** How long a seeker's comparison stays on a hall screen; the server holds it to this. */
export const COMPARISON_SECONDS = 60;

/** A kiosk check-in counts the seeker in the hall this long (renewed at each kiosk visit). */
export const KIOSK_CHECK_IN_HOURS = 3;

export const BOOTH_SCREEN_MODES = ['camera', 'screen', 'jobs', 'line'] as const;
export type BoothScreenMode = (typeof BOOTH_SCREEN_MODES)[number];

/** A job as a screen shows it: nothing but what the employer published. */
export interface ScreenJob {
  id: string;
  title: string;
  location: string;
  jobType: string;
  salaryMin: number;
  salaryMax: number;
  currency: string;
  headcount: number;
}

export interface ScreenBooth {
  boothId: string;
  employerName: string;
  industry: string;
  tagline: string;
  jobs: ScreenJob[];
}

export interface ScreenBroadcast {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
}

/** What a hall screen cycles through; the live numbers come over the socket. */
export interface HallScreen {
  fair: { id: string; title: string; status: string; timeZone: string };
  booths: ScreenBooth[];
  /** On air now, and the next one of the fair (published broadcasts). */
  currentBroadcast: ScreenBroadcast | null;
  nextBroadcast: ScreenBroadcast | null;
}

/** A seeker's comparison as the screen gets it: their numbers and when it clears, no name. */
export interface ScreenComparison {
  /** When it went up: tells one showing from the next (the same seeker showing again is a new one). */
  shownAt: string;
  salaryMin: number;
  salaryMax: number;
  endsAt: string;
}

/**
 * The venue: what hall and booth screens show (read with a display grant, never an account), a
 * seeker's salary comparison on a hall screen (one at a time, one minute, enforced here in
 * Postgres), and what a booth's recruiter puts on the booth's screen.
 */
export class VenueService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents = new DomainEvents(),
    private readonly codeLimits: ScreenCodeLimits = defaultScreenCodeLimits,
  ) {}

  /**
   * Seekers in the hall now, each once: on-site seekers in the fair's lines (walk-ins) and seekers
   * checked in at the fair's kiosk in the last KIOSK_CHECK_IN_HOURS.
   */
  hallCount(fairId: string, now = new Date()): Promise<number> {
    return onSiteSeekers(this.db, fairId, now);
  }

  /**
   * A seeker registered or signed in at the fair's kiosk: they are in the hall for
   * KIOSK_CHECK_IN_HOURS from now (only while the fair is live; others are not counted).
   */
  async checkInAtKiosk(actor: Actor, fairId: string, now = new Date()): Promise<{ expiresAt: Date } | null> {
    const seeker = requireRole(actor, 'seeker');
    const fair = await getFair(this.db, fairId);
    if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
    if (fair.status !== 'live') return null;
    const expiresAt = new Date(now.getTime() + KIOSK_CHECK_IN_HOURS * 3600_000);
    await checkInAtKiosk(this.db, fair.id, seeker.id, now, expiresAt);
    this.events.emit('hall.changed', { fairId: fair.id });
    return { expiresAt };
  }

  /** The short code a hall screen of the fair shows now (core/src/screen-codes.ts), for its grant. */
  async screenCode(grant: ScreenScope | null, fairId: string, now = new Date()): Promise<ScreenCode> {
    this.requireHallGrant(grant, fairId);
    return currentScreenCode(this.db, fairId, now);
  }

  /** The grant opens this fair's hall screen, or NOT_AUTHORIZED. */
  requireHallGrant(grant: ScreenScope | null, fairId: string): void {
    if (!grant || grant.kind !== 'fair' || grant.fairId !== fairId) throw new ServiceError('NOT_AUTHORIZED', 'This screen needs its display key');
  }

  /** The grant opens this booth's screen, or NOT_AUTHORIZED. */
  requireBoothGrant(grant: ScreenScope | null, boothId: string): void {
    if (!grant || grant.kind !== 'booth' || grant.boothId !== boothId) throw new ServiceError('NOT_AUTHORIZED', 'This screen needs its display key');
  }

  private async screenBooths(fairId: string): Promise<ScreenBooth[]> {
    const list = await listBooths(this.db, fairId);
    const jobs = await listJobs(
      this.db,
      list.map((b) => b.employer.id),
    );
    return list.map((b) => ({
      boothId: b.id,
      employerName: b.employer.name,
      industry: b.employer.industry,
      tagline: b.tagline,
      jobs: jobs.filter((j) => j.employerId === b.employer.id).map(screenJob),
    }));
  }

  /** A fair's hall screen content, for a display grant of that fair. */
  async hallScreen(grant: ScreenScope | null, fairId: string, now = new Date(), pinned?: string): Promise<HallScreen> {
    this.requireHallGrant(grant, fairId);
    const fair = await getFair(this.db, fairId);
    if (!fair) throw new ServiceError('NOT_FOUND', 'No such fair');
    const casts = await this.db
      .select()
      .from(broadcasts)
      // A booth presentation is on its booth's screen, not the hall's.
      .where(and(eq(broadcasts.fairId, fairId), inArray(broadcasts.status, ['published']), gt(broadcasts.endsAt, now), isNull(broadcasts.boothId)))
      .orderBy(asc(broadcasts.startsAt));
    // A broadcast's own screen (`pinned`) shows that one, on air or next; the others the fair's first.
    const pin = pinned ? casts.find((b) => b.id === pinned) : undefined;
    const current = pin ? (pin.startsAt <= now ? pin : null) : (casts.find((b) => b.startsAt <= now) ?? null);
    const next = pin ? (pin.startsAt > now ? pin : null) : (casts.find((b) => b.startsAt > now) ?? null);
    return {
      fair: { id: fair.id, title: fair.title, status: fair.status, timeZone: fair.timeZone },
      booths: await this.screenBooths(fairId),
      currentBroadcast: current && screenBroadcast(current),
      nextBroadcast: next && screenBroadcast(next),
    };
  }

  /** The fair a published broadcast belongs to (its hall screen), or NOT_FOUND. */
  async fairOfBroadcast(broadcastId: string): Promise<string> {
    const [row] = await this.db
      .select({ fairId: broadcasts.fairId })
      .from(broadcasts)
      .where(and(eq(broadcasts.id, broadcastId), eq(broadcasts.status, 'published')));
    if (!row?.fairId) throw new ServiceError('NOT_FOUND', 'No such broadcast at a fair');
    return row.fairId;
  }

  /** A booth screen's content (employer, jobs, what its recruiter chose), for that booth's grant. */
  async boothScreen(grant: ScreenScope | null, boothId: string): Promise<{ booth: ScreenBooth; fairId: string; mode: BoothScreenMode }> {
    this.requireBoothGrant(grant, boothId);
    const booth = await getBooth(this.db, boothId);
    if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    const jobs = await listJobs(this.db, [booth.employer.id]);
    return {
      fairId: booth.fairId,
      booth: { boothId, employerName: booth.employer.name, industry: booth.employer.industry, tagline: booth.tagline, jobs: jobs.map(screenJob) },
      mode: await this.boothScreenMode(boothId),
    };
  }

  async boothScreenMode(boothId: string): Promise<BoothScreenMode> {
    const [row] = await this.db.select({ mode: boothScreens.mode }).from(boothScreens).where(eq(boothScreens.boothId, boothId));
    return row?.mode ?? 'jobs';
  }

  /** The booth's team chooses what its screen shows; the screens hear it through 'booth.screen'. */
  async setBoothScreen(actor: Actor, boothId: string, mode: BoothScreenMode): Promise<BoothScreenMode> {
    const booth = await getBooth(this.db, boothId);
    if (!booth) throw new ServiceError('NOT_FOUND', 'No such booth');
    const user = await requireMember(this.db, actor, booth.employer.id);
    if (!(BOOTH_SCREEN_MODES as readonly string[]).includes(mode)) throw new ServiceError('INVALID', 'No such screen mode', { mode: 'invalid' });
    await this.db
      .insert(boothScreens)
      .values({ boothId, mode, updatedBy: user.id, updatedAt: new Date() })
      .onConflictDoUpdate({ target: boothScreens.boothId, set: { mode, updatedBy: user.id, updatedAt: new Date() } });
    this.events.emit('booth.screen', { boothId, mode });
    return mode;
  }

  /**
   * A signed-in seeker puts their expected salary on a fair's hall screens for COMPARISON_SECONDS,
   * with the short code a screen shows now (attempts limited: core/src/screen-codes.ts).
   * One at a time per fair: the row is taken only when the last one has run out (or was theirs),
   * in one statement, so two seekers pressing at once on any nodes cannot both show.
   */
  async showComparison(actor: Actor, fairId: string, code: string, now = new Date()): Promise<ScreenComparison> {
    const seeker = requireRole(actor, 'seeker');
    const parsed = z.uuid().safeParse(fairId);
    const fair = parsed.success ? await getFair(this.db, parsed.data) : null;
    if (!fair || fair.status !== 'live') throw new ServiceError('NOT_FOUND', 'No such fair open now');
    await checkScreenCode(this.db, fair.id, seeker.id, code, this.codeLimits, now);
    const [profile] = await this.db
      .select({ salaryMin: seekerProfiles.salaryMin, salaryMax: seekerProfiles.salaryMax })
      .from(seekerProfiles)
      .where(eq(seekerProfiles.userId, seeker.id));
    if (!profile?.salaryMin || !profile.salaryMax) {
      throw new ServiceError('INVALID', 'Add your expected salary to your profile first', { salary: 'required' });
    }
    const endsAt = new Date(now.getTime() + COMPARISON_SECONDS * 1000);
    const values = { fairId: fair.id, userId: seeker.id, salaryMin: profile.salaryMin, salaryMax: profile.salaryMax, startedAt: now, endsAt };
    const [row] = await this.db
      .insert(screenComparisons)
      .values(values)
      .onConflictDoUpdate({
        target: screenComparisons.fairId,
        set: values,
        // Someone else's minute still running: nothing is taken.
        setWhere: sql`${screenComparisons.endsAt} <= ${now.toISOString()}::timestamptz or ${screenComparisons.userId} = ${seeker.id}`,
      })
      .returning();
    if (!row) throw new ServiceError('CONFLICT', 'Another comparison is on the screen; try again in a minute');
    this.events.emit('screen.comparison', { fairId: fair.id });
    return { shownAt: row.startedAt.toISOString(), salaryMin: row.salaryMin, salaryMax: row.salaryMax, endsAt: row.endsAt.toISOString() };
  }

  /** The seeker takes their comparison off the screen before the minute is up. */
  async clearComparison(actor: Actor, fairId: string, now = new Date()): Promise<void> {
    const user = requireRole(actor, 'seeker');
    const parsed = z.uuid().safeParse(fairId);
    if (!parsed.success) throw new ServiceError('NOT_FOUND', 'No such fair');
    const cleared = await this.db
      .update(screenComparisons)
      .set({ endsAt: now })
      .where(and(eq(screenComparisons.fairId, parsed.data), eq(screenComparisons.userId, user.id), gt(screenComparisons.endsAt, now)))
      .returning({ fairId: screenComparisons.fairId });
    if (cleared.length) this.events.emit('screen.comparison', { fairId: parsed.data });
  }

  /** The comparison showing now on a fair's hall screen, if any (numbers only). */
  async comparison(fairId: string, now = new Date()): Promise<ScreenComparison | null> {
    const [row] = await this.db
      .select()
      .from(screenComparisons)
      .where(and(eq(screenComparisons.fairId, fairId), gt(screenComparisons.endsAt, now), ne(screenComparisons.salaryMax, 0)));
    return row ? { shownAt: row.startedAt.toISOString(), salaryMin: row.salaryMin, salaryMax: row.salaryMax, endsAt: row.endsAt.toISOString() } : null;
  }
}

function screenJob(j: typeof schema.jobs.$inferSelect): ScreenJob {
  return {
    id: j.id,
    title: j.title,
    location: j.location,
    jobType: j.jobType,
    salaryMin: j.salaryMin,
    salaryMax: j.salaryMax,
    currency: j.currency,
    headcount: j.headcount,
  };
}

function screenBroadcast(b: typeof broadcasts.$inferSelect): ScreenBroadcast {
  return { id: b.id, title: b.title, startsAt: b.startsAt.toISOString(), endsAt: b.endsAt.toISOString() };
}
