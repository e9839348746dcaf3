import type { Connection } from '../../app/connection.ts';
import type { FeatureDeps } from '../../app/deps.ts';
import { dashboardRoom } from '../../app/rooms.ts';

/** Organizers watching a fair's live numbers (pushed by dashboard.ts). */
export function registerDashboardHandlers(conn: Connection, deps: FeatureDeps): void {
  const { socket, user } = conn;

  conn.on('dashboard:watch', async ({ fairId }) => {
    // Joined before the check: a role change committed after it ends this socket (app/access.ts);
    // one committed before it fails the check. Either way no push reaches a demoted organizer.
    await socket.join(dashboardRoom(fairId));
    await deps.dashboard.authorize(user, fairId).catch(async (err: unknown) => {
      await socket.leave(dashboardRoom(fairId));
      throw err;
    });
    return deps.dashboard.snapshot(fairId);
  });

  conn.on('dashboard:unwatch', async ({ fairId }) => {
    await socket.leave(dashboardRoom(fairId));
    return null;
  });
}
