import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * A findable seeker's resume for the booth's staff. Served here rather than through /files/<id> so
 * the download is checked against the resume book's rule and written to the seeker's view log.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  const file = await loadOr404(() => services().resumeBook.resume(locals.user, routeId(params.boothId), routeId(params.seekerId)));
  return new Response(Buffer.from(file.data), {
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.size),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
  });
};
