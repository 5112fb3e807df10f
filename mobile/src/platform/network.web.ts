/** A browser does not say whether it is on Wi-Fi: only whether it is online. */
export async function networkBlocker(_wifiOnly: boolean): Promise<string | null> {
  return typeof navigator !== 'undefined' && navigator.onLine === false ? 'waiting for a network' : null;
}

/** Calls `back` each time the browser is online again. */
export function onNetworkBack(back: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  window.addEventListener('online', back);
  return () => window.removeEventListener('online', back);
}
