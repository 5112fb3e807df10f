// Thumbnails and previews cached on the device, in the cache folder (the OS may clear it; we fetch again).
import { Directory, File, Paths } from 'expo-file-system';

import { networkError } from '../api/errors';

export type Variant = 'thumb' | 'preview';

export async function cacheVariant(id: string, variant: Variant, url: string): Promise<string> {
  const dir = new Directory(Paths.cache, 'thumbs');
  if (!dir.exists) dir.create({ intermediates: true, idempotent: true });
  const file = new File(dir, variant === 'thumb' ? `${id}.webp` : `${id}.preview.jpg`);
  if (file.exists) return file.uri;
  try {
    return (await File.downloadFileAsync(url, file, { idempotent: true })).uri;
  } catch (err) {
    throw networkError(err);
  }
}
