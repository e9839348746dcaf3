import { m } from '#lib/paraglide/messages.js';
import { LiveMedia } from './live-media.svelte';
import { errorMessage } from './session.svelte';

/**
 * What a room whose staff publish (a booth's stage, a broadcast) does the same way: its media,
 * the controls' busy state while a step runs and the problem a failed step leaves to show. A
 * failure is said on the page, not thrown: the buttons stay usable for another try.
 */
export abstract class PublishingRoom {
  problem = $state('');
  busy = $state(false);
  readonly media = new LiveMedia();

  /** Runs a publishing step with the controls busy; true when it worked. */
  protected async step(run: () => Promise<void>, failed: (reason: string) => string): Promise<boolean> {
    this.busy = true;
    this.problem = '';
    try {
      await run();
      return true;
    } catch (e) {
      this.problem = failed(errorMessage(e));
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Shares a screen besides the camera (a booth's slides, a broadcast's main picture). */
  async shareScreen(): Promise<void> {
    await this.step(
      () => this.media.shareScreen(),
      (reason) => m.bl_screen_error({ reason }),
    );
  }

  /** Stops the camera, microphone and screen: off air, still in the room. */
  async stopPublishing(): Promise<void> {
    this.busy = true;
    await this.media.stopPublishing();
    this.busy = false;
  }
}
