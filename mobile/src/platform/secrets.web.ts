// The web build has no Keychain: the token lives in the page's storage.
import AsyncStorage from '@react-native-async-storage/async-storage';

export const secrets = {
  get: (key: string) => AsyncStorage.getItem(key),
  set: (key: string, value: string) => AsyncStorage.setItem(key, value),
  remove: (key: string) => AsyncStorage.removeItem(key),
};
