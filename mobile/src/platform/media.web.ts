// The web build's stand-in for the photo library: files the user picks in the browser.
import { errorFromResponse, networkError } from '../api/errors';
import type { AssetRef, QueueItem } from '../backup/queue';
import { contentTypeOf } from './contentType';
import type { DeviceMedia } from './types';

const picked = new Map<string, Blob & { name: string; lastModified: number }>();

function idOf(file: { name: string; size: number; lastModified: number }): string {
  return `web:${file.name}:${file.size}:${file.lastModified}`;
}

function refOf(id: string): AssetRef {
  const file = picked.get(id) as Blob & { name: string; lastModified: number };
  return {
    assetId: id,
    filename: file.name,
    uri: id,
    size: file.size,
    contentType: file.type || contentTypeOf(file.name, 'image/jpeg'),
    modifiedAt: file.lastModified,
  };
}

export const deviceMedia: DeviceMedia = {
  kind: 'picker',
  async requestAccess() {
    return 'all' as const;
  },
  async albums() {
    return [{ id: 'picked', title: 'Chosen in the browser' }];
  },
  async assetIds() {
    return [...picked.keys()];
  },
  async describe(assetIds) {
    return assetIds.filter((id) => picked.has(id)).map(refOf);
  },
  pick() {
    return new Promise<number>((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.accept = 'image/*,video/*';
      input.style.display = 'none';
      input.addEventListener('change', () => {
        const files = [...(input.files ?? [])];
        for (const f of files) picked.set(idOf(f), f);
        input.remove();
        resolve(files.length);
      });
      input.addEventListener('cancel', () => {
        input.remove();
        resolve(0);
      });
      document.body.appendChild(input);
      input.click();
    });
  },
  async open(item: QueueItem) {
    const file = picked.get(item.assetId);
    if (!file) throw new Error('the file is no longer available: choose it again');
    let offset = 0;
    return {
      async read(max: number) {
        const slice = file.slice(offset, offset + max);
        offset += slice.size;
        return new Uint8Array(await slice.arrayBuffer());
      },
      close: () => undefined,
    };
  },
  async put(item, request, signal) {
    const file = picked.get(item.assetId);
    if (!file) throw new Error('the file is no longer available: choose it again');
    let res: Response;
    try {
      res = await fetch(request.url, { method: 'PUT', headers: request.headers, body: file, signal });
    } catch (err) {
      throw networkError(err);
    }
    if (!res.ok) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // S3 answers XML
      }
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      throw errorFromResponse(res.status, body, headers, Date.now());
    }
  },
};
