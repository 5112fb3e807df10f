// A fake of the server's upload contract for the engine's tests: the same rules (ids kept for a
// re-sent pending file, duplicates, complete idempotent, URLs that expire), in memory, on a fake clock.
import { ApiError } from '../api/errors';
import type { CheckResult, FileSpec, InitResult, PresignedRequest, UploadItem } from '../api/types';
import type { ByteReader } from '../backup/hash';
import type { MediaReader } from '../backup/engine';
import type { AssetRef, QueueItem } from '../backup/queue';
import type { Transport } from '../backup/transport';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

export class FakeClock {
  t = 1_000_000;
  slept: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.slept.push(ms);
    this.t += ms;
  };
}

interface PendingUpload {
  uploadId: string;
  photoId: string;
  batchId: string;
  spec: FileSpec;
  arrived: boolean;
  done: boolean;
}

type Op = 'check' | 'init' | 'put' | 'complete';

export class FakeServer implements Transport {
  photos = new Map<string, string>(); // sha -> photo id
  trashed = new Map<string, string>();
  deleted = new Set<string>();
  uploads = new Map<string, PendingUpload>(); // upload id -> upload
  /** Successful PUTs, by sha256. */
  puts = new Map<string, number>();
  calls: { op: Op; size: number }[] = [];
  /** Every file spec sent to init, in order. */
  specs: FileSpec[] = [];
  urlLifetimeMs = 15 * 60 * 1000;
  /** The pre-library server: /uploads/check answers only {existing, missing}. */
  legacyCheck = false;
  /** Errors to throw, in order, per operation. */
  private failures: Record<Op, (ApiError | Error)[]> = { check: [], init: [], put: [], complete: [] };
  /** Runs before each PUT lands (advance the clock, kill the app...). */
  beforePut: ((req: PresignedRequest, n: number) => void) | null = null;
  /** When true, a PUT "succeeds" for the client but the storage never sees the bytes. */
  loseBytes = false;
  private seq = 0;
  private putCalls = 0;

  constructor(private readonly clock: FakeClock) {}

  failNext(op: Op, ...errors: (ApiError | Error)[]) {
    this.failures[op].push(...errors);
  }

  private maybeFail(op: Op, size: number) {
    this.calls.push({ op, size });
    const err = this.failures[op].shift();
    if (err) throw err;
  }

  private id(prefix: string) {
    this.seq += 1;
    return `${prefix}${this.seq}`;
  }

  count(op: Op) {
    return this.calls.filter((c) => c.op === op).length;
  }

  async check(shas: string[]): Promise<CheckResult> {
    this.maybeFail('check', shas.length);
    const existing: Record<string, string> = {};
    const trashed: Record<string, string> = {};
    const deleted: string[] = [];
    const missing: string[] = [];
    for (const sha of shas) {
      if (this.photos.has(sha)) existing[sha] = this.photos.get(sha) as string;
      else if (this.trashed.has(sha)) trashed[sha] = this.trashed.get(sha) as string;
      else if (this.deleted.has(sha)) deleted.push(sha);
      else missing.push(sha);
    }
    // What the real ApiClient.checkUploads does with an older server's answer.
    if (this.legacyCheck) return { existing, missing: [...missing, ...deleted, ...Object.keys(trashed)], trashed: {}, deleted: [] };
    return { existing, missing, trashed, deleted };
  }

  async init(files: FileSpec[]): Promise<InitResult> {
    this.maybeFail('init', files.length);
    if (files.length > 50) {
      throw new ApiError({ status: 422, code: 'batch_too_large', detail: 'at most 50 files' });
    }
    this.specs.push(...files);
    const refused = files
      .map((f, index) => ({ index, code: 'unsupported_media_type', detail: `${f.content_type} is not a photo type` }))
      .filter((e) => !/^(image|video)\//.test(files[e.index].content_type));
    if (refused.length) {
      throw new ApiError({ status: 422, code: 'unsupported_media_type', detail: refused[0].detail, errors: refused });
    }
    const batchId = this.id('b');
    const items = files.map((spec, index) => {
      const photoId = this.photos.get(spec.sha256);
      if (photoId) return { index, client_ref: spec.client_ref ?? null, photo_id: photoId, status: 'duplicate' as const };
      let up = [...this.uploads.values()].find((u) => u.spec.sha256 === spec.sha256 && !u.done);
      if (up) up.batchId = batchId; // a resumed upload moves to the new batch
      else {
        up = { uploadId: this.id('u'), photoId: this.id('p'), batchId, spec, arrived: false, done: false };
        this.uploads.set(up.uploadId, up);
      }
      const upload: PresignedRequest = {
        method: 'PUT',
        url: `fake://blobs/${up.uploadId}?expires=${this.clock.now() + this.urlLifetimeMs}`,
        headers: { 'Content-Type': spec.content_type },
      };
      return { index, client_ref: spec.client_ref ?? null, photo_id: up.photoId, status: 'upload' as const, upload_id: up.uploadId, upload };
    });
    return { batch_id: batchId, expires_at: new Date(this.clock.now() + this.urlLifetimeMs).toISOString(), items };
  }

  async put(item: QueueItem, request: PresignedRequest): Promise<void> {
    this.putCalls += 1;
    this.beforePut?.(request, this.putCalls);
    this.maybeFail('put', item.size);
    const match = /^fake:\/\/blobs\/([^?]+)\?expires=(\d+)$/.exec(request.url);
    if (!match) throw new ApiError({ status: 403, code: 'signature_invalid', detail: 'bad url' });
    if (Number(match[2]) < this.clock.now()) {
      throw new ApiError({ status: 403, code: 'url_expired', detail: 'the upload URL has expired' });
    }
    const up = this.uploads.get(match[1]);
    if (!up) throw new ApiError({ status: 404, code: 'object_not_found', detail: 'no such upload' });
    if (!this.loseBytes) up.arrived = true;
    this.puts.set(up.spec.sha256, (this.puts.get(up.spec.sha256) ?? 0) + 1);
  }

  async complete(batchId: string, uploadIds: string[]): Promise<UploadItem[]> {
    this.maybeFail('complete', uploadIds.length);
    const out: UploadItem[] = [];
    for (const id of uploadIds) {
      const up = this.uploads.get(id);
      if (!up || up.batchId !== batchId) {
        throw new ApiError({ status: 404, code: 'upload_not_found', detail: 'no such upload in this batch' });
      }
      let status = 'pending';
      if (up.done || up.arrived) {
        up.done = true;
        this.photos.set(up.spec.sha256, up.photoId);
        status = 'processing';
      }
      out.push({ upload_id: id, index: 0, client_ref: null, photo_id: up.photoId, filename: up.spec.filename, size: up.spec.size, sha256: up.spec.sha256, status });
    }
    return out;
  }
}

/** A camera roll in memory; reads are chunked, and the biggest read is remembered. */
export class FakeMedia implements MediaReader {
  bytes = new Map<string, Uint8Array>();
  maxRead = 0;

  add(name: string, content: string | Uint8Array, modifiedAt = 0): AssetRef {
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const assetId = `asset-${this.bytes.size + 1}-${name}`;
    this.bytes.set(assetId, data);
    return { assetId, filename: name, uri: `mem://${assetId}`, size: data.length, contentType: 'image/jpeg', modifiedAt };
  }

  photos(n: number, prefix = 'IMG'): AssetRef[] {
    return Array.from({ length: n }, (_, i) => this.add(`${prefix}_${String(i).padStart(4, '0')}.jpg`, `photo ${prefix} ${i}`));
  }

  async open(item: QueueItem): Promise<ByteReader> {
    const data = this.bytes.get(item.assetId);
    if (!data) throw new Error('asset is gone');
    let offset = 0;
    return {
      read: async (max: number) => {
        this.maxRead = Math.max(this.maxRead, max);
        const chunk = data.subarray(offset, offset + max);
        offset += chunk.length;
        return chunk;
      },
      close: () => undefined,
    };
  }
}

export function shaOf(text: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(text)));
}
