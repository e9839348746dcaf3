import type { BroadcastLiveNotice } from '@fairground/signaling/protocol';
import { session } from './session.svelte';

const MAX_SHOWN = 3;

/** "A broadcast has just started" notices, as the clock announces them to every page. */
export class LiveNotices {
  notices = $state<BroadcastLiveNotice[]>([]);

  connect(): () => void {
    return session.on('notice:broadcast-live', (notice) => {
      if (this.notices.some((n) => n.broadcastId === notice.broadcastId)) return;
      this.notices = [...this.notices, notice].slice(-MAX_SHOWN);
    });
  }

  dismiss(broadcastId: string): void {
    this.notices = this.notices.filter((n) => n.broadcastId !== broadcastId);
  }
}
