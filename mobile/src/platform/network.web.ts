/** A browser does not say whether it is on Wi-Fi: only whether it is online. */
export async function networkBlocker(_wifiOnly: boolean): Promise<string | null> {
  return typeof navigator !== 'undefined' && navigator.onLine === false ? 'waiting for a network' : null;
}
