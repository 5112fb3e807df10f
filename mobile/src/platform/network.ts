import * as Network from 'expo-network';

/** Why the backup may not run on this network now, or null. */
export async function networkBlocker(wifiOnly: boolean): Promise<string | null> {
  const state = await Network.getNetworkStateAsync();
  if (state.isConnected === false || state.isInternetReachable === false) return 'waiting for a network';
  if (wifiOnly && state.type !== Network.NetworkStateType.WIFI && state.type !== Network.NetworkStateType.ETHERNET) {
    return 'waiting for Wi-Fi';
  }
  return null;
}

/** Calls `back` each time the phone gets a connection again. */
export function onNetworkBack(back: () => void): () => void {
  let wasConnected = true;
  const sub = Network.addNetworkStateListener((state) => {
    const connected = state.isConnected !== false && state.isInternetReachable !== false;
    if (connected && !wasConnected) back();
    wasConnected = connected;
  });
  return () => sub.remove();
}
