/**
 * Makes a call impossible to miss: a short two-tone chime (Web Audio, no asset), a browser
 * notification when the tab is in the background and permission was given, and the tab title.
 */
export function alertUser(title: string, body: string): () => void {
  try {
    const ctx = new AudioContext();
    for (const [i, freq] of [880, 660, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, ctx.currentTime + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.25 + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.25);
      osc.stop(ctx.currentTime + i * 0.25 + 0.23);
    }
    setTimeout(() => void ctx.close(), 1500);
  } catch {
    // No audio device: the visible alert still shows.
  }
  let notification: Notification | null = null;
  if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
    notification = new Notification(title, { body, requireInteraction: true });
  }
  const original = document.title;
  document.title = `🔔 ${title}`;
  return () => {
    notification?.close();
    document.title = original;
  };
}

/** Asks once, at a moment the user chose (joining a line), so a later call can notify. */
export function askNotificationPermission(): void {
  if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
}
