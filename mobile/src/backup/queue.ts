// The pending list on the device: one row per photo of the camera roll the user chose to back up.
//
//   new -> hashed -> ready -> sent -> done
//            |         |        `-> (complete says pending: stays sent, retried with backoff)
//            |         `-> failed (a 4xx that will not change; shown with the server's code)
//            `-> done (the server has it) | skipped (trashed or deleted on the server)
//
// `done` is only ever set from an answer of the server (check, a duplicate, or complete).

export type ItemState = 'new' | 'hashed' | 'ready' | 'sent' | 'done' | 'skipped' | 'failed';

export const ACTIVE_STATES: ItemState[] = ['new', 'hashed', 'ready', 'sent'];
export const ALL_STATES: ItemState[] = ['new', 'hashed', 'ready', 'sent', 'done', 'skipped', 'failed'];

/** What the media library tells us about a photo. */
export interface AssetRef {
  assetId: string;
  filename: string;
  uri: string;
  size: number;
  contentType: string;
  modifiedAt: number;
}

export interface QueueItem extends AssetRef {
  state: ItemState;
  sha256: string | null;
  photoId: string | null;
  uploadId: string | null;
  batchId: string | null;
  /** Failed tries of the current step (drives the backoff); reset when a step succeeds. */
  attempts: number;
  /** Epoch ms; the item is not touched before. */
  nextAttemptAt: number;
  /** Presigned URLs refreshed because they expired, for the current upload. */
  refreshes: number;
  /** A machine code for the last problem (the server's own when it sent one). */
  code: string | null;
  /** Why the item waits, was skipped or failed, in words for the user. */
  reason: string | null;
  updatedAt: number;
}

export type ItemPatch = Partial<Omit<QueueItem, 'assetId'>>;
export type StateCounts = Record<ItemState, number>;

export interface UploadQueue {
  /** Adds the assets not yet known (by assetId); returns how many were new. */
  add(assets: AssetRef[], now: number): Promise<number>;
  get(assetId: string): Promise<QueueItem | null>;
  /** Which of these asset ids the queue already holds (a rescan describes only the others). */
  knownIds(assetIds: string[]): Promise<Set<string>>;
  update(assetId: string, patch: ItemPatch): Promise<void>;
  /** Items in `state` due at `now` (nextAttemptAt <= now), oldest first. */
  due(state: ItemState, now: number, limit: number): Promise<QueueItem[]>;
  /** Items in `state`, whatever their time, oldest first. */
  list(state: ItemState, limit: number): Promise<QueueItem[]>;
  /** Another item already holding these bytes (not failed), if any. */
  findBySha(sha256: string, exceptAssetId: string): Promise<QueueItem | null>;
  counts(): Promise<StateCounts>;
  /** Earliest nextAttemptAt among active items, or null when nothing is left to do. */
  nextDueAt(): Promise<number | null>;
  /** Puts failed items back in line (the user pressed "retry"). */
  retryFailed(now: number): Promise<number>;
  clear(): Promise<void>;
}

export function emptyCounts(): StateCounts {
  return { new: 0, hashed: 0, ready: 0, sent: 0, done: 0, skipped: 0, failed: 0 };
}

export function newItem(asset: AssetRef, now: number): QueueItem {
  return {
    ...asset,
    state: 'new',
    sha256: null,
    photoId: null,
    uploadId: null,
    batchId: null,
    attempts: 0,
    nextAttemptAt: 0,
    refreshes: 0,
    code: null,
    reason: null,
    updatedAt: now,
  };
}

/** Where the sha is known, the state it goes back to when the user retries a failure. */
export function retryState(item: QueueItem): ItemState {
  return item.sha256 ? 'hashed' : 'new';
}

/** The queue in memory: the web build's queue, and the reference the SQLite queue is tested against. */
export class MemoryQueue implements UploadQueue {
  private items = new Map<string, QueueItem>();
  private order: string[] = [];

  async add(assets: AssetRef[], now: number): Promise<number> {
    let added = 0;
    for (const asset of assets) {
      if (this.items.has(asset.assetId)) continue;
      this.items.set(asset.assetId, newItem(asset, now));
      this.order.push(asset.assetId);
      added += 1;
    }
    return added;
  }

  async get(assetId: string): Promise<QueueItem | null> {
    const item = this.items.get(assetId);
    return item ? { ...item } : null;
  }

  async knownIds(assetIds: string[]): Promise<Set<string>> {
    return new Set(assetIds.filter((id) => this.items.has(id)));
  }

  async update(assetId: string, patch: ItemPatch): Promise<void> {
    const item = this.items.get(assetId);
    if (item) this.items.set(assetId, { ...item, ...patch });
  }

  async due(state: ItemState, now: number, limit: number): Promise<QueueItem[]> {
    return this.select((i) => i.state === state && i.nextAttemptAt <= now, limit);
  }

  async list(state: ItemState, limit: number): Promise<QueueItem[]> {
    return this.select((i) => i.state === state, limit);
  }

  async findBySha(sha256: string, exceptAssetId: string): Promise<QueueItem | null> {
    const found = this.select((i) => i.sha256 === sha256 && i.assetId !== exceptAssetId && i.state !== 'failed', 1);
    return found[0] ?? null;
  }

  async counts(): Promise<StateCounts> {
    const counts = emptyCounts();
    for (const item of this.items.values()) counts[item.state] += 1;
    return counts;
  }

  async nextDueAt(): Promise<number | null> {
    let next: number | null = null;
    for (const item of this.items.values()) {
      if (!ACTIVE_STATES.includes(item.state)) continue;
      if (next === null || item.nextAttemptAt < next) next = item.nextAttemptAt;
    }
    return next;
  }

  async retryFailed(now: number): Promise<number> {
    let n = 0;
    for (const item of this.items.values()) {
      if (item.state !== 'failed') continue;
      this.items.set(item.assetId, {
        ...item,
        state: retryState(item),
        attempts: 0,
        refreshes: 0,
        nextAttemptAt: 0,
        code: null,
        reason: null,
        updatedAt: now,
      });
      n += 1;
    }
    return n;
  }

  async clear(): Promise<void> {
    this.items.clear();
    this.order = [];
  }

  private select(pred: (item: QueueItem) => boolean, limit: number): QueueItem[] {
    const out: QueueItem[] = [];
    for (const id of this.order) {
      const item = this.items.get(id);
      if (item && pred(item)) {
        out.push({ ...item });
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}
