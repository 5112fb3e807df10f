// "On this day": a card above the timeline with the photos taken on today's date in earlier
// years (GET /memories), a few thumbnails each; a memory opens its photos in the timeline
// and viewer (#memory/2019). Photos given by id (a memory, a photo on the map) are a view too.

import { api } from './api.js';

const $ = (id) => document.getElementById(id);
const THUMBS = 5;

// Today on this device's calendar, as the user lives it.
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function yearsAgo(year) {
  const n = new Date().getFullYear() - year;
  return n === 1 ? 'A year ago' : `${n} years ago`;
}

async function withThumb(photo) {
  if (photo.status === 'ready' && !photo.thumb_url) {
    try {
      photo.thumb_url = (await api.variant(photo.id, 'thumb')).url;
    } catch {
      // the thumbhash placeholder shows instead
    }
  }
  return photo;
}

// A view of photos named by id, in that order, a page at a time (the cursor is an offset).
export function photosView(key, title, loadIds) {
  let ids = null;
  return {
    key,
    title,
    months: null,
    group: (photo) => (photo.taken_at || '').slice(0, 7),
    empty: 'These photos are no longer here.',
    page: async ({ limit = 100, cursor = null } = {}) => {
      if (!ids) ids = await loadIds();
      const start = Number(cursor || 0);
      const slice = ids.slice(start, start + limit);
      const found = await Promise.all(slice.map((id) => api.photo(id).then(withThumb, () => null)));
      const end = start + slice.length;
      return { items: found.filter(Boolean), next_cursor: end < ids.length ? String(end) : null };
    },
  };
}

export function memoryView(year) {
  return photosView('memory', `On this day, ${year}`, async () => {
    const memories = await api.memories(today());
    const memory = memories.find((m) => String(m.year) === String(year));
    return memory ? memory.photo_ids : [];
  });
}

export function photoView(photoId) {
  return photosView('photo', 'Photo', async () => [photoId]);
}

// The card, on the Photos view only; nothing at all when there is no memory today.
export async function showMemories(view) {
  const root = $('memories');
  if (view.key !== 'photos') {
    root.hidden = true;
    return;
  }
  let memories = [];
  try {
    memories = (await api.memories(today())).filter((m) => m.photo_ids && m.photo_ids.length);
  } catch {
    memories = []; // a memory is a nicety: the timeline shows without it
  }
  root.replaceChildren();
  root.hidden = !memories.length;
  if (!memories.length) return;
  const heading = document.createElement('h2');
  heading.textContent = 'On this day';
  root.append(heading);
  const list = document.createElement('ul');
  list.className = 'memory-list';
  for (const memory of memories) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.className = 'memory';
    link.href = `#memory/${memory.year}`;
    link.dataset.year = String(memory.year);
    const strip = document.createElement('span');
    strip.className = 'memory-thumbs';
    const title = document.createElement('strong');
    title.textContent = memory.title || yearsAgo(memory.year);
    const facts = document.createElement('span');
    facts.className = 'card-facts';
    const n = memory.photo_ids.length;
    facts.textContent = `${memory.year} · ${n} ${n === 1 ? 'photo' : 'photos'}`;
    link.append(strip, title, facts);
    item.append(link);
    list.append(item);
    for (const id of memory.photo_ids.slice(0, THUMBS)) {
      const img = document.createElement('img');
      img.alt = '';
      strip.append(img);
      api
        .variant(id, 'thumb')
        .then(({ url }) => {
          img.src = url;
        })
        .catch(() => img.remove());
    }
  }
  root.append(list);
}
