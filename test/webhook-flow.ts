import type { Services } from '@fairground/core';
import type { SessionUser } from '@fairground/db';

/**
 * One seeker's whole visit to a booth, through core's services as sockets drive them: joins the
 * line, is called and accepts, the interview starts and ends, and the recruiter records an outcome.
 * Four webhook events: queue.joined, interview.started, interview.ended, outcome.recorded.
 */
export async function visitBooth(services: Services, booth: { id: string; owner: SessionUser }, seeker: SessionUser) {
  const { entry } = await services.queue.join(seeker, booth.id, true);
  const called = await services.queue.callNext(booth.owner, booth.id);
  if (called?.id !== entry.id) throw new Error('the seeker was not the one called');
  const interview = await services.queue.accept(seeker, entry.id);
  await services.interviews.markStarted(interview.id);
  await services.interviews.end(booth.owner, interview.id);
  await services.interviews.assess(booth.owner, interview.id, { notes: 'strong', rating: 3, outcome: 'next_round' });
  return { entry, interview };
}

export const VISIT_EVENTS = ['queue.joined', 'interview.started', 'interview.ended', 'outcome.recorded'];
