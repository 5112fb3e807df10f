// Builds the engine for a signed-in session: the same code runs in the foreground and in a background task.
import { ApiClient } from '../api/client';
import { BackupEngine, type Progress } from '../backup/engine';
import { apiTransport } from '../backup/transport';
import { deviceMedia } from '../platform/media';
import { networkBlocker } from '../platform/network';
import { openQueue } from '../platform/queueStore';
import type { Settings } from './settings';

let shared: BackupEngine | null = null;

/** The engine of this JS runtime, if one was made: a background run must not start a second one
 * on the same queue while the foreground's is still going (that could send a photo twice). */
export function currentEngine(): BackupEngine | null {
  return shared;
}

export function forgetEngine(): void {
  shared = null;
}

export async function makeEngine(
  api: ApiClient,
  settings: () => Settings,
  onProgress?: (p: Progress) => void,
): Promise<BackupEngine> {
  const queue = await openQueue();
  shared = new BackupEngine({
    queue,
    transport: apiTransport(api, deviceMedia.put),
    media: deviceMedia,
    blocker: () => networkBlocker(settings().wifiOnly),
    onProgress,
  });
  return shared;
}

/** Adds the chosen albums' photos not yet in the queue; returns how many were new. */
export async function scanLibrary(settings: Settings): Promise<number> {
  const queue = await openQueue();
  const ids = await deviceMedia.assetIds(settings.albums);
  const known = await queue.knownIds(ids);
  const fresh = await deviceMedia.describe(ids.filter((id) => !known.has(id)));
  return queue.add(fresh, Date.now());
}
