import type { BroadcastNumbers, StageState } from '@fairground/signaling/protocol';
import { m } from '#lib/paraglide/messages.js';
import { PublishingRoom } from './publishing.svelte';
import { loadDevice } from './room-media';
import { errorMessage, request, RequestError, session } from './session.svelte';

export type BroadcastPhase = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'error';
export type Quality = '2' | '1' | '0';

/** How often a host's audience numbers refresh (the server samples the live count every 5 s). */
const NUMBERS_REFRESH_MS = 5000;

/**
 * One broadcast's live room as the page sees it: joining and rejoining, the audience count, the
 * stage (hands, guests, an invitation), a host's numbers and the media. The stage components
 * (host, viewer, guest) read and call this; none of them touches the socket.
 */
export class BroadcastRoom extends PublishingRoom {
  phase = $state<BroadcastPhase>('idle');
  notice = $state('');
  viewers = $state(0);
  isHost = $state(false);
  /** Hosts: the audience numbers, refreshed every 5 s and when the live count changes. */
  numbers = $state<BroadcastNumbers | null>(null);
  /** Hosts: raised hands and guests. */
  stage = $state<StageState | null>(null);
  /** The server's cap on guests on stage (from the join ack). */
  maxStageGuests = $state(0);
  /** Viewers: hand raised; invited on stage by a host; on stage now. */
  handRaised = $state(false);
  invited = $state(false);
  onStage = $state(false);
  quality = $state<Quality>('2');
  audioOnly = $state(false);

  readonly joined = $derived(this.phase === 'ready' || this.phase === 'reconnecting');

  #forgetRoom: (() => void) | null = null;
  /** The routers' capabilities: from the page, then from each join's answer. */
  #capabilities: Record<string, unknown> | null = null;

  constructor(readonly broadcastId: string) {
    super();
  }

  /**
   * Loads the media device from the capabilities the page came with, while the user has not
   * clicked yet: the join then asks the server to set up receiving in the same round trip.
   */
  preload(routerRtpCapabilities: Record<string, unknown> | null): void {
    if (!routerRtpCapabilities) return;
    this.#capabilities = routerRtpCapabilities;
    loadDevice(routerRtpCapabilities).catch(() => {}); // the join loads it again and says why
  }

  /** Subscribes to the broadcast's pushes; returns the cleanup (leaves the room if joined). */
  connect(): () => void {
    const mine = (p: { broadcastId: string }) => p.broadcastId === this.broadcastId;
    const offs = [
      session.on('room:viewers', (count) => {
        if (count.roomId !== this.media.roomId) return;
        this.viewers = count.live;
        void this.refreshNumbers();
      }),
      session.on('media:room-reset', (p) => {
        if (p.roomId !== this.media.roomId) return;
        this.media.resetting(!this.audioOnly);
        void this.#rejoin();
      }),
      session.on('broadcast:stage-state', (s) => {
        if (mine(s)) this.stage = s;
      }),
      session.on('broadcast:on-stage', (p) => {
        if (!mine(p)) return;
        this.handRaised = false;
        if (p.onStage) this.invited = true;
        else if (this.onStage || this.invited) {
          this.#leaveStageLocally();
          this.notice = m.bl_sent_back();
        }
      }),
    ];
    const timer = setInterval(() => void this.refreshNumbers(), NUMBERS_REFRESH_MS);
    return () => {
      clearInterval(timer);
      offs.forEach((off) => off());
      this.#forget();
      this.media.close();
      if (this.phase !== 'idle') void request('broadcast:leave', { broadcastId: this.broadcastId }).catch(() => {});
    };
  }

  async #join(): Promise<void> {
    this.phase = this.phase === 'reconnecting' ? 'reconnecting' : 'connecting';
    // With a loaded device the join also creates the receive transport and consumers, flowing.
    const device = this.#capabilities ? await loadDevice(this.#capabilities) : null;
    const receive = device ? { rtpCapabilities: device.rtpCapabilities, spatialLayer: Number(this.quality) as 0 | 1 | 2, video: !this.audioOnly } : undefined;
    const state = await request('broadcast:join', { broadcastId: this.broadcastId, ...(receive ? { receive } : {}) });
    this.#capabilities = state.routerRtpCapabilities as Record<string, unknown>;
    this.#forgetRoom ??= session.room(() => void this.#rejoin());
    this.isHost = state.isHost;
    this.viewers = state.viewers;
    this.stage = state.stage;
    this.maxStageGuests = state.maxStageGuests;
    await this.media.open(state, {
      consume: true,
      onConnectionLost: () => void this.#rejoin(),
      prepare: async (media) => {
        if (state.isHost) return;
        if (this.quality !== '2') await media.setMaxLayer(Number(this.quality) as 0 | 1);
        if (this.audioOnly) await media.setVideoReceiving(false);
      },
    });
    this.phase = 'ready';
    void this.refreshNumbers();
  }

  /** Gets the stream back after a drop: the server forgot this connection, so join afresh. */
  async #rejoin(): Promise<void> {
    if (this.phase === 'idle') return;
    this.phase = 'reconnecting';
    // A guest's place on stage belonged to the old connection.
    if (this.onStage) this.#leaveStageLocally();
    this.handRaised = false;
    try {
      await this.#join();
      if (this.isHost) await this.media.republish({ simulcast: true });
    } catch (e) {
      this.media.recovery.clear();
      this.problem = m.bl_error({ reason: errorMessage(e) });
      this.phase = 'error';
    }
  }

  #forget(): void {
    this.#forgetRoom?.();
    this.#forgetRoom = null;
  }

  async watch(): Promise<void> {
    this.problem = '';
    try {
      await this.#join();
    } catch (e) {
      this.problem = m.bl_error({ reason: errorMessage(e) });
      this.phase = 'error';
    }
  }

  async stopWatching(): Promise<void> {
    if (this.onStage) await this.leaveStage();
    this.#forget();
    this.media.close();
    this.phase = 'idle';
    this.handRaised = false;
    await request('broadcast:leave', { broadcastId: this.broadcastId }).catch(() => {});
  }

  async refreshNumbers(): Promise<void> {
    if (!this.isHost || !this.joined) return;
    this.numbers = await request('broadcast:stats', { broadcastId: this.broadcastId }).catch(() => this.numbers);
  }

  /** Camera and microphone, with three simulcast layers for the video. */
  startCamera(): Promise<boolean> {
    return this.step(
      () => this.media.startCamera({ simulcast: true }),
      (reason) => m.bl_camera_error({ reason }),
    );
  }

  async setQuality(value: Quality): Promise<void> {
    this.quality = value;
    await this.media.setMaxLayer(Number(value) as 0 | 1 | 2).catch(() => {});
  }

  async setAudioOnly(on: boolean): Promise<void> {
    this.audioOnly = on;
    await this.media.setVideoReceiving(!on).catch(() => {});
  }

  async toggleHand(): Promise<void> {
    this.problem = '';
    try {
      await request('broadcast:hand', { broadcastId: this.broadcastId, raised: !this.handRaised });
      this.handRaised = !this.handRaised;
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  async joinStage(): Promise<void> {
    this.invited = false;
    if (await this.startCamera()) {
      this.onStage = true;
      this.notice = m.bl_on_stage();
    }
  }

  #leaveStageLocally(): void {
    this.media.dropPublishing();
    this.onStage = false;
    this.invited = false;
  }

  async leaveStage(): Promise<void> {
    const peer = session.id;
    this.#leaveStageLocally();
    this.notice = m.bl_sent_back();
    if (peer) await request('broadcast:stage-remove', { broadcastId: this.broadcastId, peer }).catch(() => {});
  }

  async invite(peer: string): Promise<void> {
    this.problem = '';
    try {
      this.stage = await request('broadcast:stage-invite', { broadcastId: this.broadcastId, peer });
    } catch (e) {
      this.problem = e instanceof RequestError && e.code === 'CONFLICT' ? m.bl_stage_full() : errorMessage(e);
    }
  }

  async sendBack(peer: string): Promise<void> {
    this.stage = await request('broadcast:stage-remove', { broadcastId: this.broadcastId, peer }).catch(() => this.stage);
  }
}
