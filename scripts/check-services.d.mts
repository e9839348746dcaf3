/** Resolves to null when the test Postgres, Redis (and Chromium, unless browser: false) are there, else to what to do about it. */
export function checkServices(options?: { browser?: boolean }): Promise<string | null>;
