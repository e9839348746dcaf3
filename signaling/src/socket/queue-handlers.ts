import { ServiceError } from '@fairground/core';
import {
  emptySchema,
  queueBoothSchema,
  queueCallSchema,
  queueDutySchema,
  queueEntrySchema,
  type QueuePlace,
} from '../protocol/index.ts';
import type { Connection, ConnectionDeps } from './connection.ts';
import { handle } from './handle.ts';
import { dutyRoom, userRoom } from './queue-publisher.ts';
import { joinStaffRoom } from './staff-room.ts';

/** The booth line over the socket: seekers join, leave and accept; recruiters staff and call. */
export function registerQueueHandlers(conn: Connection, deps: ConnectionDeps): void {
  const { socket, log, limiter } = conn;
  const { services, presence, queue: publisher } = deps;
  const user = socket.data.user;
  const dutyOf = new Set<string>();

  const placeOf = async (boothId: string): Promise<QueuePlace> => {
    const mine = await services.queue.placeIn(user!.id, boothId);
    if (!mine) throw new ServiceError('NOT_FOUND', 'You are not in this line');
    const [onDuty, median] = await Promise.all([presence.count(dutyRoom(boothId)), publisher.medianOf(boothId)]);
    return {
      boothId,
      employerName: await publisher.employerNameOf(boothId),
      entryId: mine.entry.id,
      status: mine.entry.status,
      position: mine.entry.status === 'waiting' ? mine.position : 0,
      etaSeconds: mine.entry.status === 'waiting' ? services.queue.estimateSeconds(mine.position, onDuty, median) : 0,
      acceptBy: mine.entry.acceptBy?.toISOString() ?? null,
    };
  };

  handle(socket, 'queue:join', queueBoothSchema, limiter, log, async ({ boothId }) => {
    if (user && !deps.joinLimiter(user.id).take()) throw new ServiceError('RATE_LIMITED', 'Too many joins; wait a moment');
    const open = (await presence.count(dutyRoom(boothId))) > 0;
    await services.queue.join(user, boothId, open);
    return placeOf(boothId);
  });

  handle(socket, 'queue:leave', queueBoothSchema, limiter, log, async ({ boothId }) => {
    await services.queue.leave(user, boothId);
    return null;
  });

  handle(socket, 'queue:places', emptySchema, limiter, log, async () => {
    if (!user) return [];
    const places = await services.queue.placesOf(user.id);
    return Promise.all(places.map((p) => placeOf(p.entry.boothId)));
  });

  handle(socket, 'queue:accept', queueEntrySchema, limiter, log, async ({ entryId }) => {
    const interview = await services.queue.accept(user, entryId);
    deps.io.to(userRoom(interview.recruiterId)).emit('interview:ready', { interviewId: interview.id });
    return { interviewId: interview.id };
  });

  handle(socket, 'queue:duty', queueDutySchema, limiter, log, async ({ boothId, onDuty }) => {
    await services.queue.requireStaff(user, boothId);
    if (!(await joinStaffRoom(socket, services, boothId))) {
      throw new ServiceError('NOT_AUTHORIZED', 'Only the booth’s recruiters can do this');
    }
    if (onDuty) {
      await presence.add(dutyRoom(boothId), socket.data.identity, socket.id);
      dutyOf.add(boothId);
    } else {
      await presence.remove(dutyRoom(boothId), socket.data.identity, socket.id);
      dutyOf.delete(boothId);
    }
    await publisher.publishNow(boothId);
    return {
      boothId,
      line: [],
      stats: { waiting: 0, onDuty: await presence.count(dutyRoom(boothId)), medianWaitSeconds: null, medianInterviewSeconds: null, interviewed: 0, interviewsToday: 0, visited: 0, conversion: 0 },
    };
  });

  handle(socket, 'queue:call-next', queueBoothSchema, limiter, log, async ({ boothId }) => {
    const entry = await services.queue.callNext(user, boothId);
    if (!entry) return null;
    log.info({ boothId, entryId: entry.id }, 'called');
    return { entryId: entry.id };
  });

  handle(socket, 'queue:call', queueCallSchema, limiter, log, async ({ boothId, entryId, reason }) => {
    const entry = await services.queue.callSpecific(user, boothId, entryId, reason);
    log.info({ boothId, entryId, reason }, 'called out of turn');
    return { entryId: entry.id };
  });

  socket.on('disconnect', () => {
    for (const boothId of dutyOf) {
      presence
        .remove(dutyRoom(boothId), socket.data.identity, socket.id)
        .then(() => publisher.changed(boothId))
        .catch(() => {});
    }
  });
}
