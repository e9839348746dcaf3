import type { Logger } from 'pino';
import { bestMatch, funnelReport, interviewsStartedSince, startOfDay, type Services } from '@fairground/core';
import type { Db } from '@fairground/db';
import { coalescer } from '../../live/coalesce.ts';
import type { PresenceStore } from '@fairground/core';
import type { AppServer } from '../../app/types.ts';
import { dutyRoom, staffRoom, userRoom } from '../../app/rooms.ts';
import type { QueueLine, QueueLineItem, QueuePlace } from '../../protocol/index.ts';

export interface QueuePublisherOptions {
  io: AppServer;
  db: Db;
  services: Services;
  presence: PresenceStore;
  log: Logger;
  /** How often the clock (no-shows, grace periods) is applied. */
  sweepMs?: number;
  /** Told after each push of a booth's line (the organizers' dashboard follows lines). */
  afterPublish?: (boothId: string) => void;
}

/**
 * Pushes each line's state to whoever needs it after any change: the full line and booth numbers
 * to its recruiters, each waiting seeker their own place and estimate. Also runs the queue's
 * clock and calls the next seeker for a recruiter whose call went unanswered.
 */
export function createQueuePublisher(options: QueuePublisherOptions) {
  const { io, db, services, presence, log } = options;

  // Slow-moving numbers (medians, the funnel, names) are read at most every few seconds per booth,
  // so a burst of joins does not turn into a burst of aggregate queries.
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  function cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  }
  const medianOf = (boothId: string) => cached(`median:${boothId}`, 3000, () => services.queue.medianInterviewSeconds(boothId));
  const funnelOf = (boothId: string) => cached(`funnel:${boothId}`, 2000, () => funnelReport(db, [boothId]));
  const boothOf = (boothId: string) => cached(`booth:${boothId}`, 60_000, () => services.booths.header(boothId));
  const employerNameOf = async (boothId: string) => (await boothOf(boothId)).employerName;
  // "Today" is the fair's day, on its own clock, not the server's.
  const interviewsTodayOf = (boothId: string) =>
    cached(`today:${boothId}`, 2000, async () => interviewsStartedSince(db, [boothId], startOfDay(new Date(), (await boothOf(boothId)).timeZone)));

  // A booth's jobs change rarely; a recruiter editing one sees the new match within a few seconds.
  const jobsOf = (boothId: string) => cached(`jobs:${boothId}`, 5000, () => services.matching.jobsOfBooth(boothId));

  let closed = false;

  async function publish(boothId: string): Promise<void> {
    const [line, onDuty, median, funnel, employerName, interviewsToday, jobs] = await Promise.all([
      services.queue.line(boothId),
      presence.count(dutyRoom(boothId)),
      medianOf(boothId),
      funnelOf(boothId),
      employerNameOf(boothId),
      interviewsTodayOf(boothId),
      jobsOf(boothId),
    ]);
    const matchOf = (l: (typeof line)[number]): QueueLineItem['match'] => {
      const best = bestMatch(l, jobs);
      return best
        ? {
            jobId: best.jobId,
            jobTitle: best.title,
            score: best.score,
            skillsMatched: best.reason.skills.matched,
            skillsTotal: best.reason.skills.total,
            salary: best.reason.salary,
            location: best.reason.location,
            jobType: best.reason.jobType,
          }
        : null;
    };
    const payload: QueueLine = {
      boothId,
      line: line.map((l) => ({
        entryId: l.entryId,
        seekerId: l.seekerId,
        name: l.name,
        headline: l.headline ?? '',
        skills: l.skills,
        yearsExperience: l.yearsExperience ?? 0,
        salaryMin: l.salaryMin,
        salaryMax: l.salaryMax,
        status: l.status as 'waiting' | 'called',
        position: l.position,
        joinedAt: l.joinedAt.toISOString(),
        resumeFileId: l.resumeFileId ?? null,
        disconnected: l.disconnected,
        onSite: l.onSite,
        match: matchOf(l),
        booked: l.bookedFor && l.bookedAt ? { recruiterId: l.bookedFor, startsAt: l.bookedAt.toISOString() } : null,
      })),
      stats: {
        waiting: line.filter((l) => l.status === 'waiting').length,
        onDuty,
        medianWaitSeconds: funnel.medianWaitSeconds,
        medianInterviewSeconds: funnel.medianInterviewSeconds,
        interviewed: funnel.interviewed,
        interviewsToday,
        visited: funnel.visited,
        conversion: funnel.conversion,
      },
    };
    // Shutting down: the sockets and the pub/sub this would go through are closing.
    if (closed) return;
    io.to(staffRoom(boothId)).emit('queue:line', payload);
    let waitingPosition = 0;
    for (const l of line) {
      if (l.status === 'waiting') waitingPosition += 1;
      const place: QueuePlace = {
        boothId,
        employerName,
        entryId: l.entryId,
        status: l.status as QueuePlace['status'],
        position: l.status === 'waiting' ? waitingPosition : 0,
        etaSeconds: l.status === 'waiting' ? services.queue.estimateSeconds(waitingPosition, onDuty, median) : 0,
        acceptBy: l.acceptBy ? l.acceptBy.toISOString() : null,
        booked: l.bookedFor != null,
        onSite: l.onSite,
      };
      io.to(userRoom(l.seekerId)).emit('queue:place', place);
    }
    options.afterPublish?.(boothId);
  }

  const publisher = coalescer(publish, 150, (err) => log.warn({ err }, 'queue publish failed'));

  /**
   * Tells a seeker their entry's status when it leaves the line (no-show, gone past the grace
   * period, into an interview, done): line pushes cover only waiting and called entries.
   */
  const ended = async (entry: { id: string; boothId: string; seekerId: string; status: string; onSite: boolean }) =>
    io.to(userRoom(entry.seekerId)).emit('queue:place', {
      boothId: entry.boothId,
      employerName: await employerNameOf(entry.boothId),
      entryId: entry.id,
      status: entry.status as QueuePlace['status'],
      position: 0,
      etaSeconds: 0,
      acceptBy: null,
      onSite: entry.onSite,
    });

  // Every change of a line (whichever service call or clock made it) is pushed from here.
  const unsubscribe = [
    services.events.on('queue.changed', ({ boothId }) => publisher.schedule(boothId)),
    services.events.on('queue.ended', ({ entry }) => ended(entry)),
    // A walk-in's phone follows its desk interview to the end (an online seeker is in the room).
    services.events.on('interview.ended', ({ interview }) => {
      if (interview.mode === 'on_site') {
        void ended({ id: interview.entryId, boothId: interview.boothId, seekerId: interview.seekerId, status: 'done', onSite: true }).catch(() => {});
      }
    }),
  ];

  /** The queue's clock (no-shows call the next seeker): the rule is core's, this only runs it. */
  async function sweep(): Promise<void> {
    // Booked slots whose time has come go ahead of their recruiter's line (once across nodes).
    for (const booking of await services.slots.activateDue()) {
      log.info({ boothId: booking.boothId, bookingId: booking.id, entryId: booking.entryId }, 'booked slot joined the line');
    }
    for (const next of await services.queue.sweepAndCallNext()) {
      log.info({ boothId: next.boothId, entryId: next.id }, 'called next after a no-show');
    }
  }

  const timer = setInterval(() => {
    sweep().catch((err: unknown) => log.warn({ err }, 'queue sweep failed'));
  }, options.sweepMs ?? 1000);
  timer.unref();

  return {
    employerNameOf,
    medianOf,
    /** Pushes one entry's status to its seeker (an entry that left the line's pushes). */
    tell: ended,
    /** Schedules a push of this booth's line (coalesced). */
    changed: (boothId: string) => publisher.schedule(boothId),
    /** Pushes now (after a request, so the requester sees the result at once). */
    publishNow: publish,
    sweep,
    close(): void {
      closed = true;
      for (const off of unsubscribe) off();
      clearInterval(timer);
      publisher.close();
    },
  };
}

export type QueuePublisher = ReturnType<typeof createQueuePublisher>;
