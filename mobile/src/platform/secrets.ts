// The session token in the Keychain / Keystore, readable after the first unlock so that
// background backups can use it.
import * as SecureStore from 'expo-secure-store';

const OPTIONS = { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK };

export const secrets = {
  get: (key: string) => SecureStore.getItemAsync(key, OPTIONS),
  set: (key: string, value: string) => SecureStore.setItemAsync(key, value, OPTIONS),
  remove: (key: string) => SecureStore.deleteItemAsync(key, OPTIONS),
};
