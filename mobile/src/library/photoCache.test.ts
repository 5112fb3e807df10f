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
  expect(await syncChanges(api, cache)).toEqual({ supported: true, changed: 3, deleted: 1 });
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
  expect(await syncChanges(api, new PhotoCache())).toEqual({ supported: false, changed: 0, deleted: 0 });
});

it('keeps newest first', () => {
  const cache = new PhotoCache();
  cache.upsert([photo('old', '2020-01-01'), photo('new', '2025-01-01'), photo('mid', '2022-06-01')]);
  expect(cache.all().map((p) => p.id)).toEqual(['new', 'mid', 'old']);
});
