// Small state in AsyncStorage: the server, the backup choices. The token is in secure storage.
import AsyncStorage from '@react-native-async-storage/async-storage';

export interface Settings {
  server: string;
  /** Device albums to back up; null means the whole library. */
  albums: string[] | null;
  wifiOnly: boolean;
  background: boolean;
  paused: boolean;
}

export const DEFAULT_SETTINGS: Settings = { server: '', albums: null, wifiOnly: true, background: false, paused: false };

const KEY = 'auroravault.settings.v1';
export const TOKEN_KEY = 'auroravault.token';

export async function loadSettings(): Promise<Settings> {
  const raw = await AsyncStorage.getItem(KEY);
  return raw ? { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<Settings>) } : { ...DEFAULT_SETTINGS };
}

export async function saveSettings(settings: Settings): Promise<void> {
  await AsyncStorage.setItem(KEY, JSON.stringify(settings));
}
