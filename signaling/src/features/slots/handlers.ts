import type { SlotNotice as CoreSlotNotice } from '@fairground/core';
import type { FeatureDeps } from '../../app/deps.ts';
import { userRoom } from '../../app/rooms.ts';

/**
 * Server-wide: the in-app notice of a booking or a cancellation, to both sides' user rooms, and of an
 * employer's invitation (邀约), to the seeker's (every
 * node's sockets through the Redis adapter). Bookings themselves are made by the pages' form
 * actions over core's SlotService; the mails and their .ics go through the due-sweep (core).
 */
export function subscribeSlotEvents(deps: Pick<FeatureDeps, 'io' | 'services'>): () => void {
  const { io, services } = deps;
  const tell = (kind: 'booked' | 'cancelled', n: CoreSlotNotice) => {
    const base = { kind, bookingId: n.bookingId, boothId: n.boothId, employerName: n.employerName, startsAt: n.startsAt.toISOString() };
    io.to(userRoom(n.seekerId)).emit('notice:slot', { ...base, side: 'seeker' });
    io.to(userRoom(n.recruiterId)).emit('notice:slot', { ...base, side: 'recruiter' });
  };
  const off = [
    services.events.on('slot.booked', (n) => tell('booked', n)),
    services.events.on('slot.cancelled', (n) => tell('cancelled', n)),
    // An invitation (to a slot or otherwise) reaches the seeker live, through the same user rooms.
    services.events.on('candidate.invited', (n) =>
      io.to(userRoom(n.seekerId)).emit('notice:invitation', {
        invitationId: n.invitationId,
        employerName: n.employerName,
        kind: n.kind,
        startsAt: n.startsAt ? n.startsAt.toISOString() : null,
      }),
    ),
  ];
  return () => off.forEach((f) => f());
}
