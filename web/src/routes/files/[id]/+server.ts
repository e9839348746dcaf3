import { error } from '@sveltejs/kit';
import { routeId } from '$lib/ids';
import { loadOr404, services } from '$lib/server/platform';
import type { RequestHandler } from './$types';

/**
 * Serves an upload. Logos and covers are public; a resume only to its owner. Always as an
 * attachment-safe type with nosniff, so an upload can never run as a page.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  const file = await loadOr404(() => services().uploads.get(routeId(params.id)));
  if (file.kind === 'resume' && locals.user?.id !== file.ownerId) error(404, 'Not found');
  return new Response(Buffer.from(file.data), {
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.size),
      'content-disposition': `${file.kind === 'resume' ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': file.kind === 'resume' ? 'private, no-store' : 'public, max-age=3600',
    },
  });
};
