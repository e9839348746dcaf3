import { isOrganizer } from '@fairground/core';
import { services } from '#lib/server/platform.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => ({
  user: locals.user ? { id: locals.user.id, name: locals.user.name, role: locals.user.role, isOrganizer: isOrganizer(locals.user) } : null,
  // The in-app notice of employers' invitations (邀约): how many wait for the seeker's answer.
  pendingInvitations: locals.user?.role === 'seeker' ? await services().candidateInvitations.pendingCount(locals.user) : 0,
});
