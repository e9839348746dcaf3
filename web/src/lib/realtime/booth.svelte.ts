import { m } from '#lib/paraglide/messages.js';
import { PublishingRoom } from './publishing.svelte';
import { errorMessage, request, session } from './session.svelte';
import type { BoothPresentation } from '@fairground/signaling/protocol';

/**
 * A booth's stage as the page sees it: joined on mount and again after a reconnect or a media
 * reset, the live visitor count, and the media (staff publish, signed-in visitors watch;
 * anonymous visitors are counted, not streamed to).
 */
export class BoothStage extends PublishingRoom {
  phase = $state<'connecting' | 'ready' | 'error'>('connecting');
  isStaff = $state(false);
  viewers = $state(0);
  /** The presentation being recorded now (the stage's mark; staff may stop it). */
  presentation = $state<BoothPresentation | null>(null);

  constructor(
    readonly boothId: string,
    readonly signedIn: boolean,
  ) {
    super();
  }

  connect(): () => void {
    const failed = (e: unknown) => {
      this.problem = m.connection_error({ reason: errorMessage(e) });
      this.phase = 'error';
    };
    const offs = [
      session.on('room:viewers', (count) => {
        if (this.media.roomId && count.roomId === this.media.roomId) this.viewers = count.live;
      }),
      session.on('booth:presentation', (change) => {
        if (change.boothId === this.boothId) this.presentation = change.presentation;
      }),
      // The media server lost the room (its worker died): join again, staff republish.
      session.on('media:room-reset', (p) => {
        if (p.roomId === this.media.roomId) this.media.resetting();
        void this.#join().catch(() => this.media.recovery.clear());
      }),
      // After a dropped connection the server has forgotten us: join again, media included.
      session.room(() => void this.#join().catch(failed)),
    ];
    this.#join().catch(failed);
    return () => {
      offs.forEach((off) => off());
      this.media.close();
      void request('booth:leave', { boothId: this.boothId }).catch(() => {});
    };
  }

  async #join(): Promise<void> {
    this.phase = 'connecting';
    const state = await request('booth:join', { boothId: this.boothId });
    this.isStaff = state.isStaff;
    this.viewers = state.viewers;
    this.presentation = state.presentation;
    if (!this.signedIn) {
      this.phase = 'ready';
      return;
    }
    await this.media.open(state, { consume: !state.isStaff });
    // Staff who were live before a reconnect or a media reset are live again, without a click.
    if (state.isStaff) await this.media.republish();
    this.phase = 'ready';
  }

  /** Staff: the stage is recorded from now on, as a presentation whose replay the booth page lists. */
  async startRecording(title: string): Promise<void> {
    await this.step(
      async () => {
        this.presentation = await request('booth:presentation-start', { boothId: this.boothId, ...(title.trim() ? { title: title.trim() } : {}) });
      },
      (reason) => m.pr_start_error({ reason }),
    );
  }

  /** Staff: the recording ends; its replay is composed (a colleague's stop ends it as well). */
  async stopRecording(): Promise<void> {
    await this.step(
      async () => {
        await request('booth:presentation-stop', { boothId: this.boothId });
        this.presentation = null;
      },
      (reason) => m.pr_stop_error({ reason }),
    );
  }

  async goLive(): Promise<void> {
    await this.step(
      () => this.media.startCamera(),
      (reason) => m.camera_error({ reason }),
    );
  }
}
