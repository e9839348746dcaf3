import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { schema, type Db } from '@fairground/db';
import { ServiceError } from './errors.ts';
import { takeWindow } from './window-limit.ts';

const { screenCodes } = schema;

/**
 * The short code on a fair's hall screens: a seeker types it where they ask for their comparison
 * (/fairs/[id]/compare, the kiosk), which shows they stand before a screen. Letters and digits
 * that cannot be misread for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B): 23^5 ≈ 6.4 million codes.
 */
export const SCREEN_CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY349';
export const SCREEN_CODE_LENGTH = 5;
/** A code is shown this long, then the next screen request rotates it. */
export const SCREEN_CODE_SECONDS = 120;
/** The code before still works this long after it rotated (the seeker was typing it). */
export const SCREEN_CODE_GRACE_SECONDS = 60;

/** Attempts at a code allowed per seeker, and wrong codes per fair (every seeker), per window. */
export interface ScreenCodeLimits {
  perSeeker: number;
  wrongPerFair: number;
  windowSeconds: number;
}

export const defaultScreenCodeLimits: ScreenCodeLimits = { perSeeker: 6, wrongPerFair: 100, windowSeconds: 600 };

export interface ScreenCode {
  code: string;
  expiresAt: Date;
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < SCREEN_CODE_LENGTH; i++) code += SCREEN_CODE_ALPHABET[randomInt(SCREEN_CODE_ALPHABET.length)];
  return code;
}

/** What a seeker typed, as codes are kept: upper case, without spaces or dashes. */
export const normalizeScreenCode = (typed: string) => typed.replace(/[\s-]/g, '').toUpperCase();

/**
 * The fair's code now: the one shown if it still runs, else a fresh one (the old kept for the
 * grace). One statement, so screens asking at once on any nodes all get the same code.
 */
export async function currentScreenCode(db: Db, fairId: string, now = new Date()): Promise<ScreenCode> {
  const expiresAt = new Date(now.getTime() + SCREEN_CODE_SECONDS * 1000);
  const [rotated] = await db
    .insert(screenCodes)
    .values({ fairId, code: newCode(), expiresAt })
    .onConflictDoUpdate({
      target: screenCodes.fairId,
      set: {
        code: sql`excluded.code`,
        expiresAt: sql`excluded.expires_at`,
        previousCode: sql`${screenCodes.code}`,
        previousExpiresAt: sql`${screenCodes.expiresAt}`,
      },
      setWhere: sql`${screenCodes.expiresAt} <= ${now.toISOString()}::timestamptz`,
    })
    .returning({ code: screenCodes.code, expiresAt: screenCodes.expiresAt });
  if (rotated) return rotated;
  const [row] = await db.select({ code: screenCodes.code, expiresAt: screenCodes.expiresAt }).from(screenCodes).where(eq(screenCodes.fairId, fairId));
  return row!;
}

/**
 * Checks a seeker's typed code against the fair's, within the limits: every attempt counts for the
 * seeker, every wrong one for the fair (all of its seekers), both in Postgres for every node. A
 * wrong code is INVALID (field `code`); past a limit, RATE_LIMITED, right code or not.
 */
export async function checkScreenCode(db: Db, fairId: string, seekerId: string, typed: string, limits: ScreenCodeLimits, now = new Date()): Promise<void> {
  const { perSeeker, wrongPerFair, windowSeconds } = limits;
  if (!(await takeWindow(db, `screen-code:seeker:${seekerId}`, perSeeker, windowSeconds, now.getTime()))) {
    throw new ServiceError('RATE_LIMITED', 'Too many codes tried; wait a few minutes');
  }
  const code = normalizeScreenCode(typed);
  const [row] = await db.select().from(screenCodes).where(eq(screenCodes.fairId, fairId));
  const graceEnds = row?.previousExpiresAt ? row.previousExpiresAt.getTime() + SCREEN_CODE_GRACE_SECONDS * 1000 : 0;
  const right =
    !!row && code.length === SCREEN_CODE_LENGTH && ((row.code === code && row.expiresAt > now) || (row.previousCode === code && graceEnds > now.getTime()));
  // The fair's wrong-code window is read for right codes too: while it is full, nobody gets through.
  const fairOpen = right
    ? await fairWindowOpen(db, fairId, wrongPerFair, windowSeconds, now)
    : await takeWindow(db, `screen-code:fair:${fairId}`, wrongPerFair, windowSeconds, now.getTime());
  if (!fairOpen) throw new ServiceError('RATE_LIMITED', 'Too many wrong codes at this fair; wait a few minutes');
  if (!right) throw new ServiceError('INVALID', 'That is not the code on the screen', { code: 'wrong' });
}

async function fairWindowOpen(db: Db, fairId: string, max: number, windowSeconds: number, now: Date): Promise<boolean> {
  const { rateLimits } = schema;
  const [row] = await db
    .select()
    .from(rateLimits)
    .where(eq(rateLimits.key, `screen-code:fair:${fairId}`));
  return !row || Number(row.lastRequest) < now.getTime() - windowSeconds * 1000 || row.count <= max;
}
