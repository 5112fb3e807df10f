import AsyncStorage from '@react-native-async-storage/async-storage';

import { ApiError } from '../api/errors';
import type { Photo, SyncChanges } from '../api/types';
import { PhotoCache, syncChanges } from './photoCache';

const photo = (id: string, taken_at: string, extra: Partial<Photo> = {}): Photo => ({
  id,
  status: 'ready',
  filename: `${id}.jpg`,
  content_type: 'image/jpeg',
  size: 1,
  sha256: id,
  width: 1,
  height: 1,
  taken_at,
  thumb_url: `http://x/${id}`,
  ...extra,
});

beforeEach(() => AsyncStorage.clear());

it('applies changes and deletions page by page and remembers where it stopped', async () => {
  const pages: Record<string, SyncChanges> = {
    start: { changed: [photo('a', '2024-01-01'), photo('b', '2024-02-01')], deleted: [], next: 't1' },
    t1: { changed: [photo('a', '2024-03-01', { favorite: true })], deleted: ['b'], next: 't2' },
    t2: { changed: [], deleted: [], next: 't2' },
  };
  const asked: (string | null)[] = [];
  const api = { syncChanges: async (since: string | null) => (asked.push(since), pages[since ?? 'start']) };
  const cache = new PhotoCache();
  expect(await syncChanges(api, cache)).toEqual({ supported: true, changed: 3, deleted: 1, reset: false });
  expect(asked).toEqual([null, 't1', 't2']);
  expect(cache.all().map((p) => [p.id, p.favorite])).toEqual([['a', true]]);

  // Restarted: the cache comes back from the device (without stale URLs) and sync goes on from t2.
  const again = new PhotoCache();
  expect((await again.load()).map((p) => [p.id, p.thumb_url])).toEqual([['a', undefined]]);
  asked.length = 0;
  await syncChanges(api, again);
  expect(asked).toEqual(['t2']);
});

it('says so when the server has no sync yet', async () => {
  const api = {
    syncChanges: async () => {
      throw new ApiError({ status: 404, code: 'http_404', detail: 'Not Found' });
    },
  };
  expect(await syncChanges(api, new PhotoCache())).toEqual({ supported: false, changed: 0, deleted: 0, reset: false });
});

it('keeps newest first', () => {
  const cache = new PhotoCache();
  cache.upsert([photo('old', '2020-01-01'), photo('new', '2025-01-01'), photo('mid', '2022-06-01')]);
  expect(cache.all().map((p) => p.id)).toEqual(['new', 'mid', 'old']);
});

it('drops its cache and reloads from the start when the server no longer keeps changes that old', async () => {
  const asked: (string | null)[] = [];
  const pages: Record<string, SyncChanges> = {
    start: { changed: [photo('a', '2024-01-01'), photo('b', '2024-02-01')], deleted: [], next: 'old' },
    fresh: { changed: [photo('a', '2024-01-01')], deleted: [], next: 'new', more: false },
  };
  let expired = false;
  const api = {
    syncChanges: async (since: string | null) => {
      asked.push(since);
      if (since === 'old' && expired) {
        throw new ApiError({ status: 410, code: 'sync_expired', detail: 'this sync token is too old' });
      }
      return since === null ? (expired ? pages.fresh : pages.start) : { changed: [], deleted: [], next: since };
    },
  };
  const cache = new PhotoCache();
  await syncChanges(api, cache);
  expect(cache.all().map((p) => p.id)).toEqual(['b', 'a']);

  // Months later b was deleted on the server, and its deletion has left the feed.
  expired = true;
  asked.length = 0;
  expect(await syncChanges(api, cache)).toEqual({ supported: true, changed: 1, deleted: 0, reset: true });
  expect(asked).toEqual(['old', null]);
  expect(cache.all().map((p) => p.id)).toEqual(['a']);
  expect(await AsyncStorage.getItem('auroravault.sync.since.v1')).toBe('new');
  expect((await new PhotoCache().load()).map((p) => p.id)).toEqual(['a']);
});

it('does not loop when even a sync from the start is refused', async () => {
  const api = {
    syncChanges: async () => {
      throw new ApiError({ status: 410, code: 'sync_expired', detail: 'too old' });
    },
  };
  await AsyncStorage.setItem('auroravault.sync.since.v1', 'old');
  await expect(syncChanges(api, new PhotoCache())).rejects.toMatchObject({ code: 'sync_expired' });
});

