import { error } from '@sveltejs/kit';
import { listJobs } from '@fairground/db';
import { ServiceError, visibleBooth, wallTimeToUtc } from '@fairground/core';
import { db, formAction, services } from '#lib/server/platform.ts';
import { field, formValues } from '#lib/server/form-values.ts';
import { routeId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
  // The same rule as the booth socket join (core's visibleBooth): draft fairs' booths are not found.
  const found = await visibleBooth(db(), locals.user, routeId(params.id)).catch((e: unknown) => {
    if (e instanceof ServiceError && e.code === 'NOT_FOUND') error(404, 'Not found');
    throw e;
  });
  const { booth, fair, isStaff } = found;
  const isSeeker = locals.user?.role === 'seeker';
  const slots = services().slots;
  const [jobs, slotView, bookings, team, screenMode, presentations] = await Promise.all([
    listJobs(db(), [booth.employer.id]),
    slots.boothSlots(locals.user, booth.id),
    isSeeker ? slots.myBookings(locals.user).then((all) => all.filter((b) => b.boothId === booth.id)) : Promise.resolve([]),
    // Who may interview: the owner publishes for the whole team.
    isStaff
      ? services()
          .employers.members(locals.user, booth.employer.id)
          .then((t) => t.staff)
      : Promise.resolve([]),
    // What the booth's own screen shows now (the console's switch starts from it).
    isStaff ? services().venue.boothScreenMode(booth.id) : Promise.resolve('jobs' as const),
    // Recorded presentations: the replays this visitor may watch (staff: also those being made).
    services().presentations.past(locals.user, booth.id),
  ]);
  const me = team.find((t) => t.userId === locals.user?.id);
  return {
    booth,
    fair: { id: fair.id, title: fair.title, timeZone: fair.timeZone },
    presentations,
    jobs,
    isStaff,
    isSeeker,
    screenMode,
    slots: slotView,
    bookings,
    // The owner may publish for any colleague; a recruiter for themselves.
    interviewers: me?.role === 'owner' ? team.map((t) => ({ id: t.userId, name: t.name })) : me ? [{ id: me.userId, name: me.name }] : [],
  };
};

export const actions: Actions = {
  publishSlots: async ({ request, params, locals }) => {
    const data = await request.formData();
    const values = formValues(data, { lists: ['requiredFields'] });
    const boothId = routeId(params.id);
    const { timeZone } = await services().slots.boothSlots(locals.user, boothId);
    const start = field(data, 'startsAt').trim();
    const outcome = await formAction({ ...values, form: 'publish' }, () =>
      services().slots.publish(locals.user, {
        boothId,
        ...(values.recruiterId ? { recruiterId: values.recruiterId } : {}),
        // A wall time in the fair's zone (the page names it); never the server's zone.
        startsAt: start ? (wallTimeToUtc(start, timeZone) ?? new Date(Number.NaN)) : undefined,
        count: values.count,
        lengthMinutes: values.lengthMinutes,
        bufferMinutes: values.bufferMinutes,
        requiresResume: values.requiresResume === 'on',
        requiredFields: values.requiredFields,
      }),
    );
    if (!outcome.ok) return outcome.failure;
    return { form: 'publish', done: 'published', count: outcome.result.length };
  },
  withdrawSlot: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ form: 'withdraw' }, () => services().slots.withdraw(locals.user, field(data, 'slotId')));
    if (!outcome.ok) return outcome.failure;
    return { form: 'withdraw', done: 'withdrawn' };
  },
  book: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ form: 'book' }, () => services().slots.book(locals.user, field(data, 'slotId')));
    if (!outcome.ok) return outcome.failure;
    return { form: 'book', done: 'booked' };
  },
  cancelBooking: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ form: 'cancel' }, () => services().slots.cancel(locals.user, field(data, 'bookingId')));
    if (!outcome.ok) return outcome.failure;
    return { form: 'cancel', done: 'cancelled' };
  },
  reschedule: async ({ request, locals }) => {
    const data = await request.formData();
    const outcome = await formAction({ form: 'reschedule' }, () => services().slots.reschedule(locals.user, field(data, 'bookingId'), field(data, 'slotId')));
    if (!outcome.ok) return outcome.failure;
    return { form: 'reschedule', done: 'moved' };
  },
};
