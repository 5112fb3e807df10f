// The backup engine against the fake server: the pending queue never loses or doubles a photo.
import { ApiError } from '../api/errors';
import { FakeClock, FakeMedia, FakeServer, shaOf } from '../testing/fakeServer';
import { openSqlJs } from '../testing/sqljs';
import { BackupEngine, type EngineOptions } from './engine';
import { MemoryQueue, type UploadQueue } from './queue';
import { SqliteQueue } from './sqliteQueue';

class Killed extends Error {}

/** A queue whose process dies: after kill(), every write throws, as if the app were gone. */
class KillableQueue {
  dead = false;
  constructor(readonly inner: UploadQueue) {
    return new Proxy(this, {
      get: (target, prop) => {
        if (prop === 'dead' || prop === 'inner' || prop === 'kill') return Reflect.get(target, prop);
        const fn = Reflect.get(target.inner, prop) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          if (target.dead) throw new Killed('the app was killed');
          return fn.apply(target.inner, args);
        };
      },
    });
  }
  kill() {
    this.dead = true;
  }
}

function setup(queue: UploadQueue = new MemoryQueue(), extra: Partial<EngineOptions> = {}) {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  const media = new FakeMedia();
  const make = (q: UploadQueue = queue, more: Partial<EngineOptions> = {}) =>
    new BackupEngine({ queue: q, transport: server, media, clock, random: () => 0.5, ...extra, ...more });
  return { clock, server, media, queue, engine: make(), make };
}

const unavailable = (retryAfterMs: number | null = null) =>
  new ApiError({ status: 503, code: 'meta_unavailable', detail: 'the database is unavailable', retryAfterMs });

describe('a first backup', () => {
  it('sends every photo once, in batches of at most 50, and marks them done after complete', async () => {
    const { server, media, queue, engine } = setup();
    await queue.add(media.photos(120), 0);
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(120);
    expect(server.photos.size).toBe(120);
    expect([...server.puts.values()].every((n) => n === 1)).toBe(true);
    const inits = server.calls.filter((c) => c.op === 'init').map((c) => c.size);
    expect(inits).toEqual([50, 50, 20]);
    expect(server.count('check')).toBe(3); // hashing and sending overlap: 50 at a time
  });

  it("sends each file's name, size, type, hash and modification time", async () => {
    const { server, media, queue, engine } = setup();
    const asset = media.add('IMG_1.jpg', 'bytes', Date.parse('2021-06-01T12:00:00Z'));
    await queue.add([asset, media.add('old.jpg', 'no date')], 0);
    await engine.run();
    expect(server.specs[0]).toEqual({
      filename: 'IMG_1.jpg',
      size: 5,
      content_type: 'image/jpeg',
      sha256: shaOf('bytes'),
      client_ref: asset.assetId,
      file_modified_at: '2021-06-01T12:00:00.000Z',
    });
    expect(server.specs[1]).not.toHaveProperty('file_modified_at');
  });

  it('hashes in chunks, never the whole file at once', async () => {
    const { media, queue, engine } = setup();
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i % 251);
    await queue.add([media.add('big.jpg', big)], 0);
    await engine.run();
    expect(media.maxRead).toBeLessThanOrEqual(1024 * 1024);
    const item = (await queue.list('done', 1))[0];
    expect(item.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('what the server already knows', () => {
  it('skips photos the server has, trashed ones and deleted ones, without sending them', async () => {
    const { server, media, queue, engine } = setup();
    const assets = [media.add('have.jpg', 'have'), media.add('trash.jpg', 'trash'), media.add('gone.jpg', 'gone'), media.add('new.jpg', 'new')];
    server.photos.set(shaOf('have'), 'p-have');
    server.trashed.set(shaOf('trash'), 'p-trash');
    server.deleted.add(shaOf('gone'));
    await queue.add(assets, 0);
    await engine.run();
    expect(await queue.get(assets[0].assetId)).toMatchObject({ state: 'done', photoId: 'p-have' });
    expect(await queue.get(assets[1].assetId)).toMatchObject({ state: 'skipped', code: 'trashed' });
    expect(await queue.get(assets[2].assetId)).toMatchObject({ state: 'skipped', code: 'deleted' });
    expect(await queue.get(assets[3].assetId)).toMatchObject({ state: 'done' });
    expect([...server.puts.keys()]).toEqual([shaOf('new')]);
  });

  it('works with a server whose check answers only existing and missing', async () => {
    const { server, media, queue, engine } = setup();
    server.legacyCheck = true;
    server.photos.set(shaOf('have'), 'p-have');
    const assets = [media.add('have.jpg', 'have'), media.add('new.jpg', 'new')];
    await queue.add(assets, 0);
    await engine.run();
    expect(await queue.get(assets[0].assetId)).toMatchObject({ state: 'done', photoId: 'p-have' });
    expect(await queue.get(assets[1].assetId)).toMatchObject({ state: 'done' });
  });

  it('treats a duplicate answer as success, and the same bytes twice on the phone as one photo', async () => {
    const { server, media, queue, engine } = setup();
    const a = media.add('a.jpg', 'same');
    const b = media.add('b.jpg', 'same');
    const c = media.add('c.jpg', 'raced');
    await queue.add([a, b, c], 0);
    // Between our check and our init, another phone of the family uploads c.
    const check = server.check.bind(server);
    server.check = async (shas) => {
      const res = await check(shas);
      server.photos.set(shaOf('raced'), 'p-other-phone');
      return res;
    };
    await engine.run();
    expect(await queue.get(a.assetId)).toMatchObject({ state: 'done' });
    expect(await queue.get(b.assetId)).toMatchObject({ state: 'skipped', code: 'duplicate_on_device' });
    expect(await queue.get(c.assetId)).toMatchObject({ state: 'done', photoId: 'p-other-phone' });
    expect(server.puts.get(shaOf('same'))).toBe(1);
    expect(server.puts.has(shaOf('raced'))).toBe(false);
  });
});

describe.each([
  ['memory', async () => ({ queue: new MemoryQueue() as UploadQueue, reopen: async (q: UploadQueue) => q })],
  [
    'sqlite',
    async () => {
      const { db, raw } = await openSqlJs();
      const queue = await SqliteQueue.open(db);
      // A reboot: the app starts again on what the database file holds.
      const reopen = async () => SqliteQueue.open((await openSqlJs(raw.export())).db);
      return { queue: queue as UploadQueue, reopen };
    },
  ],
])('killed mid-batch (%s queue)', (_name, makeQueue) => {
  it('resumes where it stopped: nothing sent twice, nothing done before complete', async () => {
    const { queue, reopen } = await makeQueue();
    const killable = new KillableQueue(queue);
    const { server, media, make } = setup();
    await queue.add(media.photos(10), 0);
    // The app dies while the fourth PUT is on the wire (the storage never gets those bytes).
    server.beforePut = (_req, n) => {
      if (n === 4) {
        killable.kill();
        throw new Killed('the app was killed');
      }
    };
    const first = make(killable as unknown as UploadQueue, { putConcurrency: 1 });
    await expect(first.run()).rejects.toThrow(Killed);
    server.beforePut = null;

    const after = await reopen(queue);
    const counts = await after.counts();
    expect(counts.sent).toBe(3);
    expect(counts.done).toBe(0); // complete was never answered
    expect(server.photos.size).toBe(0);

    expect(await make(after).run()).toBe('idle');
    expect((await after.counts()).done).toBe(10);
    expect(server.photos.size).toBe(10);
    expect([...server.puts.values()].every((n) => n === 1)).toBe(true);
    // The resumed uploads kept their ids: one photo per file on the server.
    expect(new Set([...server.uploads.values()].map((u) => u.photoId)).size).toBe(10);
  });

  it('asks complete again after dying before its answer was written', async () => {
    const { queue, reopen } = await makeQueue();
    const killable = new KillableQueue(queue);
    const { server, media, make } = setup();
    await queue.add(media.photos(3), 0);
    const complete = server.complete.bind(server);
    server.complete = async (batch, ids) => {
      const res = await complete(batch, ids);
      killable.kill(); // the server confirmed, the phone died before saving it
      return res;
    };
    await expect(make(killable as unknown as UploadQueue).run()).rejects.toThrow(Killed);
    server.complete = complete;
    const after = await reopen(queue);
    expect((await after.counts()).sent).toBe(3);
    await make(after).run();
    expect((await after.counts()).done).toBe(3);
    expect(server.count('put')).toBe(3);
  });
});

describe('failures', () => {
  it('refreshes an expired URL with a new init of the same upload', async () => {
    const { clock, server, media, queue, engine } = setup();
    const [asset] = media.photos(1);
    await queue.add([asset], 0);
    server.beforePut = (_req, n) => {
      if (n === 1) clock.t += 60 * 60 * 1000; // the phone slept an hour before sending
    };
    expect(await engine.run()).toBe('idle');
    expect(await queue.get(asset.assetId)).toMatchObject({ state: 'done' });
    expect(server.count('init')).toBe(2);
    expect(server.uploads.size).toBe(1);
    expect(server.count('put')).toBe(2);
  });

  it('stops refreshing a URL that keeps expiring and shows the code', async () => {
    const { server, media, queue, engine } = setup();
    const [asset] = media.photos(1);
    await queue.add([asset], 0);
    server.urlLifetimeMs = -1;
    expect(await engine.run()).toBe('idle');
    expect(await queue.get(asset.assetId)).toMatchObject({ state: 'failed', code: 'url_expired' });
    expect(server.count('init')).toBe(4); // the first URL and 3 refreshes
  });

  it('waits for Retry-After on a 503, then carries on', async () => {
    const { clock, server, media, queue, engine } = setup();
    await queue.add(media.photos(2), 0);
    server.failNext('init', unavailable(30_000), unavailable(30_000));
    const start = clock.t;
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(2);
    expect(clock.slept.length).toBe(2);
    expect(clock.slept.every((ms) => ms >= 30_000)).toBe(true);
    expect(clock.t - start).toBeGreaterThanOrEqual(60_000);
  });

  it('backs off exponentially with full jitter, capped, while the network is down', async () => {
    const { clock, server, media, queue } = setup();
    const down = () => new ApiError({ status: null, code: 'network_error', detail: 'Network Error' });
    server.failNext('check', ...Array.from({ length: 12 }, down));
    const e = new BackupEngine({
      queue,
      transport: server,
      media,
      clock,
      random: () => 0.5,
      backoff: { baseMs: 1000, capMs: 60_000 },
    });
    await queue.add(media.photos(1), 0);
    expect(await e.run()).toBe('idle');
    expect(clock.slept).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000]);
    expect((await queue.counts()).done).toBe(1);
  });

  it('a network lost in the middle of a batch retries only the PUTs that failed', async () => {
    const { server, media, queue, engine } = setup(new MemoryQueue(), { putConcurrency: 1 });
    const assets = media.photos(5);
    await queue.add(assets, 0);
    const lost = () => new ApiError({ status: null, code: 'network_error', detail: 'Network Error' });
    server.beforePut = (_req, n) => {
      if (n === 3 || n === 4) throw lost();
    };
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(5);
    expect([...server.puts.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(server.count('init')).toBe(2); // the two that failed asked for fresh URLs once
    expect(server.uploads.size).toBe(5);
  });

  it('shows a file the server refuses with its code and sends the rest, without a retry loop', async () => {
    const { server, media, queue, engine } = setup();
    const assets = media.photos(3);
    await queue.add(assets, 0);
    server.failNext(
      'init',
      new ApiError({
        status: 422,
        code: 'unsupported_media_type',
        detail: 'file 1: image/x-foo is not a photo type',
        errors: [{ index: 1, code: 'unsupported_media_type', detail: 'image/x-foo is not a photo type' }],
      }),
    );
    expect(await engine.run()).toBe('idle');
    expect(await queue.get(assets[1].assetId)).toMatchObject({ state: 'failed', code: 'unsupported_media_type', reason: 'image/x-foo is not a photo type' });
    expect((await queue.counts()).done).toBe(2);
    expect(server.count('init')).toBe(2);
  });

  it('a full quota fails the batch once, with the code, until the user retries', async () => {
    const { server, media, queue, engine } = setup();
    await queue.add(media.photos(3), 0);
    server.failNext('init', new ApiError({ status: 413, code: 'quota_exceeded', detail: 'the quota would be exceeded' }));
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).failed).toBe(3);
    expect((await queue.list('failed', 1))[0].code).toBe('quota_exceeded');
    expect(server.count('init')).toBe(1);
    expect(await queue.retryFailed(0)).toBe(3);
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(3);
  });

  it('a 401 stops the backup and keeps the queue for after sign in', async () => {
    const { server, media, queue, engine } = setup();
    await queue.add(media.photos(4), 0);
    server.failNext('init', new ApiError({ status: 401, code: 'invalid_token', detail: 'sign in again' }));
    expect(await engine.run()).toBe('signed_out');
    expect(await queue.counts()).toMatchObject({ ready: 4, failed: 0, done: 0 });
    expect(await engine.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(4);
  });

  it('keeps asking complete with backoff while the storage has not seen the bytes, then sends again', async () => {
    const { server, media, queue, engine } = setup();
    const [asset] = media.photos(1);
    await queue.add([asset], 0);
    server.loseBytes = true;
    const complete = server.complete.bind(server);
    let completes = 0;
    server.complete = async (b, ids) => {
      completes += 1;
      if (completes === 5) server.loseBytes = false;
      return complete(b, ids);
    };
    expect(await engine.run()).toBe('idle');
    expect(await queue.get(asset.assetId)).toMatchObject({ state: 'done' });
    expect(server.count('put')).toBe(2); // the bytes went again once, after 5 pendings
  });

  it('pauses and resumes', async () => {
    const { server, media, queue, engine } = setup(new MemoryQueue(), { putConcurrency: 1 });
    await queue.add(media.photos(5), 0);
    server.beforePut = (_req, n) => {
      if (n === 2) engine.pause();
    };
    expect(await engine.run()).toBe('paused');
    expect((await queue.counts()).done).toBeLessThan(5);
    server.beforePut = null;
    expect(await engine.resume()).toBe('idle');
    expect((await queue.counts()).done).toBe(5);
    expect(server.uploads.size).toBe(5);
  });

  it('waits while blocked (no Wi-Fi) and does nothing', async () => {
    const { server, media, queue } = setup();
    let wifi = false;
    await queue.add(media.photos(2), 0);
    const seen: (string | null)[] = [];
    const e = new BackupEngine({
      queue,
      transport: server,
      media,
      blocker: async () => (wifi ? null : 'waiting for Wi-Fi'),
      onProgress: (p) => seen.push(p.reason),
    });
    expect(await e.run()).toBe('blocked');
    expect(seen).toContain('waiting for Wi-Fi');
    expect(server.calls.length).toBe(0);
    wifi = true;
    expect(await e.run()).toBe('idle');
    expect((await queue.counts()).done).toBe(2);
  });
});
