import { ServiceError } from '@fairground/core';
import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { boothScreenRoom, displayKeyRoom, hallScreenRoom } from '../../app/rooms.ts';

/** Hall and booth screens (opened with a display session), and the people who drive them. */
export function registerScreenHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, user } = conn;
  const { services, screens } = deps;
  const display = socket.data.display;

  conn.on('screen:watch', async ({ fairId }) => {
    services.venue.requireHallGrant(display, fairId);
    // In the key's room first: a revocation from now on ends this socket (a revocation before the
    // handshake already refused the session).
    await socket.join(displayKeyRoom(display!.keyId));
    await socket.join(hallScreenRoom(fairId));
    const [snapshot, comparison] = await Promise.all([deps.dashboard.snapshot(fairId), screens.comparison(fairId)]);
    return { numbers: await screens.hallNumbers(snapshot), comparison };
  });

  conn.on('screen:booth-watch', async ({ boothId }) => {
    services.venue.requireBoothGrant(display, boothId);
    await socket.join(displayKeyRoom(display!.keyId));
    await socket.join(boothScreenRoom(boothId));
    // Its line's length comes with the fair's numbers (counts only, as every hall screen shows them).
    await socket.join(hallScreenRoom(display!.fairId));
    const [mode, snapshot] = await Promise.all([services.venue.boothScreenMode(boothId), deps.dashboard.snapshot(display!.fairId)]);
    const numbers = await screens.hallNumbers(snapshot);
    return { mode, line: numbers.booths.find((b) => b.boothId === boothId) ?? null };
  });

  conn.on('screen:booth-set', async ({ boothId, mode }) => ({ mode: await services.venue.setBoothScreen(user, boothId, mode) }));

  conn.on('screen:code', async ({ fairId }) => {
    const now = new Date();
    const { code, expiresAt } = await services.venue.screenCode(display, fairId, now);
    return { code, remainingMs: Math.max(0, expiresAt.getTime() - now.getTime()) };
  });

  conn.on('screen:compare', async ({ fairId, code }) => {
    if (display) throw new ServiceError('NOT_AUTHORIZED', 'A screen cannot ask for a comparison');
    const shown = await services.venue.showComparison(user, fairId, code);
    return {
      shownAt: shown.shownAt,
      salaryMin: shown.salaryMin,
      salaryMax: shown.salaryMax,
      remainingMs: Math.max(0, new Date(shown.endsAt).getTime() - Date.now()),
    };
  });

  conn.on('screen:compare-clear', async ({ fairId }) => {
    await services.venue.clearComparison(user, fairId);
    return null;
  });
}
