// The browser downloads thumbnails and previews (its HTTP cache keeps them); a failure goes to the fetch queue.
import { errorFromResponse, networkError } from '../api/errors';

const urls = new Map<string, string>();

export type Variant = 'thumb' | 'preview';

export async function cacheVariant(id: string, variant: Variant, url: string): Promise<string> {
  const key = `${variant}:${id}`;
  const known = urls.get(key);
  if (known) return known;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw networkError(err);
  }
  if (!res.ok) throw errorFromResponse(res.status, await res.text(), {}, Date.now());
  const objectUrl = URL.createObjectURL(await res.blob());
  urls.set(key, objectUrl);
  return objectUrl;
}
