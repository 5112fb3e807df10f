// What can be done to photos, from the bar of the selection, the viewer and the keyboard:
// favorite, archive, trash (with an Undo right after), and in the trash restore and delete
// permanently (with a clear confirmation). Each call goes to the server first; the timeline
// then shows the result at once, without waiting for a reload.

import { api } from './api.js';
import { describe } from './messages.js';

const $ = (id) => document.getElementById(id);
const photos = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

export class Actions extends EventTarget {
  constructor({ timeline, selection, toast }) {
    super();
    this.timeline = timeline;
    this.selection = selection;
    this.toast = toast;
    this.view = null;
    selection.addEventListener('change', () => this.bar());
    $('select-clear').addEventListener('click', () => selection.clear());
    $('bulk-favorite').addEventListener('click', () => this.favorite(selection.list(), !this.allFavorite()));
    $('bulk-archive').addEventListener('click', () => this.archive(selection.list(), this.view.key !== 'archive'));
    $('bulk-trash').addEventListener('click', () => this.trash(selection.list()));
    $('bulk-restore').addEventListener('click', () => this.restore(selection.list()));
    $('bulk-delete').addEventListener('click', () => this.deleteForever(selection.list()));
    $('empty-trash').addEventListener('click', () => this.emptyTrash());
    document.addEventListener('keydown', (event) => this.key(event));
  }

  setView(view) {
    this.view = view;
    this.selection.clear();
    this.bar();
  }

  inTrash() {
    return this.view && this.view.key === 'trash';
  }

  photo(id) {
    return this.timeline.photos.find((p) => p && p.id === id) || null;
  }

  allFavorite() {
    const ids = this.selection.list();
    return ids.length > 0 && ids.every((id) => (this.photo(id) || {}).favorite);
  }

  // The bar over the top bar while something is selected.
  bar() {
    const n = this.selection.size;
    $('action-bar').hidden = n === 0;
    document.body.classList.toggle('selecting', n > 0);
    this.timeline.refresh();
    if (!n) return;
    $('select-count').textContent = `${n} selected`;
    const trash = this.inTrash();
    $('bulk-favorite').hidden = trash;
    $('bulk-archive').hidden = trash;
    $('bulk-trash').hidden = trash;
    $('bulk-restore').hidden = !trash;
    $('bulk-delete').hidden = !trash;
    $('bulk-favorite').textContent = this.allFavorite() ? '♥ Unfavorite' : '♡ Favorite';
    $('bulk-archive').textContent = this.view.key === 'archive' ? 'Unarchive' : 'Archive';
  }

  // Per-id refusals of a bulk call, in words.
  report(errors, what) {
    if (errors && errors.length) this.toast(`${photos(errors.length)} could not be ${what}.`);
  }

  async call(fn, failure) {
    try {
      return await fn();
    } catch (error) {
      this.toast(`${failure} ${describe(error)}`);
      return null;
    }
  }

  async favorite(ids, value) {
    if (!ids.length) return;
    const answer = await this.call(() => api.editPhotos(ids, { favorite: value }), 'Favorites could not be changed.');
    if (!answer) return;
    const updated = answer.updated || ids;
    for (const id of updated) this.timeline.updateLocal({ id, favorite: value });
    if (!value && this.view.key === 'favorites') this.timeline.removeLocal(updated);
    this.selection.clear();
    this.report(answer.errors, 'changed');
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: updated, favorite: value } }));
  }

  async archive(ids, value) {
    if (!ids.length) return;
    const answer = await this.call(() => api.editPhotos(ids, { archived: value }), 'The archive could not be changed.');
    if (!answer) return;
    const updated = answer.updated || ids;
    this.timeline.removeLocal(updated); // archived photos leave the timeline, unarchived the archive
    this.selection.clear();
    this.report(answer.errors, value ? 'archived' : 'unarchived');
    this.toast(`${photos(updated.length)} ${value ? 'archived' : 'back in the timeline'}.`, {
      label: 'Undo',
      run: () => this.undoArchive(updated, value),
    });
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: updated } }));
  }

  async undoArchive(ids, value) {
    if (await this.call(() => api.editPhotos(ids, { archived: !value }), 'Undo failed.')) this.reload();
  }

  async trash(ids) {
    if (!ids.length) return;
    const answer = await this.call(() => api.trashPhotos(ids), 'The photos could not be moved to the trash.');
    if (!answer) return;
    const trashed = answer.trashed || ids;
    this.timeline.removeLocal(trashed);
    this.selection.clear();
    this.report(answer.errors, 'moved to the trash');
    if (trashed.length) {
      this.toast(`${photos(trashed.length)} moved to the trash.`, { label: 'Undo', run: () => this.undoTrash(trashed) });
    }
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: trashed } }));
  }

  async undoTrash(ids) {
    if (await this.call(() => api.restore(ids), 'Undo failed.')) {
      this.toast(`${photos(ids.length)} restored.`);
      this.reload();
    }
  }

  async restore(ids) {
    if (!ids.length) return;
    const answer = await this.call(() => api.restore(ids), 'The photos could not be restored.');
    if (!answer) return;
    const restored = answer.restored || ids;
    this.timeline.removeLocal(restored);
    this.selection.clear();
    this.report(answer.errors, 'restored');
    this.toast(`${photos(restored.length)} restored.`);
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: restored } }));
  }

  async deleteForever(ids) {
    if (!ids.length) return;
    const ok = await confirm(
      `Delete ${photos(ids.length)} permanently?`,
      ids.length === 1
        ? 'It will be gone from your vault for good, with its original. This cannot be undone.'
        : 'They will be gone from your vault for good, with their originals. This cannot be undone.',
      'Delete permanently',
    );
    if (!ok) return;
    const answer = await this.call(() => api.deleteForever(ids), 'The photos could not be deleted.');
    if (!answer) return;
    const deleted = answer.deleted || ids;
    this.timeline.removeLocal(deleted);
    this.selection.clear();
    this.report(answer.errors, 'deleted');
    this.toast(`${photos(deleted.length)} deleted permanently.`);
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: deleted, deleted: true } }));
  }

  async emptyTrash() {
    const n = this.timeline.count;
    const ok = await confirm(
      'Empty the trash?',
      `Every photo in the trash${this.timeline.exhausted ? ` (${photos(n)})` : ''} will be deleted permanently, ` +
        'with its original. This cannot be undone.',
      'Empty trash',
    );
    if (!ok) return;
    const answer = await this.call(() => api.deleteForever(), 'The trash could not be emptied.');
    if (!answer) return;
    this.toast('The trash is empty.');
    this.reload();
    this.dispatchEvent(new CustomEvent('changed', { detail: { ids: answer.deleted || [], deleted: true } }));
  }

  reload() {
    this.timeline.load().catch(() => {});
  }

  // Shortcuts in the grid: f favorite, Delete trash (the selection, else the focused photo),
  // Escape clears the selection. The viewer has its own (viewer.js).
  key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || $('gallery-view').hidden) return;
    if (document.querySelector('dialog[open]')) return;
    if (event.target.closest('input, textarea, select, [contenteditable]')) return;
    if (event.key === 'Escape' && this.selection.size) {
      event.preventDefault();
      this.selection.clear();
      return;
    }
    const tile = event.target.closest('.tile');
    const focused = tile && tile.dataset.id ? [tile.dataset.id] : [];
    const ids = this.selection.size ? this.selection.list() : focused;
    if (!ids.length) return;
    if (event.key === 'f' && !this.inTrash()) {
      event.preventDefault();
      const all = ids.every((id) => (this.photo(id) || {}).favorite);
      this.favorite(ids, !all);
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      const done = this.inTrash() ? this.deleteForever(ids) : this.trash(ids);
      // The keyboard stays in the grid: on the photo that took the place of the focused one.
      const index = tile ? Number(tile.dataset.index) : -1;
      done.then(() => {
        if (index >= 0 && this.timeline.count) this.timeline.focus(Math.min(index, this.timeline.count - 1));
      });
    }
  }
}

// A clear question with Cancel first (and focused): resolves true only for the named action.
export function confirm(title, text, action) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = action;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}
