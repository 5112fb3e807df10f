import { ApiError } from '../api/errors';
import { FetchQueue } from './fetchQueue';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const offline = () => new ApiError({ status: null, code: 'network_error', detail: 'Network Error' });
const flush = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

it('fills a thumbnail in once the network recovers, after backing off', async () => {
  let up = false;
  const load = jest.fn(async (key: string) => {
    if (!up) throw offline();
    return `file:///cache/${key}.webp`;
  });
  const q = new FetchQueue({ load, random: () => 0.5 });
  const seen: string[] = [];
  q.subscribe('p1', (e) => seen.push(e.status));
  q.request('p1');
  await flush();
  expect(q.get('p1')).toMatchObject({ status: 'waiting', attempts: 1, nextAt: 500, code: 'network_error' });
  await jest.advanceTimersByTimeAsync(500);
  expect(q.get('p1')).toMatchObject({ status: 'waiting', attempts: 2, nextAt: 1500 });
  up = true;
  await jest.advanceTimersByTimeAsync(1000);
  expect(q.get('p1')).toMatchObject({ status: 'ready', value: 'file:///cache/p1.webp' });
  expect(load).toHaveBeenCalledTimes(3);
  expect(seen).toEqual(['waiting', 'loading', 'waiting', 'loading', 'waiting', 'loading', 'ready']);
});

it('retries everything at once when told the network is back', async () => {
  let up = false;
  const q = new FetchQueue({
    load: async (key: string) => {
      if (!up) throw offline();
      return key;
    },
    random: () => 0.99,
  });
  for (const key of ['a', 'b', 'c']) q.request(key);
  await flush();
  up = true;
  q.retryNow();
  await flush();
  expect(['a', 'b', 'c'].map((k) => q.get(k)?.status)).toEqual(['ready', 'ready', 'ready']);
});

it('gives up on a photo that is gone, and loads a ready one only once', async () => {
  const load = jest.fn(async (key: string) => {
    if (key === 'gone') throw new ApiError({ status: 404, code: 'photo_not_found', detail: 'no such photo' });
    return key;
  });
  const q = new FetchQueue({ load });
  q.request('gone');
  q.request('ok');
  await flush();
  q.request('ok');
  await jest.advanceTimersByTimeAsync(120_000);
  expect(q.get('gone')).toMatchObject({ status: 'gone', code: 'photo_not_found' });
  expect(load.mock.calls.map((c) => c[0])).toEqual(['gone', 'ok']);
});

it('honours Retry-After and keeps to its concurrency', async () => {
  let active = 0;
  let most = 0;
  let calls = 0;
  const q = new FetchQueue({
    concurrency: 2,
    random: () => 0,
    load: async (key: string) => {
      calls += 1;
      const n = calls;
      active += 1;
      most = Math.max(most, active);
      await Promise.resolve();
      active -= 1;
      if (n === 1) throw new ApiError({ status: 503, code: 'storage_unavailable', detail: 'down', retryAfterMs: 10_000 });
      return key;
    },
  });
  for (const key of ['a', 'b', 'c', 'd']) q.request(key);
  await flush();
  await flush();
  expect(q.get('a')).toMatchObject({ status: 'waiting', nextAt: 10_000 });
  await jest.advanceTimersByTimeAsync(9_999);
  expect(q.get('a')?.status).toBe('waiting');
  await jest.advanceTimersByTimeAsync(1);
  expect(q.get('a')?.status).toBe('ready');
  expect(most).toBeLessThanOrEqual(2);
});
