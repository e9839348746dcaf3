import { services } from '#lib/server/platform.ts';
import type { PageServerLoad } from './$types';

/** What a visitor sees first: what is live now, then what is coming (never drafts, whoever asks). */
export const load: PageServerLoad = async () => {
  const now = new Date();
  const { fairs, broadcasts } = services();
  const [allFairs, comingBroadcasts] = await Promise.all([fairs.list(null), broadcasts.upcoming(null, now)]);
  const card = (f: (typeof allFairs)[number]) => ({
    id: f.id,
    title: f.title,
    theme: f.theme,
    customTheme: f.customTheme,
    description: f.description,
    coverUploadId: f.coverUploadId,
    startsAt: f.startsAt,
    endsAt: f.endsAt,
    timeZone: f.timeZone,
    status: f.status,
  });
  return {
    live: {
      fairs: allFairs.filter((f) => f.status === 'live').map(card),
      broadcasts: comingBroadcasts.filter((b) => b.startsAt <= now),
    },
    // A published fair whose start passed a moment ago stays here until the clock opens it.
    upcomingFairs: allFairs.filter((f) => f.status === 'published' && f.endsAt > now).map(card),
    upcomingBroadcasts: comingBroadcasts.filter((b) => b.startsAt > now),
  };
};
