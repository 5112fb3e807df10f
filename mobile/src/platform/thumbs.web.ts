// The browser downloads the thumbnail (its HTTP cache keeps it); a failure goes to the fetch queue.
import { errorFromResponse, networkError } from '../api/errors';

const urls = new Map<string, string>();

export async function cacheThumb(id: string, url: string): Promise<string> {
  const known = urls.get(id);
  if (known) return known;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw networkError(err);
  }
  if (!res.ok) throw errorFromResponse(res.status, await res.text(), {}, Date.now());
  const objectUrl = URL.createObjectURL(await res.blob());
  urls.set(id, objectUrl);
  return objectUrl;
}
