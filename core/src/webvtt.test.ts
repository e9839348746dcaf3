import { describe, expect, it } from 'vitest';
import { escapeCueText, toWebVtt, vttTimestamp } from './webvtt.ts';

describe('WebVTT', () => {
  it('writes timestamps with hours and milliseconds', () => {
    expect(vttTimestamp(0)).toBe('00:00:00.000');
    expect(vttTimestamp(3723004)).toBe('01:02:03.004');
    expect(vttTimestamp(59_999)).toBe('00:00:59.999');
    expect(vttTimestamp(-5)).toBe('00:00:00.000');
  });

  it('escapes markup and keeps an arrow from reading as timing', () => {
    expect(escapeCueText('a < b & c > d --> e')).toBe('a &lt; b &amp; c &gt; d --&gt; e');
    expect(escapeCueText('<b>bold</b>')).toBe('&lt;b&gt;bold&lt;/b&gt;');
    // A blank line would end the cue: gone.
    expect(escapeCueText('one\n\n\ntwo\r\nthree')).toBe('one\ntwo\nthree');
  });

  it('writes a file with sorted cues, ids and Chinese text as is', () => {
    const vtt = toWebVtt([
      { id: 'b', startMs: 5000, endMs: 7500, text: '欢迎大家 <3' },
      { id: 'a', startMs: 1200, endMs: 4000, text: 'Welcome & hello' },
    ]);
    expect(vtt).toBe('WEBVTT\n\na\n00:00:01.200 --> 00:00:04.000\nWelcome &amp; hello\n\nb\n00:00:05.000 --> 00:00:07.500\n欢迎大家 &lt;3\n');
  });

  it('drops cues with no text left and never writes an empty span', () => {
    expect(toWebVtt([{ startMs: 0, endMs: 10, text: ' \n ' }])).toBe('WEBVTT\n');
    expect(toWebVtt([{ startMs: 100, endMs: 100, text: 'x' }])).toBe('WEBVTT\n\n00:00:00.100 --> 00:00:00.101\nx\n');
  });
});
