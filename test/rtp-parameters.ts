/**
 * What mediasoup-client sends for a VP8 camera track (no simulcast): the RTP parameters the
 * socket-level media tests produce with. `cname` tells one test's stream from another's.
 */
export function vp8CameraParameters(cname: string) {
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} }],
    encodings: [{ ssrc: 22222222, maxBitrate: 1_500_000, dtx: false }],
    rtcp: { cname, reducedSize: true },
  };
}
