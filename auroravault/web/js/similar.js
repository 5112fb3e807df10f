// The similar photos page: groups of your photos that look alike (GET /similar: bursts,
// re-saved copies), side by side, the best of each first and kept; the extras are ticked and
// "Trash the extras" moves the ticked ones to the trash (POST /photos/trash).

import { coverImage } from './albums.js';
import { api, request } from './api.js';
import { el } from './dom.js';
import { describe } from './messages.js';

async function thumb(frame, photoId) {
  try {
    const { url } = await api.variant(photoId, 'thumb');
    frame.replaceWith(coverImage(url));
  } catch {
    // no thumbnail: the empty frame stays
  }
}

function groupView(group, { toast, onDone }) {
  const item = el('li', 'similar-group');
  const row = el('ul', 'cards similar-photos');
  const boxes = [];
  group.photos.forEach((photo, n) => {
    const cell = el('li', 'similar-photo');
    cell.dataset.id = photo.id;
    const frame = coverImage(null);
    const label = el('label', 'similar-pick');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = n > 0;
    box.dataset.id = photo.id;
    label.append(box, el('span', '', n === 0 ? ' Keep' : ' Trash'));
    box.addEventListener('change', () => {
      label.lastChild.textContent = box.checked ? ' Trash' : ' Keep';
    });
    const facts = `${photo.filename}${photo.width ? ` · ${photo.width}×${photo.height}` : ''}`;
    cell.append(frame, el('span', 'card-facts', facts), label);
    row.append(cell);
    boxes.push(box);
    thumb(frame, photo.id);
  });
  const trash = el('button', 'danger similar-trash', 'Trash the extras');
  trash.type = 'button';
  trash.addEventListener('click', async () => {
    const ids = boxes.filter((b) => b.checked).map((b) => b.dataset.id);
    if (!ids.length) return;
    trash.disabled = true;
    try {
      const done = await api.trashPhotos(ids);
      toast(`${done.trashed.length} ${done.trashed.length === 1 ? 'photo' : 'photos'} moved to the trash.`);
      item.remove();
      onDone();
    } catch (error) {
      trash.disabled = false;
      toast(`The photos could not be trashed. ${describe(error)}`);
    }
  });
  item.append(row, trash);
  return item;
}

export async function showSimilar(root, { toast } = { toast: () => {} }) {
  root.replaceChildren();
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Similar photos'));
  root.append(head);
  let groups;
  try {
    groups = await request('GET', '/similar');
  } catch (error) {
    root.append(el('p', 'empty', `Similar photos could not be loaded. ${describe(error)}`));
    return;
  }
  const empty = () => el('p', 'empty', 'No similar photos to review.');
  if (!groups.length) {
    root.append(empty());
    return;
  }
  const list = el('ul', 'similar-groups');
  const onDone = () => {
    if (!list.children.length) list.replaceWith(empty());
  };
  for (const group of groups) list.append(groupView(group, { toast, onDone }));
  root.append(list);
}
