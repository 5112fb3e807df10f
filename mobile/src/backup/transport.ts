// What the backup engine needs from the outside world: the contract's four calls.
import type { ApiClient } from '../api/client';
import type { CheckResult, FileSpec, InitResult, PresignedRequest, UploadItem } from '../api/types';
import type { QueueItem } from './queue';

export interface PutProgress {
  (sentBytes: number, totalBytes: number): void;
}

export interface Transport {
  check(sha256: string[]): Promise<CheckResult>;
  init(files: FileSpec[]): Promise<InitResult>;
  /** PUT the item's bytes to the presigned request; throws ApiError on anything but 2xx. */
  put(item: QueueItem, request: PresignedRequest, signal: AbortSignal, onProgress?: PutProgress): Promise<void>;
  complete(batchId: string, uploadIds: string[]): Promise<UploadItem[]>;
}

export type Putter = Transport['put'];

/** The real transport: the API client for the JSON calls, the platform's uploader for the bytes. */
export function apiTransport(api: ApiClient, put: Putter): Transport {
  return {
    check: (sha) => api.checkUploads(sha),
    init: (files) => api.initUploads(files),
    put,
    complete: (batchId, ids) => api.completeUploads(batchId, ids),
  };
}
