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

/** Calls `back` each time the network changes and the phone is connected (back online, or
 * from cellular to Wi-Fi): whatever waited for the network may go now. */
export function onNetworkBack(back: () => void): () => void {
  const sub = Network.addNetworkStateListener((state) => {
    if (state.isConnected !== false && state.isInternetReachable !== false) back();
  });
  return () => sub.remove();
}
