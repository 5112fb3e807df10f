// The viewer's "Edit" form: the date a photo was taken (the owner's correction; the camera's
// own value stays on the server as exif_taken_at) and its description.

import { api } from './api.js';
import { describe } from './messages.js';

const ZONE = /^(?:\.\d+)?(Z|[+-]\d\d:?\d\d)$/;

// "2013-12-17T10:04:05+01:00" -> {local: "2013-12-17T10:04:05", zone: "+01:00"}: the wall clock
// is edited as it is written, and keeps its offset.
export function splitTakenAt(text) {
  const local = (text || '').slice(0, 19);
  const zone = ZONE.exec((text || '').slice(19));
  return { local, zone: zone ? zone[1] : '' };
}

export class PhotoEdit {
  constructor(form, { onSaved }) {
    this.form = form;
    this.onSaved = onSaved;
    this.photo = null;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    form.querySelector('#edit-cancel').addEventListener('click', () => this.close());
  }

  open(photo) {
    this.photo = photo;
    const { local } = splitTakenAt(photo.taken_at);
    this.form.taken_at.value = local;
    this.form.description.value = photo.description || '';
    this.error('');
    this.form.hidden = false;
    this.form.description.focus();
  }

  close() {
    this.form.hidden = true;
    this.photo = null;
  }

  get isOpen() {
    return !this.form.hidden;
  }

  error(message) {
    const el = this.form.querySelector('.form-error');
    el.textContent = message;
    el.hidden = !message;
  }

  async save() {
    const photo = this.photo;
    if (!photo) return;
    const changes = {};
    const description = this.form.description.value.trim();
    if (description !== (photo.description || '')) changes.description = description;
    const { local, zone } = splitTakenAt(photo.taken_at);
    let when = this.form.taken_at.value;
    if (when && when.length === 16) when += ':00'; // a browser that leaves out the seconds
    if (!when) return this.error('Please give the date the photo was taken.');
    if (when !== local) changes.taken_at = `${when}${zone || 'Z'}`;
    if (!Object.keys(changes).length) return this.close();
    const button = this.form.querySelector('[type=submit]');
    button.disabled = true;
    try {
      const fresh = await api.editPhoto(photo.id, changes);
      this.close();
      this.onSaved(fresh, changes);
    } catch (error) {
      this.error(`Not saved. ${describe(error)}`);
    } finally {
      button.disabled = false;
    }
  }
}
