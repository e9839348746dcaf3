import { routeId } from '#lib/ids.ts';
import { loadOr404, services } from '#lib/server/platform.ts';
import type { RequestHandler } from './$types';

/**
 * Serves an upload to whoever may read it (UploadService.read: logos and covers are public; a
 * resume goes to its owner and to recruiters whose line the seeker joined). Always with its
 * sniffed type and nosniff, so an upload can never run as a page.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  const file = await loadOr404(() => services().uploads.read(locals.user, routeId(params.id)));
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
