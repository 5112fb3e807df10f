// The phone's photo library (expo-media-library's new API) and Expo's upload tasks.
import { File, UploadType } from 'expo-file-system';
import * as MediaLibrary from 'expo-media-library';

import { errorFromResponse, networkError } from '../api/errors';
import type { ByteReader } from '../backup/hash';
import type { AssetRef, QueueItem } from '../backup/queue';
import { contentTypeOf } from './contentType';
import type { DeviceAlbum, DeviceMedia } from './types';

async function toRef(asset: MediaLibrary.Asset): Promise<AssetRef | null> {
  const info = await asset.getInfo();
  if (info.mediaType !== MediaLibrary.MediaType.IMAGE && info.mediaType !== MediaLibrary.MediaType.VIDEO) return null;
  const file = new File(info.uri);
  return {
    assetId: info.id,
    filename: info.filename,
    uri: info.uri,
    size: file.size ?? 0,
    contentType: contentTypeOf(info.filename),
    modifiedAt: info.modificationTime ?? info.creationTime ?? 0,
  };
}

function fileReader(uri: string): ByteReader {
  const handle = new File(uri).open();
  return {
    read: async (max) => handle.readBytes(max),
    close: () => handle.close(),
  };
}

export const deviceMedia: DeviceMedia = {
  kind: 'library',
  async requestAccess() {
    const res = await MediaLibrary.requestPermissionsAsync(false, ['photo']);
    if (!res.granted) return 'none';
    return res.accessPrivileges === 'limited' ? 'limited' : 'all';
  },
  async chooseMore() {
    await MediaLibrary.presentPermissionsPicker(['photo']);
  },
  async albums(): Promise<DeviceAlbum[]> {
    const albums = await MediaLibrary.Album.getAll();
    return Promise.all(albums.map(async (a) => ({ id: a.id, title: await a.getTitle() })));
  },
  async assetIds(albumIds) {
    const groups: MediaLibrary.Asset[][] = [];
    if (albumIds === null) groups.push(await new MediaLibrary.Query().exe());
    else for (const id of albumIds) groups.push(await new MediaLibrary.Query().album(new MediaLibrary.Album(id)).exe());
    return [...new Set(groups.flat().map((a) => a.id))];
  },
  async describe(assetIds) {
    const refs: AssetRef[] = [];
    for (const id of assetIds) {
      const ref = await toRef(new MediaLibrary.Asset(id));
      if (ref) refs.push(ref);
    }
    return refs;
  },
  async open(item: QueueItem) {
    return fileReader(item.uri);
  },
  async put(item, request, signal, onProgress) {
    // A background URL session on iOS: the transfer may finish while the app is suspended; the
    // next start reconciles with an idempotent complete.
    const task = new File(item.uri).createUploadTask(request.url, {
      httpMethod: 'PUT',
      uploadType: UploadType.BINARY_CONTENT,
      headers: request.headers,
      sessionType: 'background',
      signal,
      onProgress: (p) => onProgress?.(p.bytesSent, p.totalBytes),
    });
    let result;
    try {
      result = await task.uploadAsync();
    } catch (err) {
      throw networkError(err);
    }
    if (result.status < 200 || result.status >= 300) {
      throw errorFromResponse(result.status, parseBody(result.body), result.headers, Date.now());
    }
  },
};

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
