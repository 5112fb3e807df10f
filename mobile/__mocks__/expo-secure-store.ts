// Manual mock: the Keychain as a map; the options of every write are kept for the tests.
export const AFTER_FIRST_UNLOCK = 'AFTER_FIRST_UNLOCK';
export const store = new Map<string, string>();
export const writes: { key: string; options: unknown }[] = [];

export async function getItemAsync(key: string): Promise<string | null> {
  return store.get(key) ?? null;
}
export async function setItemAsync(key: string, value: string, options?: unknown): Promise<void> {
  writes.push({ key, options });
  store.set(key, value);
}
export async function deleteItemAsync(key: string): Promise<void> {
  store.delete(key);
}
