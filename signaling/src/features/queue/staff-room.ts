import { ServiceError, type Services } from '@fairground/core';
import type { AppSocket } from '../../app/types.ts';
import { staffRoom } from '../../app/rooms.ts';

/**
 * Puts a socket in a booth's staff room (where the line and its numbers are pushed) only while
 * its user is on the booth's team. The room is joined first and membership checked after: a
 * removal committed before the check refuses the join; one committed after it ends the socket
 * (app/access.ts), which is then already in the room that ending empties. So no order of a
 * join and a removal leaves a former recruiter receiving staff pushes. False when not staff.
 */
export async function joinStaffRoom(socket: AppSocket, services: Services, boothId: string): Promise<boolean> {
  const room = staffRoom(boothId);
  await socket.join(room);
  try {
    await services.queue.requireStaff(socket.data.user, boothId);
    return true;
  } catch (err) {
    await socket.leave(room);
    if (err instanceof ServiceError && (err.code === 'NOT_AUTHORIZED' || err.code === 'UNAUTHENTICATED')) return false;
    throw err;
  }
}
