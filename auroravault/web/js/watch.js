// Keeping the tiles on screen true: a thumbnail whose short-lived URL expired asks for a fresh
// one, and photos still processing are asked about again until they are ready.

import { api } from './api.js';

const POLL_MS = 2500;

export function watchProcessing(timeline) {
  return setInterval(() => poll(timeline), POLL_MS);
}

// A thumbnail URL is presigned and short-lived: ask for a fresh one, once.
export async function refreshThumb(timeline, tile, img) {
  const photo = timeline.photos[Number(tile.dataset.index)];
  if (!photo || photo.status !== 'ready' || img.dataset.retried || !img.getAttribute('src')) return;
  img.dataset.retried = '1';
  try {
    const { url } = await api.variant(photo.id, 'thumb');
    if (tile.dataset.id === photo.id) img.src = url;
    photo.thumb_url = url;
  } catch {
    // offline and never seen: the thumbhash placeholder stays
  }
}

// Photos still processing on screen are asked about again until they are ready.
async function poll(timeline) {
  if (document.hidden) return;
  const waiting = [...timeline.tiles.keys()]
    .map((i) => [i, timeline.photos[i]])
    .filter(([, p]) => p && p.status === 'processing')
    .slice(0, 24);
  let changed = false;
  await Promise.all(
    waiting.map(async ([index, photo]) => {
      try {
        const fresh = await api.photo(photo.id);
        if (fresh.status === photo.status) return;
        if (fresh.status === 'ready') fresh.thumb_url = (await api.variant(photo.id, 'thumb')).url;
        if (timeline.photos[index] && timeline.photos[index].id === photo.id) {
          timeline.photos[index] = fresh;
          const tile = timeline.tiles.get(index);
          if (tile) timeline.fill(tile, index);
          changed = true;
        }
      } catch {
        // try again at the next tick
      }
    }),
  );
  // A processed photo moves to the month it was taken in: the layout must be read again.
  if (changed) timeline.dispatchEvent(new Event('stale'));
}
