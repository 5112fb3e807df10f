// The backup engine: hash, check, init, PUT, complete -- one durable step at a time.
//
// Every state change is written to the queue before the next network call, so a killed app
// resumes where it stopped: a photo whose PUT finished is not sent again (it waits in `sent`
// for its complete), and nothing is `done` before the server said so.
import { ApiError, describeError, isExpiredUrl, toApiError } from '../api/errors';
import type { FileSpec, UploadItem } from '../api/types';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { realClock } from './clock';
import type { EngineOptions, EngineState, Progress } from './engineTypes';
import { sha256Hex } from './hash';
import { pool } from './pool';
import { emptyCounts, type ItemPatch, type QueueItem, type StateCounts } from './queue';

export type { EngineOptions, EngineState, MediaReader, Progress } from './engineTypes';

class SignedOut extends Error {}

const DONE_REASON = 'in the vault';

export class BackupEngine {
  private readonly o: Required<Omit<EngineOptions, 'blocker' | 'onProgress'>> &
    Pick<EngineOptions, 'blocker' | 'onProgress'>;
  private paused = false;
  private abort = new AbortController();
  private running: Promise<EngineState> | null = null;
  private current: Progress['current'] = null;
  private lastCounts: StateCounts = emptyCounts();

  constructor(opts: EngineOptions) {
    this.o = {
      clock: realClock,
      random: Math.random,
      backoff: DEFAULT_BACKOFF,
      batchSize: 50,
      checkSize: 1000,
      putConcurrency: 4,
      maxRefreshes: 3,
      maxPendingCompletes: 5,
      ...opts,
    };
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops at the next safe point; in-flight PUTs are aborted (their photos stay `ready`). */
  pause(): void {
    this.paused = true;
    this.abort.abort();
  }

  resume(): Promise<EngineState> {
    this.paused = false;
    return this.run();
  }

  /** Runs until nothing is left, paused, blocked or signed out. Concurrent calls share one run. */
  run(): Promise<EngineState> {
    if (!this.running) {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async loop(): Promise<EngineState> {
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const { queue, clock } = this.o;
    try {
      for (;;) {
        if (this.paused) return await this.emit('paused');
        const blocked = this.o.blocker ? await this.o.blocker() : null;
        if (blocked) return await this.emit('blocked', blocked);
        await this.emit('running');
        const worked = await this.step();
        if (worked) continue;
        const next = await queue.nextDueAt();
        if (next === null) return await this.emit('idle');
        const wait = next - clock.now();
        if (wait > 0) {
          await this.emit('waiting', await this.lastReason(), next);
          await clock.sleep(wait, this.abort.signal);
        }
      }
    } catch (err) {
      if (err instanceof SignedOut) return this.emit('signed_out', 'sign in again to continue');
      throw err;
    }
  }

  /** One pass of every stage over what is due; true when anything moved. Hashing the next
   * photos overlaps with sending the previous ones (the PUTs wait on the network, not on JS). */
  async step(): Promise<boolean> {
    const [hashed, sent] = await Promise.all([this.hashStep(), this.sendStep()]);
    return hashed || sent;
  }

  private async sendStep(): Promise<boolean> {
    const results = [await this.checkStep(), await this.completeStep()];
    if (!this.paused) results.push(await this.uploadStep());
    return results.some(Boolean);
  }

  private now(): number {
    return this.o.clock.now();
  }

  private async emit(state: EngineState, reason: string | null = null, nextAt: number | null = null) {
    if (this.o.onProgress) {
      const counts = await this.o.queue.counts();
      this.lastCounts = counts;
      this.o.onProgress({ state, counts, reason, nextAt, current: this.current });
    }
    return state;
  }

  private async lastReason(): Promise<string | null> {
    for (const state of ['sent', 'ready', 'hashed', 'new'] as const) {
      const [item] = await this.o.queue.list(state, 1);
      if (item?.reason) return item.reason;
    }
    return null;
  }

  private patch(item: QueueItem, patch: ItemPatch): Promise<void> {
    return this.o.queue.update(item.assetId, { ...patch, updatedAt: this.now() });
  }

  /** A failure that may heal: try again later, never sooner than Retry-After. */
  private async defer(items: QueueItem[], err: ApiError, reason?: string): Promise<void> {
    for (const item of items) {
      const attempts = item.attempts + 1;
      const delay = backoffDelay(attempts, this.o.backoff, this.o.random, err.retryAfterMs);
      await this.patch(item, {
        attempts,
        nextAttemptAt: this.now() + delay,
        code: err.code,
        reason: reason ?? describeError(err),
      });
    }
  }

  /** A failure that will not change by retrying: shown to the user with the server's code. */
  private async fail(item: QueueItem, code: string, reason: string): Promise<void> {
    await this.patch(item, { state: 'failed', code, reason });
  }

  /** Sorts an error: signed out stops everything, transient ones wait, the rest fail. */
  private async handle(items: QueueItem[], raw: unknown): Promise<void> {
    const err = toApiError(raw);
    if (err.kind === 'auth') throw new SignedOut();
    if (err.kind === 'network' || err.kind === 'transient') return this.defer(items, err);
    for (const item of items) await this.fail(item, err.code, err.detail);
  }

  private async hashStep(): Promise<boolean> {
    const items = await this.o.queue.due('new', this.now(), this.o.batchSize);
    for (const item of items) {
      if (this.paused) break;
      let sha: string;
      try {
        sha = await sha256Hex(await this.o.media.open(item));
      } catch (err) {
        await this.fail(item, 'unreadable', `the photo could not be read: ${String((err as Error)?.message ?? err)}`);
        continue;
      }
      const twin = await this.o.queue.findBySha(sha, item.assetId);
      if (twin) {
        await this.patch(item, {
          sha256: sha,
          state: 'skipped',
          code: 'duplicate_on_device',
          reason: `the same photo as ${twin.filename}`,
        });
      } else {
        await this.patch(item, { sha256: sha, state: 'hashed', attempts: 0, code: null, reason: null });
      }
    }
    return items.length > 0;
  }

  private async checkStep(): Promise<boolean> {
    const items = await this.o.queue.due('hashed', this.now(), this.o.checkSize);
    if (items.length === 0) return false;
    let result;
    try {
      result = await this.o.transport.check(items.map((i) => i.sha256 as string));
    } catch (err) {
      await this.handle(items, err);
      return true;
    }
    const deleted = new Set(result.deleted);
    for (const item of items) {
      const sha = item.sha256 as string;
      if (result.existing[sha]) {
        await this.patch(item, { state: 'done', photoId: result.existing[sha], reason: DONE_REASON, code: null });
      } else if (result.trashed[sha]) {
        await this.patch(item, {
          state: 'skipped',
          photoId: result.trashed[sha],
          code: 'trashed',
          reason: 'in the trash on the server: restore it there',
        });
      } else if (deleted.has(sha)) {
        await this.patch(item, { state: 'skipped', code: 'deleted', reason: 'someone deleted it on the server' });
      } else {
        await this.patch(item, { state: 'ready', attempts: 0, code: null, reason: null });
      }
    }
    return true;
  }

  private async uploadStep(): Promise<boolean> {
    const items = await this.o.queue.due('ready', this.now(), this.o.batchSize);
    if (items.length === 0) return false;
    const files: FileSpec[] = items.map((i) => ({
      filename: i.filename,
      size: i.size,
      content_type: i.contentType,
      sha256: i.sha256 as string,
      ...(i.assetId.length <= 200 ? { client_ref: i.assetId } : {}),
      ...(i.modifiedAt > 0 ? { file_modified_at: new Date(i.modifiedAt).toISOString() } : {}),
    }));
    let init;
    try {
      init = await this.o.transport.init(files);
    } catch (raw) {
      const err = toApiError(raw);
      if (err.kind === 'permanent' && err.errors.length > 0) {
        // The batch was refused whole; the files named fail, the others go again at once.
        for (const problem of err.errors) {
          const item = items[problem.index];
          if (item) await this.fail(item, problem.code, problem.detail ?? err.detail);
        }
      } else {
        await this.handle(items, err);
      }
      return true;
    }
    const toPut: { item: QueueItem; request: NonNullable<(typeof init.items)[number]['upload']> }[] = [];
    for (const answer of init.items) {
      const item = items[answer.index];
      if (!item) continue;
      if (answer.status === 'duplicate') {
        await this.patch(item, { state: 'done', photoId: answer.photo_id, reason: DONE_REASON, code: null });
      } else if (answer.upload && answer.upload_id) {
        const fresh = { uploadId: answer.upload_id, batchId: init.batch_id, photoId: answer.photo_id };
        await this.patch(item, fresh);
        toPut.push({ item: { ...item, ...fresh }, request: answer.upload });
      }
    }
    const sent: QueueItem[] = [];
    await pool(toPut, this.o.putConcurrency, async ({ item, request }) => {
      if (this.paused) return;
      if (await this.putOne(item, request)) sent.push(item);
    });
    if (sent.length > 0) await this.completeBatch(init.batch_id, sent);
    return true;
  }

  private async putOne(item: QueueItem, request: { method: 'PUT'; url: string; headers: Record<string, string> }) {
    const signal = this.abort.signal;
    this.current = { filename: item.filename, sent: 0, total: item.size };
    try {
      await this.o.transport.put(item, request, signal, (sent, total) => {
        this.current = { filename: item.filename, sent, total };
        this.o.onProgress?.({ state: 'running', counts: this.lastCounts, reason: null, nextAt: null, current: this.current });
      });
    } catch (raw) {
      if (signal.aborted) return false; // paused: the photo stays ready, the server keeps its upload
      const err = toApiError(raw);
      if (isExpiredUrl(err)) {
        const refreshes = item.refreshes + 1;
        if (refreshes > this.o.maxRefreshes) {
          await this.fail(item, err.code, `the upload address kept expiring (${err.detail})`);
        } else {
          // A fresh URL comes with the next POST /uploads of the same bytes: same ids, no backoff.
          await this.patch(item, { refreshes, nextAttemptAt: this.now(), code: err.code, reason: 'upload address expired' });
        }
      } else if (err.kind === 'auth') {
        await this.fail(item, err.code, err.detail);
      } else {
        await this.handle([item], err);
      }
      return false;
    } finally {
      this.current = null;
    }
    await this.patch(item, { state: 'sent', attempts: 0, refreshes: 0, code: null, reason: 'sent, waiting for the server' });
    return true;
  }

  private async completeStep(): Promise<boolean> {
    const items = await this.o.queue.due('sent', this.now(), this.o.batchSize * 4);
    if (items.length === 0) return false;
    const byBatch = new Map<string, QueueItem[]>();
    for (const item of items) {
      const key = item.batchId ?? '';
      byBatch.set(key, [...(byBatch.get(key) ?? []), item]);
    }
    for (const [batchId, group] of byBatch) {
      if (!batchId) {
        for (const item of group) await this.patch(item, { state: 'ready' });
        continue;
      }
      await this.completeBatch(batchId, group);
    }
    return true;
  }

  private async completeBatch(batchId: string, items: QueueItem[]): Promise<void> {
    let answers: UploadItem[];
    try {
      answers = await this.o.transport.complete(
        batchId,
        items.map((i) => i.uploadId as string),
      );
    } catch (raw) {
      const err = toApiError(raw);
      if (err.status === 404) {
        // The batch or upload expired on the server: ask again (POST /uploads) for fresh ones.
        for (const item of items) await this.patch(item, { state: 'ready', uploadId: null, batchId: null });
        return;
      }
      await this.handle(items, err);
      return;
    }
    const byId = new Map(answers.map((a) => [a.upload_id, a]));
    for (const item of items) {
      const answer = byId.get(item.uploadId as string);
      if (!answer) continue;
      if (answer.status === 'pending') {
        const attempts = item.attempts + 1;
        if (attempts >= this.o.maxPendingCompletes) {
          await this.patch(item, { state: 'ready', attempts: 0, reason: 'the server never saw the bytes: sending again' });
        } else {
          const delay = backoffDelay(attempts, this.o.backoff, this.o.random);
          await this.patch(item, {
            attempts,
            nextAttemptAt: this.now() + delay,
            code: 'pending',
            reason: 'waiting for the server to see the bytes',
          });
        }
      } else if (answer.status === 'rejected') {
        await this.fail(item, answer.reason ?? 'rejected', `the server refused the file (${answer.reason ?? 'rejected'})`);
      } else if (answer.status === 'expired') {
        await this.patch(item, { state: 'ready', uploadId: null, batchId: null, attempts: 0 });
      } else {
        await this.patch(item, { state: 'done', photoId: answer.photo_id, reason: DONE_REASON, code: null, attempts: 0 });
      }
    }
  }
}
