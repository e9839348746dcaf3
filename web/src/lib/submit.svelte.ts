import type { SubmitFunction } from '$app/forms';

/**
 * Progress for a page's enhanced forms: `submit('name')` marks that form busy (to disable its
 * button) until SvelteKit has applied the result. `before` may refuse early (return false), e.g.
 * a file over the size limit, before anything is sent.
 */
export function formProgress() {
  let busy = $state<string | null>(null);
  return {
    get busy() {
      return busy;
    },
    submit(name: string, before?: (data: FormData) => boolean): SubmitFunction {
      return ({ formData, cancel }) => {
        if (before && !before(formData)) {
          cancel();
          return;
        }
        busy = name;
        return async ({ update }) => {
          try {
            await update();
          } finally {
            busy = null;
          }
        };
      };
    },
  };
}

/** The file a form is about to send, or null when none was chosen. */
export function chosenFile(data: FormData, name: string): File | null {
  const file = data.get(name);
  return file instanceof File && !(file.size === 0 && file.name === '') ? file : null;
}
