import type { Db } from '../connect.ts';

/**
 * Seekers standing in a fair's lines on site (walk-ins), or null while the line cannot tell: queue
 * entries carry no on-site mark yet. The walk-ins work (issue 19) adds that mark; this is the one
 * query to wire to it (`count(distinct seeker_id)` of live entries marked on site at the fair's
 * approved booths). Until then a hall screen hides the figure rather than showing a made-up one.
 */
export async function onSiteSeekersInLines(_db: Db, _fairId: string): Promise<number | null> {
  return null;
}
