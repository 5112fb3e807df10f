// The web build keeps its pending list in memory: its files come from a picker and are gone on reload anyway.
import { MemoryQueue, type UploadQueue } from '../backup/queue';

let queue: UploadQueue | null = null;

export async function openQueue(): Promise<UploadQueue> {
  queue ??= new MemoryQueue();
  return queue;
}
