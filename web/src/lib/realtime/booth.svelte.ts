import { m } from '#lib/paraglide/messages.js';
import { PublishingRoom } from './publishing.svelte';
import { errorMessage, request, session } from './session.svelte';

/**
 * A booth's stage as the page sees it: joined on mount and again after a reconnect or a media
 * reset, the live visitor count, and the media (staff publish, signed-in visitors watch;
 * anonymous visitors are counted, not streamed to).
 */
export class BoothStage extends PublishingRoom {
  phase = $state<'connecting' | 'ready' | 'error'>('connecting');
  isStaff = $state(false);
  viewers = $state(0);

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
    if (!this.signedIn) {
      this.phase = 'ready';
      return;
    }
    await this.media.open(state, { consume: !state.isStaff });
    // Staff who were live before a reconnect or a media reset are live again, without a click.
    if (state.isStaff) await this.media.republish();
    this.phase = 'ready';
  }

  async goLive(): Promise<void> {
    await this.step(
      () => this.media.startCamera(),
      (reason) => m.camera_error({ reason }),
    );
  }
}
