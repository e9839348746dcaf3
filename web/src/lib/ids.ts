import { error } from '@sveltejs/kit';
import { z } from 'zod';

/** Route ids are UUIDs; anything else is a page that does not exist, not a database error. */
export function routeId(value: string): string {
  if (!z.uuid().safeParse(value).success) error(404, 'Not found');
  return value;
}
