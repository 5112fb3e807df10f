// Albums: the list of albums (covers, counts, date ranges), the header of one album (rename,
// order, delete with a confirmation), the picker that adds photos to an album or makes a new
// one of them (from the selection bar and the viewer), and "Use as album cover" in the viewer.
// An album's photos show in the same timeline and viewer as every other view (views.js).

import { confirm } from './actions.js';
import { api } from './api.js';
import { formatMonth } from './format.js';
import { describe } from './messages.js';
import { ShareDialog } from './share.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
const photos = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

// "Mar 2019 – Aug 2019", or one month when it starts and ends in the same one.
export function albumDates(album) {
  const start = (album.start_at || '').slice(0, 7);
  const end = (album.end_at || '').slice(0, 7);
  if (!start) return '';
  const a = formatMonth(start, true);
  return !end || end === start ? a : `${a} – ${formatMonth(end, true)}`;
}

export function albumFacts(album) {
  return [photos(album.photo_count || 0), albumDates(album)].filter(Boolean).join(' · ');
}

// The cover of an album (or a place): its thumbnail, else an empty frame.
export function coverImage(url) {
  const frame = el('span', 'cover');
  if (url) {
    const img = el('img');
    img.alt = '';
    img.loading = 'lazy';
    img.src = url;
    frame.append(img);
  }
  return frame;
}

// Fill empty cover frames with their photos' thumbnails, a few at a time (each thumbnail is a
// presigned URL of its own): `frames` are [frame, photoId] pairs from coverImage(null).
const COVERS_AT_ONCE = 6;
export async function loadCovers(frames) {
  const queue = [...frames];
  const worker = async () => {
    while (queue.length) {
      const [frame, photoId] = queue.shift();
      try {
        const { url } = await api.variant(photoId, 'thumb');
        frame.replaceWith(coverImage(url));
      } catch {
        // no thumbnail yet: the empty frame stays
      }
    }
  };
  await Promise.all(Array.from({ length: COVERS_AT_ONCE }, worker));
}

async function allAlbums() {
  const albums = [];
  let cursor = null;
  do {
    const page = await api.albums({ cursor });
    albums.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return albums;
}

// The albums page: a card per album, newest first as the server lists them, and "New album".
export async function showAlbums(root, { toast }) {
  root.replaceChildren();
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Albums'));
  const create = el('button', 'primary', 'New album');
  create.type = 'button';
  create.id = 'album-new';
  create.addEventListener('click', async () => {
    const answer = await askName('New album', { name: '', description: '' }, 'Create');
    if (!answer) return;
    try {
      const album = await api.createAlbum(answer.name);
      window.location.hash = `#album/${encodeURIComponent(album.id)}`;
    } catch (error) {
      toast(`The album could not be created. ${describe(error)}`);
    }
  });
  head.append(create);
  root.append(head);
  let albums;
  try {
    albums = await allAlbums();
  } catch (error) {
    root.append(el('p', 'empty', `Albums could not be loaded. ${describe(error)}`));
    return;
  }
  if (!albums.length) {
    root.append(el('p', 'empty', 'No albums yet. Select photos in the timeline and press Add to album.'));
    return;
  }
  const list = el('ul', 'cards');
  for (const album of albums) {
    const item = el('li');
    const link = el('a', 'card album-card');
    link.href = `#album/${encodeURIComponent(album.id)}`;
    link.dataset.albumId = album.id;
    link.dataset.name = album.name;
    link.append(coverImage(album.cover_thumb_url), el('strong', 'card-title', album.name), el('span', 'card-facts', albumFacts(album)));
    if (album.role && album.role !== 'owner') link.append(el('span', 'card-facts', `Shared by ${album.owner.display_name}`));
    if (album.members && album.members.length) {
      const names = album.members.map((m) => m.user.display_name).join(', ');
      link.append(el('span', 'card-facts card-members', `With ${names}`));
    }
    item.append(link);
    list.append(item);
  }
  root.append(list);
}

// The name (and description) of an album, asked in a small dialog: {name, description} or null.
function askName(title, album, action) {
  const dialog = $('album-name-dialog');
  const form = $('album-name-form');
  $('album-name-title').textContent = title;
  $('album-name-save').textContent = action;
  form.name.value = album.name || '';
  form.description.value = album.description || '';
  const error = form.querySelector('.form-error');
  error.hidden = true;
  dialog.returnValue = '';
  dialog.showModal();
  form.name.focus();
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      if (dialog.returnValue !== 'ok') return resolve(null);
      const name = form.name.value.trim();
      if (!name) return resolve(null);
      resolve({ name, description: form.description.value.trim() });
    };
    dialog.addEventListener('close', done);
  });
}

// One album's header above its photos: its name, facts and what its owner (or admin) may do.
export class AlbumHeader {
  constructor({ toast, onChanged }) {
    this.toast = toast;
    this.onChanged = onChanged;
    this.album = null;
    $('album-rename').addEventListener('click', () => this.rename());
    this.share = new ShareDialog({ toast, onChanged: () => this.album && this.show(this.album.id).catch(() => {}) });
    $('album-share').addEventListener('click', () => {
      if (this.album) this.share.open(this.album, document.body.dataset.userId || '');
    });
    $('album-delete').addEventListener('click', () => this.remove());
    $('album-order').addEventListener('change', (event) => this.edit({ order: event.target.value }, true));
  }

  async show(albumId) {
    if (!this.album || this.album.id !== albumId) this.album = null; // not another album's buttons meanwhile
    $('album-header').hidden = false;
    $('album-name').textContent = '';
    $('album-facts').textContent = '';
    try {
      this.fill(await api.album(albumId));
    } catch (error) {
      this.album = null;
      $('album-name').textContent = 'Album not found';
      $('album-facts').textContent = describe(error);
      throw error;
    }
  }

  hide() {
    $('album-header').hidden = true;
    this.album = null;
  }

  fill(album) {
    this.album = album;
    $('album-name').textContent = album.name;
    $('album-facts').textContent = albumFacts(album);
    $('album-description').textContent = album.description || '';
    $('album-description').hidden = !album.description;
    $('album-order').value = album.order || 'newest';
    const manage = album.role === 'owner' || album.role === 'admin';
    $('album-rename').hidden = !manage;
    $('album-share').hidden = !manage;
    $('album-order').parentElement.hidden = !manage;
    $('album-delete').hidden = album.role !== 'owner';
    $('album-links').hidden = album.role !== 'owner'; // only the owner makes links (links.js)
    document.body.dataset.albumRole = album.role || '';
  }

  async edit(changes, reorder = false) {
    if (!this.album) return null;
    try {
      const album = await api.editAlbum(this.album.id, changes);
      this.fill(album);
      this.onChanged(album, reorder);
      return album;
    } catch (error) {
      this.toast(`The album could not be changed. ${describe(error)}`);
      return null;
    }
  }

  async rename() {
    if (!this.album) return;
    const answer = await askName('Rename album', this.album, 'Save');
    if (answer && (answer.name !== this.album.name || answer.description !== (this.album.description || ''))) {
      if (await this.edit(answer)) this.toast('Album renamed.');
    }
  }

  async setCover(photoId) {
    if (await this.edit({ cover_photo_id: photoId })) this.toast('Album cover changed.');
  }

  async remove() {
    const album = this.album;
    if (!album) return;
    const ok = await confirm(
      `Delete the album “${album.name}”?`,
      'The album goes; its photos stay in your vault and in any other album.',
      'Delete album',
    );
    if (!ok) return;
    try {
      await api.deleteAlbum(album.id);
      this.toast(`Album “${album.name}” deleted. Its photos are still in your vault.`);
      window.location.hash = '#albums';
    } catch (error) {
      this.toast(`The album could not be deleted. ${describe(error)}`);
    }
  }
}

// "Add to album": the albums the user may add to, and a new album made of the photos.
export class AlbumPicker {
  constructor({ toast }) {
    this.toast = toast;
    this.dialog = $('album-picker');
    this.form = $('album-picker-form');
    this.ids = [];
    this.done = null;
    // Enter in the name field makes the album (the form's first button is Cancel).
    this.form.name.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.create();
    });
    this.form.addEventListener('submit', (event) => {
      if (event.submitter && event.submitter.value === 'create') {
        event.preventDefault();
        this.create();
      }
    });
  }

  // Resolves with the album the photos went to, or null.
  async open(ids) {
    this.ids = ids;
    this.error('');
    this.form.name.value = '';
    const list = $('album-picker-list');
    list.replaceChildren(el('li', 'muted', 'Loading albums…'));
    $('album-picker-title').textContent = `Add ${photos(ids.length)} to an album`;
    this.dialog.showModal();
    const closed = new Promise((resolve) => {
      this.done = resolve;
      this.dialog.addEventListener('close', () => resolve(null), { once: true });
    });
    try {
      const albums = (await allAlbums()).filter((a) => a.role !== 'viewer');
      list.replaceChildren();
      for (const album of albums) {
        const item = el('li');
        const button = el('button', 'album-choice');
        button.type = 'button';
        button.dataset.albumId = album.id;
        button.append(coverImage(album.cover_thumb_url), el('span', '', album.name), el('small', 'card-facts', albumFacts(album)));
        button.addEventListener('click', () => this.add(album));
        item.append(button);
        list.append(item);
      }
      if (!albums.length) list.append(el('li', 'muted', 'No albums yet: name a new one below.'));
      (albums.length ? list.querySelector('button') : this.form.name).focus();
    } catch (error) {
      list.replaceChildren(el('li', 'form-error', `Albums could not be loaded. ${describe(error)}`));
    }
    return closed;
  }

  error(message) {
    const node = this.form.querySelector('.form-error');
    node.textContent = message;
    node.hidden = !message;
  }

  finish(album) {
    const resolve = this.done;
    this.done = null;
    this.dialog.close();
    if (resolve) resolve(album);
  }

  async add(album) {
    try {
      const answer = await api.addToAlbum(album.id, this.ids);
      const added = (answer.added || []).length;
      const already = (answer.already || []).length;
      const refused = (answer.errors || []).length;
      const parts = [`${photos(added)} added to “${album.name}”.`];
      if (already) parts.push(`${photos(already)} already there.`);
      if (refused) parts.push(`${photos(refused)} could not be added.`);
      this.toast(parts.join(' '));
      this.finish(album);
    } catch (error) {
      this.error(`Not added. ${describe(error)}`);
    }
  }

  async create() {
    const name = this.form.name.value.trim();
    if (!name) {
      this.error('Please name the new album.');
      this.form.name.focus();
      return;
    }
    try {
      const album = await api.createAlbum(name, this.ids);
      this.toast(`Album “${album.name}” created with ${photos(album.photo_count ?? this.ids.length)}.`);
      this.finish(album);
    } catch (error) {
      this.error(`The album could not be created. ${describe(error)}`);
    }
  }
}

// The album parts of the selection bar and the viewer.
export function attachAlbumActions({ selection, timeline, viewer, header, picker, toast, currentView }) {
  const inAlbum = () => currentView().key === 'album' && header.album;
  $('bulk-album').addEventListener('click', async () => {
    if (await picker.open(selection.list())) selection.clear();
  });
  $('bulk-album-remove').addEventListener('click', async () => {
    const album = inAlbum();
    const ids = selection.list();
    if (!album || !ids.length) return;
    try {
      const answer = await api.removeFromAlbum(album.id, ids);
      const removed = answer.removed || [];
      timeline.removeLocal(removed);
      selection.clear();
      toast(`${photos(removed.length)} removed from “${album.name}”. They are still in your vault.`);
      header.show(album.id).catch(() => {});
    } catch (error) {
      toast(`The photos could not be removed. ${describe(error)}`);
    }
  });
  const current = () => timeline.get(viewer.index);
  $('viewer-album').addEventListener('click', async () => {
    const photo = current();
    if (photo) await picker.open([photo.id]);
  });
  $('viewer-cover').addEventListener('click', () => {
    const photo = current();
    if (photo && inAlbum()) header.setCover(photo.id);
  });
}

// What the bar and the viewer offer in this view: albums are not for the trash.
export function albumButtons(view, header) {
  const album = view.key === 'album' && header.album;
  const manage = album && ['owner', 'admin', 'contributor'].includes(album.role);
  $('bulk-album').hidden = view.key === 'trash';
  $('viewer-album').hidden = view.key === 'trash';
  $('bulk-album-remove').hidden = !manage;
  $('viewer-cover').hidden = !(album && (album.role === 'owner' || album.role === 'admin'));
}
