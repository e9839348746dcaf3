import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every message area (web/messages/<area>/<locale>.json) is merged into one namespace by paraglide,
 * and the last file read wins a key two areas share: one area's page then silently shows the
 * other's words (the walk-ins' kiosk heading once replaced the booth's "Hand off" region name).
 * Keys are unique across areas, and every area has the same keys in every locale.
 */
const root = path.resolve(import.meta.dirname, '../web/messages');
const settings = JSON.parse(readFileSync(path.resolve(root, '../project.inlang/settings.json'), 'utf8')) as {
  locales: string[];
  'plugin.inlang.messageFormat': { pathPattern: string[] };
};
const areas = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const keysOf = (area: string, locale: string) =>
  Object.keys(JSON.parse(readFileSync(path.join(root, area, `${locale}.json`), 'utf8')) as Record<string, unknown>).filter((k) => k !== '$schema');

describe('message areas', () => {
  it('are all listed in the inlang settings', () => {
    const listed = settings['plugin.inlang.messageFormat'].pathPattern.map((p) => p.split('/')[2]).sort();
    expect(listed).toEqual([...areas].sort());
  });

  it('share no key, and have the same keys in every locale', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const area of areas) {
      const base = keysOf(area, settings.locales[0]!);
      for (const locale of settings.locales.slice(1)) expect(keysOf(area, locale).sort(), `${area}/${locale}`).toEqual([...base].sort());
      for (const key of base) {
        const other = owner.get(key);
        if (other) clashes.push(`${key}: ${other} and ${area}`);
        else owner.set(key, area);
      }
    }
    expect(clashes).toEqual([]);
  });
});
