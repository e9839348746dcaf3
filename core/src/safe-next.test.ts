import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next.ts';

describe('safeNext', () => {
  it('keeps ordinary same-site paths, with their query strings and fragments', () => {
    expect(safeNext('/profile')).toBe('/profile');
    expect(safeNext('/employer?e=42&notice=job_created#jobs')).toBe('/employer?e=42&notice=job_created#jobs');
    expect(safeNext('/booths/1b2c?next=%2Fprofile')).toBe('/booths/1b2c?next=%2Fprofile');
    expect(safeNext('/search?q=a%20b')).toBe('/search?q=a%20b');
  });

  it('falls back to / when there is nothing', () => {
    expect(safeNext(null)).toBe('/');
    expect(safeNext('')).toBe('/');
  });

  it.each([
    ['scheme-relative', '//evil.com'],
    ['scheme-relative with a path', '//evil.com/profile'],
    ['absolute https', 'https://evil.com'],
    ['absolute http', 'http://evil.com/x'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['relative without a slash', 'evil.com'],
    ['a backslash after the slash', '/\\evil.com'],
    ['two backslashes', '\\\\evil.com'],
    ['a slash and a backslash', '/\\/evil.com'],
    ['encoded slashes', '/%2F%2Fevil.com'],
    ['an encoded slash after the slash', '/%2Fevil.com'],
    ['encoded slash and backslash', '%2f%5cevil.com'],
    ['an encoded backslash', '/%5cevil.com'],
    ['double-encoded slashes', '/%252F%252Fevil.com'],
    ['a tab in the middle', '/\t/evil.com'],
    ['a CR in the middle', '/\r/evil.com'],
    ['an LF in the middle', '/\n/evil.com'],
    ['a NUL in the middle', '/\u0000/evil.com'],
    ['an encoded tab', '/%09/evil.com'],
    ['an encoded CR LF', '/%0d%0a/evil.com'],
    ['a dot segment that normalises to //', '/.//evil.com'],
    ['a dot-dot segment that normalises to //', '/a/..//evil.com'],
    ['malformed percent-encoding', '/%E0%A4%A'],
  ])('refuses %s', (_name, value) => {
    expect(safeNext(value)).toBe('/');
  });
});
