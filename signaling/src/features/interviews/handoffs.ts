import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { dutyRoom, interviewRoomId, userRoom } from '../../app/rooms.ts';
import { closeVideoHere, interviewState } from './handlers.ts';

/**
 * Hand-offs over the socket: the rules and the actor checks are core's (core/src/handoffs.ts);
 * this adds who is on duty (presence) and tells the people concerned. Ending the interview
 * (send back, transfer) goes through the services' `interview.ended`, as any end does: its media
 * room closes on every node and everyone in it gets the state.
 */
export function registerHandoffHandlers(conn: Connection, deps: FeatureDeps): void {
  const { user, log } = conn;
  const { services, presence, io, media } = deps;

  // A signed-in user's presence identity is `user:<id>` (app/auth.ts).
  const onDuty = (boothId: string, userId: string) => presence.connections(dutyRoom(boothId), `user:${userId}`).then((n) => n > 0);

  conn.on('interview:send-back', async ({ interviewId }) => {
    const entry = await services.handoffs.sendBack(user, interviewId);
    io.to(userRoom(entry.seekerId)).emit('interview:handed-off', { interviewId, boothId: entry.boothId, to: 'line' });
    log.info({ interviewId, entryId: entry.id }, 'sent back to the line');
    return { entryId: entry.id };
  });

  conn.on('interview:transfer', async ({ interviewId, colleagueId }) => {
    const { interview } = await services.interviews.requireParticipant(user, interviewId);
    const { entry, called } = await services.handoffs.transfer(user, interviewId, colleagueId, await onDuty(interview.boothId, colleagueId));
    io.to(userRoom(interview.seekerId)).emit('interview:handed-off', { interviewId, boothId: interview.boothId, to: 'colleague' });
    log.info({ interviewId, entryId: entry.id, colleagueId, called }, 'transferred');
    return { entryId: entry.id, called };
  });

  conn.on('interview:colleagues', async ({ interviewId }) => {
    const { interview } = await services.interviews.requireParticipant(user, interviewId);
    const colleagues = await services.handoffs.colleagues(user, interviewId);
    return Promise.all(colleagues.map(async (c) => ({ ...c, onDuty: await onDuty(interview.boothId, c.userId) })));
  });

  conn.on('interview:invite', async ({ interviewId, userId, role }) => {
    await services.handoffs.invite(user, interviewId, { userId, role });
    const panel = await services.handoffs.panel(interviewId);
    io.to(userRoom(userId)).emit('interview:invited', { interviewId, role, byName: user!.name });
    io.to(interviewRoomId(interviewId)).emit('interview:panel', { interviewId, panel });
    return panel;
  });

  conn.on('interview:audio-only', async ({ interviewId, audioOnly }) => {
    const row = await services.handoffs.setAudioOnly(user, interviewId, audioOnly);
    if (audioOnly) {
      // Refused from now on (media handlers read the row); the ones already sent close here and
      // on every other node. Clients stop their cameras on the state below.
      await closeVideoHere(media, interviewId);
      if (deps.crossNode) io.serverSideEmit('interview:audio-only', interviewId);
    }
    io.to(interviewRoomId(interviewId)).emit('interview:state', interviewState(row));
    return null;
  });
}
