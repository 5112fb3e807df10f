// Manual mock: the network the tests say the phone is on.
export enum NetworkStateType {
  NONE = 'NONE',
  UNKNOWN = 'UNKNOWN',
  CELLULAR = 'CELLULAR',
  WIFI = 'WIFI',
  ETHERNET = 'ETHERNET',
}
export const state = { type: NetworkStateType.WIFI, isConnected: true, isInternetReachable: true };
export async function getNetworkStateAsync() {
  return { ...state };
}
export const listeners = new Set<(s: typeof state) => void>();
export function addNetworkStateListener(listener: (s: typeof state) => void) {
  listeners.add(listener);
  return { remove: () => listeners.delete(listener) };
}
