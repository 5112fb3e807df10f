// Manual mock: remembers what was registered.
export enum BackgroundTaskResult {
  Success = 1,
  Failed = 2,
}
export const registered = new Map<string, unknown>();
export async function registerTaskAsync(name: string, options?: unknown): Promise<void> {
  registered.set(name, options);
}
export async function unregisterTaskAsync(name: string): Promise<void> {
  registered.delete(name);
}
