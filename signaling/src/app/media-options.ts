import type { MediaServerOptions } from '@fairground/media-server';
import type { Config } from '../config.ts';
import { getLogger } from '../logger.ts';

/** The media server's options from config: the same for a node of both roles and a media-only node. */
export function mediaServerOptions(config: Config): MediaServerOptions {
  return {
    workers: config.MEDIA_WORKERS,
    listenIp: config.MEDIA_LISTEN_IP,
    announcedAddress: config.MEDIA_ANNOUNCED_IP,
    pipeListenIp: config.MEDIA_PIPE_LISTEN_IP,
    pipeAnnouncedAddress: config.MEDIA_PIPE_ANNOUNCED_IP,
    webRtcBasePort: config.MEDIA_WEBRTC_PORT,
    workerBin: config.MEDIASOUP_WORKER_BIN,
    logger: getLogger('media-server'),
    limits: {
      producers: config.MEDIA_PRODUCERS_PER_PEER,
      maxIncomingBitrate: config.MEDIA_MAX_INCOMING_BITRATE,
      initialAvailableOutgoingBitrate: config.MEDIA_INITIAL_OUTGOING_BITRATE,
    },
  };
}
