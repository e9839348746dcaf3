import type { FairDashboard } from '@fairground/signaling/protocol';
import { errorMessage, request, session } from './session.svelte';

/** An organizer's live numbers for one fair: watched on mount and again after every reconnect. */
export class DashboardWatch {
  numbers = $state<FairDashboard | null>(null);
  problem = $state('');
  /** Whether the numbers are live (the connection is up). */
  readonly connected = $derived(session.status === 'connected' || session.status === 'connecting');

  constructor(readonly fairId: string) {}

  connect(): () => void {
    const watch = () =>
      request('dashboard:watch', { fairId: this.fairId })
        .then((d) => {
          this.numbers = d;
          this.problem = '';
        })
        .catch((e: unknown) => (this.problem = errorMessage(e)));
    const offs = [
      session.on('dashboard:update', (d) => {
        if (d.fairId === this.fairId && (!this.numbers || d.at >= this.numbers.at)) this.numbers = d;
      }),
      // After a reconnect the server has forgotten this socket's rooms: watch again.
      session.room(() => void watch()),
    ];
    void watch();
    return () => {
      offs.forEach((off) => off());
      void request('dashboard:unwatch', { fairId: this.fairId }).catch(() => {});
    };
  }
}
