// One tile of the timeline: its thumbnail (over the thumbhash placeholder), its marks
// (processing, failed, damaged, favorite, selected) and its label.

import { formatDuration, photoLabel } from './format.js';
import { describeDamage, describeFailure } from './messages.js';
import { thumbHashDataURL } from './thumbhash.js';

export function createTile(onThumbError) {
  const tile = document.createElement('button');
  tile.type = 'button';
  tile.className = 'tile';
  const img = document.createElement('img');
  img.className = 'thumb';
  img.decoding = 'async';
  img.draggable = false;
  img.alt = '';
  img.addEventListener('load', () => img.classList.add('loaded'));
  img.addEventListener('error', () => onThumbError(tile, img));
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  const check = document.createElement('span');
  check.className = 'check';
  check.title = 'Select';
  check.setAttribute('aria-hidden', 'true');
  const heart = document.createElement('span');
  heart.className = 'heart';
  heart.setAttribute('aria-hidden', 'true');
  const length = document.createElement('span');
  length.className = 'length'; // a video's duration, or LIVE on a Live Photo
  length.setAttribute('aria-hidden', 'true');
  tile.append(img, badge, check, heart, length);
  return tile;
}

export function fillTile(tile, photo, index, selected) {
  const img = tile.firstChild;
  const damage = photo && photo.damaged ? photo.damaged.code : '';
  const key = photo
    ? `${photo.id}|${photo.status}|${damage}|${photo.thumb_url || ''}|${photo.favorite ? 1 : 0}|${selected ? 1 : 0}|${photo.duration_ms || ''}|${photo.motion_photo_id || ''}`
    : '';
  if (tile.dataset.key === key && tile.dataset.index === String(index)) return;
  tile.dataset.key = key;
  tile.dataset.index = String(index);
  if (!photo) {
    tile.disabled = true;
    tile.className = 'tile loading';
    tile.removeAttribute('aria-label');
    tile.style.backgroundImage = '';
    img.removeAttribute('src');
    img.classList.remove('loaded');
    for (const name of ['id', 'filename', 'damaged', 'favorite', 'selected', 'mediaType', 'live']) delete tile.dataset[name];
    tile.querySelector('.length').textContent = '';
    return;
  }
  const sameImage = tile.dataset.id === photo.id && img.getAttribute('src') === (photo.thumb_url || null);
  tile.disabled = false;
  tile.className = `tile ${photo.status}${damage ? ' damaged' : ''}${selected ? ' selected' : ''}`;
  tile.dataset.id = photo.id;
  tile.dataset.takenAt = photo.taken_at;
  tile.dataset.filename = photo.filename;
  tile.dataset.status = photo.status;
  if (damage) tile.dataset.damaged = damage;
  else delete tile.dataset.damaged;
  if (photo.favorite) tile.dataset.favorite = 'true';
  else delete tile.dataset.favorite;
  if (selected) tile.dataset.selected = 'true';
  else delete tile.dataset.selected;
  let label = photoLabel(photo);
  const length = tile.querySelector('.length');
  const isVideo = photo.media_type === 'video';
  length.textContent = isVideo ? formatDuration(photo.duration_ms) : photo.motion_photo_id ? 'LIVE' : '';
  if (isVideo) {
    tile.dataset.mediaType = 'video';
    label += `, video${photo.duration_ms != null ? ` ${formatDuration(photo.duration_ms)}` : ''}`;
  } else delete tile.dataset.mediaType;
  if (photo.motion_photo_id) {
    tile.dataset.live = 'true';
    label += ', Live Photo';
  } else delete tile.dataset.live;
  if (photo.favorite) label += ', favorite';
  if (photo.status === 'processing') label += ' (still processing)';
  if (photo.status === 'failed') label += ` (could not be processed: ${describeFailure(photo.error)})`;
  if (damage) label += ` (damaged: ${describeDamage(photo.damaged)})`;
  tile.title = label;
  tile.setAttribute('aria-label', selected ? `${label}, selected` : label);
  img.alt = label;
  if (sameImage) return; // only the marks changed: the thumbnail stays as it is
  const placeholder = thumbHashDataURL(photo.thumbhash);
  tile.style.backgroundImage = placeholder ? `url("${placeholder}")` : '';
  img.classList.remove('loaded');
  delete img.dataset.retried;
  if (photo.thumb_url) img.src = photo.thumb_url;
  else img.removeAttribute('src');
}
