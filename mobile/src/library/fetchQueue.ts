// Thumbnails and previews that failed to download wait here and retry with the same backoff as
// uploads, so a flaky network fills the grid in as it recovers instead of leaving grey squares.
import { toApiError } from '../api/errors';
import { type BackoffPolicy, backoffDelay } from '../backup/backoff';

export type FetchStatus = 'loading' | 'ready' | 'waiting' | 'gone';

export interface FetchEntry<T> {
  status: FetchStatus;
  value: T | null;
  attempts: number;
  nextAt: number;
  code: string | null;
}

export interface FetchQueueOptions<T> {
  load: (key: string) => Promise<T>;
  concurrency?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  now?: () => number;
}

const FETCH_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 60_000 };

export class FetchQueue<T> {
  private entries = new Map<string, FetchEntry<T>>();
  private listeners = new Map<string, Set<(e: FetchEntry<T>) => void>>();
  private waiting: string[] = [];
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly o: Required<FetchQueueOptions<T>>;

  constructor(opts: FetchQueueOptions<T>) {
    this.o = { concurrency: 4, backoff: FETCH_BACKOFF, random: Math.random, now: () => Date.now(), ...opts };
  }

  get(key: string): FetchEntry<T> | undefined {
    return this.entries.get(key);
  }

  /** Asks for `key`; a ready or loading one is left alone. */
  request(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.status !== 'waiting') return;
    if (!entry) this.set(key, { status: 'waiting', value: null, attempts: 0, nextAt: 0, code: null });
    if (!this.waiting.includes(key)) this.waiting.push(key);
    this.pump();
  }

  subscribe(key: string, listener: (e: FetchEntry<T>) => void): () => void {
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => set.delete(listener);
  }

  /** The network came back: everything waiting goes now, without waiting out its backoff. */
  retryNow(): void {
    for (const [key, entry] of this.entries) if (entry.status === 'waiting') this.set(key, { ...entry, nextAt: 0 });
    this.pump();
  }

  /** Forgets a value (e.g. its cached file was cleared): the next request loads it again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private set(key: string, entry: FetchEntry<T>) {
    this.entries.set(key, entry);
    for (const l of this.listeners.get(key) ?? []) l(entry);
  }

  private pump(): void {
    const now = this.o.now();
    let earliest: number | null = null;
    for (const key of [...this.waiting]) {
      if (this.active >= this.o.concurrency) break;
      const entry = this.entries.get(key);
      if (!entry || entry.status !== 'waiting') {
        this.waiting = this.waiting.filter((k) => k !== key);
        continue;
      }
      if (entry.nextAt > now) {
        earliest = earliest === null ? entry.nextAt : Math.min(earliest, entry.nextAt);
        continue;
      }
      this.waiting = this.waiting.filter((k) => k !== key);
      void this.loadOne(key, entry);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (earliest !== null && this.active < this.o.concurrency) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, earliest - now));
    }
  }

  private async loadOne(key: string, entry: FetchEntry<T>): Promise<void> {
    this.active += 1;
    this.set(key, { ...entry, status: 'loading' });
    try {
      const value = await this.o.load(key);
      this.set(key, { status: 'ready', value, attempts: 0, nextAt: 0, code: null });
    } catch (raw) {
      const err = toApiError(raw);
      if (err.status === 404 || err.status === 403 || err.status === 410) {
        // Gone or no longer ours: a retry cannot help.
        this.set(key, { ...entry, status: 'gone', code: err.code });
      } else {
        const attempts = entry.attempts + 1;
        const delay = backoffDelay(attempts, this.o.backoff, this.o.random, err.retryAfterMs);
        this.set(key, { status: 'waiting', value: null, attempts, nextAt: this.o.now() + delay, code: err.code });
        this.waiting.push(key);
      }
    } finally {
      this.active -= 1;
      this.pump();
    }
  }
}
