// The events page: your photos grouped into events and trips (GET /events, newest first), as
// cards with title, dates and cover; #events/ID opens one with its photos and a "Make an
// album" button (POST /events/{id}/album), which opens the new album.

import { coverImage, loadCovers } from './albums.js';
import { api, request } from './api.js';
import { el } from './dom.js';
import { describe } from './messages.js';

const photos = (n) => `${n.toLocaleString()} ${n === 1 ? 'photo' : 'photos'}`;

function card(event) {
  const item = el('li');
  const link = el('a', `card event-card event-${event.kind}`);
  link.href = `#events/${encodeURIComponent(event.id)}`;
  link.dataset.id = event.id;
  link.dataset.kind = event.kind;
  const frame = coverImage(null);
  const facts = `${event.kind === 'trip' ? 'Trip · ' : ''}${photos(event.photo_count)}`;
  link.append(frame, el('strong', 'card-title', event.title), el('span', 'card-facts', facts));
  item.append(link);
  return { item, frame };
}

async function showOne(root, eventId, { toast }) {
  let event;
  try {
    event = await request('GET', `/events/${encodeURIComponent(eventId)}`);
  } catch (error) {
    root.append(el('p', 'empty', `This event could not be loaded. ${describe(error)}`));
    return;
  }
  const back = el('a', 'back', '‹ All events');
  back.href = '#events';
  const make = el('button', 'primary', 'Make an album');
  make.type = 'button';
  make.id = 'event-album';
  make.addEventListener('click', async () => {
    make.disabled = true;
    try {
      const album = await request('POST', `/events/${encodeURIComponent(eventId)}/album`);
      toast(`Album "${album.name}" made with ${photos(album.photo_count)}.`);
      window.location.hash = `#album/${encodeURIComponent(album.id)}`;
    } catch (error) {
      make.disabled = false;
      toast(`The album could not be made. ${describe(error)}`);
    }
  });
  root.querySelector('.view-title').textContent = event.title;
  root.querySelector('.page-head').append(make);
  const grid = el('ul', 'cards event-photos');
  const frames = [];
  for (const photoId of event.photo_ids) {
    const item = el('li');
    const link = el('a', 'card event-photo');
    link.href = `#photo/${encodeURIComponent(photoId)}`;
    link.dataset.id = photoId;
    const frame = coverImage(null);
    link.append(frame);
    item.append(link);
    grid.append(item);
    frames.push([frame, photoId]);
  }
  root.append(back, grid);
  await loadCovers(frames);
}

export async function showEvents(root, eventId = '', { toast } = { toast: () => {} }) {
  root.replaceChildren();
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Events'));
  root.append(head);
  if (eventId) {
    await showOne(root, eventId, { toast });
    return;
  }
  let events;
  try {
    events = await request('GET', '/events');
  } catch (error) {
    root.append(el('p', 'empty', `Events could not be loaded. ${describe(error)}`));
    return;
  }
  if (!events.length) {
    root.append(el('p', 'empty', 'No events yet: they appear as photos with dates arrive.'));
    return;
  }
  const list = el('ul', 'cards');
  const frames = [];
  for (const event of events) {
    const { item, frame } = card(event);
    list.append(item);
    frames.push([frame, event.cover_photo_id]);
  }
  root.append(list);
  await loadCovers(frames);
}
