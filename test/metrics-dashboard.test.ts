// The Grafana dashboard in the repo (deploy/grafana/fairground.json) against a real node's
// /metrics: every series its queries name exists there, every event, outcome and status its label
// matchers name is one the node can report, and the request counter counts what it says.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, requestSchemas } from '../signaling/src/protocol/index.ts';
import { connectTestClient, send, startPlatform, type TestClient } from './helpers.ts';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(new URL('../deploy/grafana/fairground.json', import.meta.url), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: unknown }> };
};
const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
/** Every fairground_ series name a query reads (a histogram's _bucket series included as written). */
const namesQueried = [...new Set(queries.flatMap((q) => q.match(/\bfairground_[a-z0-9_]+/g) ?? []))].sort();

/** The values a label matcher of the queries names: `label="v"`, `label!="v"`, `label=~"a|b"`. */
function matcherValues(label: string): string[] {
  const values = new Set<string>();
  for (const q of queries) {
    for (const m of q.matchAll(new RegExp(`\\b${label}(?:=|!=|=~|!~)"([^"]*)"`, 'g'))) for (const v of m[1]!.split('|')) values.add(v);
  }
  return [...values];
}

/** The series names a /metrics text has samples of (not only HELP/TYPE lines). */
const sampleNames = (text: string) => new Set(text.split('\n').flatMap((line) => (line && !line.startsWith('#') ? [line.split(/[{ ]/)[0]!] : [])));

describe('the Grafana dashboard against a real node', () => {
  let ctx: Awaited<ReturnType<typeof startPlatform>>;
  let client: TestClient;
  const scrape = async () => (await fetch(`${ctx.url}/metrics`)).text();

  beforeAll(async () => {
    ctx = await startPlatform();
    client = await connectTestClient(ctx.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await ctx?.platform.close();
  });

  it('is a dashboard Grafana can import: unique panel ids, a Prometheus data source picked on import, a node filter', () => {
    expect(dashboard.uid).toBe('fairground-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      expect(panel.gridPos.w, panel.title).toBeGreaterThan(0);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
  });

  it('shows rooms, consumers, joins, queue lengths, worker CPU and errors', () => {
    const shows = (title: RegExp, series: string) =>
      expect(
        dashboard.panels.some((p) => title.test(p.title) && p.targets.some((t) => t.expr.includes(series))),
        `${title} from ${series}`,
      ).toBe(true);
    shows(/^Rooms/, 'fairground_media_rooms');
    shows(/^Consumers/, 'fairground_media_consumers');
    shows(/^Joins/, 'fairground_requests_total');
    shows(/^Queue lengths/, 'fairground_queue_entries');
    shows(/^Worker CPU/, 'fairground_media_worker_cpu_seconds_total');
    shows(/^Errors/, 'fairground_requests_total');
  });

  it('counts socket requests by event and outcome, unknown events under one name', async () => {
    expect(await send(client, 'booth:join', { boothId: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await send(client, 'queue:places', {})).toMatchObject({ ok: true });
    expect(await send(client, 'queue:join', { boothId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await send(client, 'no:such-event', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
    const text = await scrape();
    expect(text).toMatch(/^fairground_requests_total\{event="booth:join",outcome="INVALID_PAYLOAD"\} 1$/m);
    expect(text).toMatch(/^fairground_requests_total\{event="queue:places",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^fairground_requests_total\{event="queue:join",outcome="UNAUTHENTICATED"\} 1$/m);
    expect(text).toMatch(/^fairground_requests_total\{event="\(unknown\)",outcome="UNKNOWN_EVENT"\} 1$/m);
    expect(text).not.toContain('no:such-event');
    expect(text).toMatch(/^fairground_request_duration_seconds_count\{event="booth:join"\} 1$/m);
  });

  it("reports each worker's CPU time, the lines by status and the node's own queues", async () => {
    const text = await scrape();
    for (const mode of ['user', 'system'])
      expect(text).toMatch(new RegExp(`^fairground_media_worker_cpu_seconds_total\\{worker="0",mode="${mode}"\\} [0-9.e-]+$`, 'm'));
    // A worker that started and made a router has used some CPU.
    expect(Number(/^fairground_media_worker_cpu_seconds_total\{worker="0",mode="user"\} (\S+)$/m.exec(text)![1])).toBeGreaterThan(0);
    for (const status of ['waiting', 'called', 'interviewing'])
      expect(text).toMatch(new RegExp(`^fairground_queue_entries\\{status="${status}"\\} \\d+$`, 'm'));
    for (const name of ['queue_longest_waiting', 'requests_in_flight', 'leave_writes_waiting'])
      expect(text).toMatch(new RegExp(`^fairground_${name} \\d+$`, 'm'));
  });

  it('queries only series the node exports', async () => {
    await send(client, 'booth:join', { boothId: 'not-a-uuid' }); // the request series exist once one was answered
    const exported = sampleNames(await scrape());
    expect(namesQueried.length).toBeGreaterThan(10);
    expect(namesQueried.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('names only events, outcomes and statuses the node reports in its label matchers', () => {
    const events = matcherValues('event');
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => !(e in requestSchemas))).toEqual([]);
    expect(matcherValues('outcome').filter((o) => o !== 'ok' && !(o in ErrorCode))).toEqual([]);
    expect(matcherValues('status').filter((s) => !['waiting', 'called', 'interviewing'].includes(s))).toEqual([]);
  });
});
