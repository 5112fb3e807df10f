// One contract for both queues: the memory one (web) and SQLite (the phone), on a real SQLite.
import { MemoryQueue, type UploadQueue } from './queue';
import { SqliteQueue } from './sqliteQueue';
import { openSqlJs } from '../testing/sqljs';

const asset = (n: number) => ({
  assetId: `a${n}`,
  filename: `IMG_${n}.jpg`,
  uri: `file:///${n}.jpg`,
  size: 100 + n,
  contentType: 'image/jpeg',
  modifiedAt: n,
});

const makers: [string, () => Promise<UploadQueue>][] = [
  ['memory', async () => new MemoryQueue()],
  ['sqlite', async () => SqliteQueue.open((await openSqlJs()).db)],
];

describe.each(makers)('%s queue', (_name, make) => {
  let q: UploadQueue;
  beforeEach(async () => {
    q = await make();
  });

  it('adds each asset once, in order', async () => {
    expect(await q.add([asset(1), asset(2)], 10)).toBe(2);
    expect(await q.add([asset(2), asset(3)], 11)).toBe(1);
    const items = await q.list('new', 10);
    expect(items.map((i) => i.assetId)).toEqual(['a1', 'a2', 'a3']);
    expect(items[0]).toMatchObject({ filename: 'IMG_1.jpg', size: 101, sha256: null, attempts: 0, photoId: null });
  });

  it('tells which assets it already holds, for any number of them', async () => {
    await q.add([asset(1), asset(700)], 0);
    const ids = Array.from({ length: 1200 }, (_, i) => `a${i}`);
    expect([...(await q.knownIds(ids))].sort()).toEqual(['a1', 'a700']);
    expect((await q.knownIds([])).size).toBe(0);
  });

  it('hands out only what is due, and reports the next time', async () => {
    await q.add([asset(1), asset(2)], 0);
    await q.update('a1', { nextAttemptAt: 500, attempts: 2, code: 'meta_unavailable' });
    expect((await q.due('new', 100, 10)).map((i) => i.assetId)).toEqual(['a2']);
    expect((await q.due('new', 500, 10)).map((i) => i.assetId)).toEqual(['a1', 'a2']);
    await q.update('a2', { state: 'done', nextAttemptAt: 0 });
    expect(await q.nextDueAt()).toBe(500);
    await q.update('a1', { state: 'failed' });
    expect(await q.nextDueAt()).toBeNull();
  });

  it('counts states and finds twins by sha', async () => {
    await q.add([asset(1), asset(2), asset(3)], 0);
    await q.update('a1', { state: 'done', sha256: 'abc' });
    await q.update('a2', { state: 'failed', sha256: 'abc', code: 'quota_exceeded' });
    expect(await q.counts()).toMatchObject({ new: 1, done: 1, failed: 1, ready: 0 });
    expect((await q.findBySha('abc', 'a3'))?.assetId).toBe('a1');
    expect(await q.findBySha('abc', 'a1')).toBeNull();
  });

  it('puts failures back in line on retry, keeping the known hash', async () => {
    await q.add([asset(1), asset(2)], 0);
    await q.update('a1', { state: 'failed', sha256: 'abc', code: 'quota_exceeded', reason: 'full', attempts: 3 });
    await q.update('a2', { state: 'failed', code: 'unreadable' });
    expect(await q.retryFailed(50)).toBe(2);
    expect(await q.get('a1')).toMatchObject({ state: 'hashed', code: null, reason: null, attempts: 0 });
    expect(await q.get('a2')).toMatchObject({ state: 'new' });
  });

  it('holds a 20,000-photo library', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => asset(i));
    expect(await q.add(many, 0)).toBe(20_000);
    expect((await q.counts()).new).toBe(20_000);
    expect((await q.due('new', 0, 50)).length).toBe(50);
  });
});

it('the SQLite queue survives a reopen of its file', async () => {
  const first = await openSqlJs();
  const q1 = await SqliteQueue.open(first.db);
  await q1.add([asset(1)], 0);
  await q1.update('a1', { state: 'sent', uploadId: 'u1', batchId: 'b1', sha256: 'abc' });
  const second = await openSqlJs(first.raw.export());
  const q2 = await SqliteQueue.open(second.db);
  expect(await q2.get('a1')).toMatchObject({ state: 'sent', uploadId: 'u1', batchId: 'b1', sha256: 'abc' });
});
