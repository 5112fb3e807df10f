// The engine's inputs and what it reports.
import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import type { ByteReader } from './hash';
import type { QueueItem, StateCounts, UploadQueue } from './queue';
import type { Transport } from './transport';

export interface MediaReader {
  open(item: QueueItem): Promise<ByteReader>;
}

export type EngineState = 'idle' | 'running' | 'waiting' | 'paused' | 'blocked' | 'signed_out';

export interface Progress {
  state: EngineState;
  counts: StateCounts;
  /** Why the engine waits or is blocked ("waiting for Wi-Fi", the last server code...). */
  reason: string | null;
  /** Epoch ms of the next retry when waiting. */
  nextAt: number | null;
  current: { filename: string; sent: number; total: number } | null;
}

export interface EngineOptions {
  queue: UploadQueue;
  transport: Transport;
  media: MediaReader;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Files per `POST /uploads` (the server's `uploads.max_batch`, 50). */
  batchSize?: number;
  /** Hashes per `POST /uploads/check` (at most 1000). */
  checkSize?: number;
  putConcurrency?: number;
  /** Expired presigned URLs refreshed for one upload before it is shown as failed. */
  maxRefreshes?: number;
  /** `complete` answering `pending` this many times sends the bytes again. */
  maxPendingCompletes?: number;
  /** Returns why the engine may not run now (no Wi-Fi...), or null. Checked before each step. */
  blocker?: () => Promise<string | null>;
  onProgress?: (p: Progress) => void;
}
