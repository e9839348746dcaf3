import type { RtpParameters } from '@fairground/media-server';

/**
 * The SDP ffmpeg reads to receive one consumer's RTP on `port` (RTCP on `port + 1`, ffmpeg's
 * convention): its one codec, as mediasoup sends it. RTX is left out (the recorder's consumer is
 * made without it), so the stream is the codec's packets alone.
 */
export function recorderSdp(kind: 'audio' | 'video', rtp: RtpParameters, port: number): string {
  const codec = rtp.codecs[0];
  if (!codec) throw new Error('The consumer has no codec');
  const [, name] = codec.mimeType.split('/');
  const channels = kind === 'audio' && codec.channels ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=fairground-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}
