import type { SubmitFunction } from '$app/forms';

/**
 * For sign-in, sign-up and sign-out: after the redirect, load the next page in full, so the
 * realtime connection is opened again with the new session cookie (a socket authenticates once,
 * at its handshake).
 */
export const reloadAfterAuth: SubmitFunction =
  () =>
  async ({ result, update }) => {
    if (result.type === 'redirect') window.location.assign(result.location);
    else await update();
  };
