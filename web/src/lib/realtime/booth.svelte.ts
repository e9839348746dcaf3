import { m } from '#lib/paraglide/messages.js';
import { LiveMedia } from './live-media.svelte';
import { errorMessage, request, session } from './session.svelte';

/**
 * A booth's stage as the page sees it: joined on mount and again after a reconnect or a media
 * reset, the live visitor count, and the media (staff publish, signed-in visitors watch;
 * anonymous visitors are counted, not streamed to).
 */
export class BoothStage {
  phase = $state<'connecting' | 'ready' | 'error'>('connecting');
  problem = $state('');
  isStaff = $state(false);
  viewers = $state(0);
  busy = $state(false);
  readonly media = new LiveMedia();

  constructor(
    readonly boothId: string,
    readonly signedIn: boolean,
  ) {}

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
    this.busy = true;
    this.problem = '';
    try {
      await this.media.startCamera();
    } catch (e) {
      this.problem = m.camera_error({ reason: errorMessage(e) });
    } finally {
      this.busy = false;
    }
  }

  /** Shares a screen (slides) besides the camera: the booth's screen shows it in its "screen" mode. */
  async shareScreen(): Promise<void> {
    this.busy = true;
    this.problem = '';
    try {
      await this.media.shareScreen();
    } catch (e) {
      this.problem = m.bl_screen_error({ reason: errorMessage(e) });
    } finally {
      this.busy = false;
    }
  }

  async stopLive(): Promise<void> {
    this.busy = true;
    await this.media.stopPublishing();
    this.busy = false;
  }
}
