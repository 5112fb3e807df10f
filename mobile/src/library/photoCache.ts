// The timeline kept on the device (AsyncStorage, bounded), so the app opens on photos even offline,
// and `GET /sync/changes` keeps it right without reloading everything.
import AsyncStorage from '@react-native-async-storage/async-storage';

import type { ApiClient } from '../api/client';
import { toApiError } from '../api/errors';
import type { Photo } from '../api/types';

const KEY = 'auroravault.timeline.v1';
const SINCE_KEY = 'auroravault.sync.since.v1';
/** About 1 KB per photo: stays far below AsyncStorage's 2 MB per entry on Android. */
export const CACHE_LIMIT = 1000;

function newestFirst(a: Photo, b: Photo): number {
  if (a.taken_at !== b.taken_at) return a.taken_at < b.taken_at ? 1 : -1;
  return a.id < b.id ? 1 : -1;
}

export class PhotoCache {
  private photos = new Map<string, Photo>();

  async load(): Promise<Photo[]> {
    const raw = await AsyncStorage.getItem(KEY);
    this.photos.clear();
    if (raw) for (const p of JSON.parse(raw) as Photo[]) this.photos.set(p.id, p);
    return this.all();
  }

  all(): Photo[] {
    return [...this.photos.values()].sort(newestFirst);
  }

  upsert(photos: Photo[]): void {
    for (const p of photos) this.photos.set(p.id, { ...this.photos.get(p.id), ...p });
  }

  remove(ids: string[]): void {
    for (const id of ids) this.photos.delete(id);
  }

  async save(): Promise<void> {
    // Presigned URLs live minutes: keep the metadata, not the URLs.
    const kept = this.all()
      .slice(0, CACHE_LIMIT)
      .map(({ thumb_url: _url, ...rest }) => rest);
    await AsyncStorage.setItem(KEY, JSON.stringify(kept));
  }

  async clear(): Promise<void> {
    this.photos.clear();
    await AsyncStorage.multiRemove([KEY, SINCE_KEY]);
  }
}

export interface SyncResult {
  /** False when the server has no `/sync/changes` yet (the client then reloads the first page). */
  supported: boolean;
  changed: number;
  deleted: number;
  /** True when the server no longer kept changes as old as our token (410 `sync_expired`): the
   * cache was dropped and filled again from the start of the feed; show the first page anew. */
  reset: boolean;
}

/** The server prunes its change feed: a token older than that is 410 `sync_expired`. */
export function isSyncExpired(raw: unknown): boolean {
  const err = toApiError(raw);
  return err.status === 410 && err.code === 'sync_expired';
}

/** Applies every change since the last sync; the token is saved only after the cache is. */
export async function syncChanges(api: Pick<ApiClient, 'syncChanges'>, cache: PhotoCache, maxRounds = 50): Promise<SyncResult> {
  let since = await AsyncStorage.getItem(SINCE_KEY);
  let changed = 0;
  let deleted = 0;
  let reset = false;
  for (let round = 0; round < maxRounds; round += 1) {
    let res;
    try {
      res = await api.syncChanges(since);
    } catch (raw) {
      if (isSyncExpired(raw) && since !== null && !reset) {
        // Deletions older than the server keeps are gone from its feed: what the cache holds
        // can no longer be trusted. Drop it and reload everything from the start.
        await cache.clear();
        since = null;
        reset = true;
        continue;
      }
      const err = toApiError(raw);
      if (err.status === 404 || err.status === 405) return { supported: false, changed, deleted, reset };
      throw err;
    }
    cache.upsert(res.changed);
    cache.remove(res.deleted);
    changed += res.changed.length;
    deleted += res.deleted.length;
    await cache.save();
    await AsyncStorage.setItem(SINCE_KEY, res.next);
    if (res.more === false || (res.changed.length === 0 && res.deleted.length === 0) || res.next === since) break;
    since = res.next;
  }
  return { supported: true, changed, deleted, reset };
}
