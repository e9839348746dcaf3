/**
 * Only same-site paths, so a `next` parameter cannot bounce users to another site. Browsers read
 * `\` as `/` and drop tab, CR and LF from URLs, so `/\evil.com` or `/\t/evil.com` would become
 * `//evil.com` (another host): any backslash or control character, raw or percent-encoded, is
 * refused, as is anything that is, or normalises to, a scheme-relative or absolute URL.
 */
export function safeNext(value: string | null | undefined): string {
  if (!value || value.length > 2048) return '/';
  let decoded = value;
  // Decode a few rounds: something downstream may decode again before it reaches a browser.
  for (let i = 0; i < 3; i++) {
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (!decoded.startsWith('/') || decoded.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(decoded)) return '/';
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return '/';
    }
    if (next === decoded) break;
    decoded = next;
  }
  const base = 'http://next.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== base || !path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}
