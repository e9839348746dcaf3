import type { ChatMessage, Colleague, PanelMember, RemoteProducer } from '@fairground/signaling/protocol';
import { isFlowingVideo, MediaRecovery } from './live-media.svelte';
import { RoomMedia } from './room-media';
import { errorMessage, request, session } from './session.svelte';

const CAMERA = { width: 640, height: 360 };

interface Timing {
  startedAt: string | null;
  endedAt: string | null;
  plannedMinutes: number;
  audioOnly: boolean;
}

/**
 * A 1:1 interview as the page sees it: its clock (from the server's state pushes), its chat,
 * and both sides' media. Joined on mount and again after a reconnect.
 */
export class InterviewSession {
  role = $state<'seeker' | 'recruiter' | 'panel'>('seeker');
  startedAt = $state<string | null>(null);
  endedAt = $state<string | null>(null);
  /** Until the join ack: the server's number replaces it. */
  plannedMinutes = $state(0);
  /** The longest chat message the server accepts (from the join ack). */
  chatMaxLength = $state<number | undefined>(undefined);
  problem = $state('');
  messages = $state<ChatMessage[]>([]);
  micOn = $state(true);
  camOn = $state(true);
  sharing = $state(false);
  remote = $state<Record<string, { track: MediaStreamTrack; producer: RemoteProducer }>>({});
  local = $state.raw<MediaStream | null>(null);
  /** A recruiter dropped the interview to audio only: no camera is sent (the server refuses one). */
  audioOnly = $state(false);
  /** Colleagues invited into the interview (beside the seeker and the recruiter). */
  panel = $state<PanelMember[]>([]);
  /** The seeker was handed on: back to the line, or to a colleague (the interview has ended). */
  handedOff = $state<{ boothId: string; to: 'line' | 'colleague' } | null>(null);
  /** What the interviewer's last hand-off did (kept after the interview ended with it). */
  handoffNotice = $state('');
  /** After a media reset: restoring, then restored. */
  readonly recovery = new MediaRecovery();

  #media: RoomMedia | null = null;
  readonly #producerOf: Record<'mic' | 'camera' | 'screen', string | null> = { mic: null, camera: null, screen: null };

  constructor(readonly interviewId: string) {}

  connect(initialMessages: ChatMessage[]): () => void {
    this.messages = [...initialMessages];
    const offs = [
      session.on('interview:state', (s) => {
        if (s.interviewId === this.interviewId) this.#apply(s);
      }),
      session.on('interview:chat', (msg) => {
        if (msg.interviewId === this.interviewId && !this.messages.some((x) => x.id === msg.id)) this.messages = [...this.messages, msg];
      }),
      session.on('interview:panel', (p) => {
        if (p.interviewId === this.interviewId) this.panel = p.panel;
      }),
      session.on('interview:handed-off', (p) => {
        if (p.interviewId === this.interviewId) this.handedOff = { boothId: p.boothId, to: p.to };
      }),
      session.room(() => void this.#join().catch(() => {})),
      // The media server lost this room (its worker died): join again, both sides republish.
      session.on('media:room-reset', (p) => {
        if (!this.#media || p.roomId !== this.#media.roomId) return;
        this.recovery.reset({
          receiving: Object.values(this.remote).some((r) => isFlowingVideo(r.track)),
          publishing: Boolean(this.local) && this.camOn,
        });
        void this.#join().catch(() => this.recovery.clear());
      }),
    ];
    this.#join().catch((e) => (this.problem = errorMessage(e)));
    return () => {
      offs.forEach((off) => off());
      this.#stopMedia();
    };
  }

  #apply(s: Timing): void {
    this.startedAt = s.startedAt;
    this.endedAt = s.endedAt;
    this.plannedMinutes = s.plannedMinutes;
    if (s.endedAt) this.#stopMedia();
    else if (s.audioOnly !== this.audioOnly) void this.#setCamera(!s.audioOnly);
    this.audioOnly = s.audioOnly;
  }

  /**
   * Audio only on: the camera's and a screen share's producers close (the server closed them
   * already) and the camera itself stops, so its light and the self-view go dark as the notice says; off: the camera is
   * opened again and sent.
   */
  async #setCamera(send: boolean): Promise<void> {
    const media = this.#media;
    if (!send) {
      if (media && this.#producerOf.camera) await media.unpublishTrack(this.#producerOf.camera).catch(() => {});
      this.#producerOf.camera = null;
      this.#stopCamera();
      // The server closed screen shares too: the sharer's page stops its capture and says so.
      if (media && this.#producerOf.screen) await media.unpublishTrack(this.#producerOf.screen).catch(() => {});
      this.#producerOf.screen = null;
      this.sharing = false;
      return;
    }
    if (!media || this.#producerOf.camera) return;
    let track = this.local?.getVideoTracks().find((t) => t.readyState === 'live');
    if (!track) {
      track = (await navigator.mediaDevices.getUserMedia({ video: CAMERA })).getVideoTracks()[0];
      if (!track) return;
      this.local = new MediaStream([...(this.local?.getAudioTracks() ?? []), track]);
    }
    this.#producerOf.camera = await media.publishTrack(track, 'camera');
    if (!this.camOn) media.setPaused(this.#producerOf.camera, true);
  }

  /** Stops the camera, keeping the microphone. */
  #stopCamera(): void {
    const video = this.local?.getVideoTracks() ?? [];
    if (!this.local || video.length === 0) return;
    video.forEach((t) => t.stop());
    this.local = new MediaStream(this.local.getAudioTracks());
  }

  async #join(): Promise<void> {
    const state = await request('interview:join', { interviewId: this.interviewId });
    this.role = state.role;
    this.chatMaxLength = state.chatMaxLength;
    this.panel = state.panel;
    this.#apply(state);
    if (state.endedAt) return;
    this.#media?.close();
    this.remote = {};
    const media = new RoomMedia(state.roomId, {
      onTrack: (track, producer) => {
        this.remote = { ...this.remote, [producer.id]: { track, producer } };
        this.recovery.trackArrived(track);
      },
      onTrackEnded: (producerId) => {
        const { [producerId]: gone, ...rest } = this.remote;
        if (gone) this.recovery.trackEnded(gone.track);
        this.remote = rest;
      },
    });
    this.#media = media;
    await media.load(state.routerRtpCapabilities);
    for (const p of state.producers) await media.consume(p);
    if (this.local?.getTracks().some((t) => t.readyState === 'ended')) {
      this.local.getTracks().forEach((t) => t.stop());
      this.local = null;
    }
    // Audio only: the camera is not even opened (the server would refuse it).
    this.local ??= await navigator.mediaDevices.getUserMedia({ video: this.audioOnly ? false : CAMERA, audio: true });
    this.#producerOf.camera = null;
    for (const track of this.local.getTracks()) {
      const source = track.kind === 'audio' ? 'mic' : 'camera';
      // Audio only: the camera stays home (the server would refuse it).
      if (source === 'camera' && this.audioOnly) continue;
      this.#producerOf[source] = await media.publishTrack(track, source);
    }
    // Video came back while this room was being joined again: open the camera and send it.
    if (!this.audioOnly && !this.#producerOf.camera) await this.#setCamera(true).catch(() => {});
    // A rejoin keeps what the user had muted muted.
    if (!this.micOn && this.#producerOf.mic) media.setPaused(this.#producerOf.mic, true);
    if (!this.camOn && this.#producerOf.camera) media.setPaused(this.#producerOf.camera, true);
    this.recovery.republished();
  }

  #stopMedia(): void {
    this.recovery.clear();
    this.local?.getTracks().forEach((t) => t.stop());
    this.local = null;
    this.#media?.close();
    this.#media = null;
  }

  toggle(kind: 'mic' | 'camera'): void {
    const id = this.#producerOf[kind];
    if (!this.#media || !id) return;
    if (kind === 'mic') this.micOn = !this.micOn;
    else this.camOn = !this.camOn;
    this.#media.setPaused(id, kind === 'mic' ? !this.micOn : !this.camOn);
  }

  async toggleShare(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    if (this.sharing && this.#producerOf.screen) {
      await media.unpublishTrack(this.#producerOf.screen);
      this.#producerOf.screen = null;
      this.sharing = false;
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const [track] = display.getVideoTracks();
      if (!track) return;
      this.#producerOf.screen = await media.publishTrack(track, 'screen');
      this.sharing = true;
      track.addEventListener('ended', () => void (this.sharing && this.toggleShare()));
    } catch {
      // The user closed the picker.
    }
  }

  /** Sends a chat message; resolves false (and says why) when refused. */
  async send(body: string): Promise<boolean> {
    try {
      await request('interview:chat', { interviewId: this.interviewId, body });
      return true;
    } catch (e) {
      this.problem = errorMessage(e);
      return false;
    }
  }

  extend = () => request('interview:extend', { interviewId: this.interviewId });
  colleagues = (): Promise<Colleague[]> => request('interview:colleagues', { interviewId: this.interviewId });
  sendBack = () => request('interview:send-back', { interviewId: this.interviewId });
  transfer = (colleagueId: string) => request('interview:transfer', { interviewId: this.interviewId, colleagueId });
  invite = async (userId: string, role: 'recruiter' | 'interpreter') => {
    this.panel = await request('interview:invite', { interviewId: this.interviewId, userId, role });
  };
  setAudioOnly = (audioOnly: boolean) => request('interview:audio-only', { interviewId: this.interviewId, audioOnly });
  end = () => request('interview:end', { interviewId: this.interviewId });
}
