// The viewer: one photo large (its preview), its metadata, previous/next by keys, buttons
// and swipes, a download of the original, and what can be done to the photo: favorite (f),
// archive, trash (Delete), edit its date and description; in the trash, restore or delete it
// permanently. A modal <dialog> gives focus trapping and Escape for free.

import { api } from './api.js';
import {
  formatBytes,
  formatCamera,
  formatCoordinates,
  formatDate,
  formatExposure,
  formatPlace,
  photoLabel,
} from './format.js';
import { describe, describeDamage, describeFailure } from './messages.js';
import { photoPeople } from './people.js';
import { PhotoEdit } from './photoedit.js';
import { Player } from './player.js';
import { thumbHashDataURL } from './thumbhash.js';

const SWIPE_PX = 50;

export class Viewer extends EventTarget {
  constructor(dialog, timeline, { toast, actions }) {
    super();
    this.dialog = dialog;
    this.timeline = timeline;
    this.toast = toast;
    this.actions = actions;
    this.index = -1;
    this.token = 0; // bumps on every navigation, so a late preview never replaces a newer one
    this.urls = new Map(); // photo id -> {url, expires} of its preview
    this.$ = (id) => dialog.querySelector(`#${id}`);
    this.image = this.$('viewer-image');
    this.player = new Player(this.$('viewer-video'), this.$('viewer-live'), {
      image: this.image,
      close: this.$('viewer-close'),
      status: this.$('viewer-status'),
      current: () => this.timeline.get(this.index),
      token: () => this.token,
      previewUrl: (photo) => this.previewUrl(photo),
      toast: (text) => this.toast(text),
    });
    this.stage = this.$('viewer-stage');
    this.$('viewer-prev').addEventListener('click', () => this.step(-1));
    this.$('viewer-next').addEventListener('click', () => this.step(1));
    this.$('viewer-close').addEventListener('click', () => dialog.close());
    this.$('viewer-download').addEventListener('click', () => this.download());
    this.$('viewer-favorite').addEventListener('click', () => this.favorite());
    this.$('viewer-archive').addEventListener('click', () => this.leave('archive'));
    this.$('viewer-trash').addEventListener('click', () => this.leave('trash'));
    this.$('viewer-restore').addEventListener('click', () => this.leave('restore'));
    this.$('viewer-delete').addEventListener('click', () => this.leave('delete'));
    this.$('viewer-edit').addEventListener('click', () => {
      const photo = this.timeline.get(this.index);
      if (photo) this.edit.open(photo);
    });
    this.edit = new PhotoEdit(this.$('viewer-edit-form'), {
      onSaved: (fresh) => {
        this.timeline.updateLocal(fresh);
        this.toast('Saved.');
        // A new date moves the photo to another place in the timeline: read it again on closing.
        this.show(this.index);
        this.dispatchEvent(new Event('edited'));
      },
    });
    dialog.addEventListener('keydown', (event) => {
      if (event.target.closest('input, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target === this.player.video && event.key.startsWith('Arrow')) return; // the player seeks
      if (event.key === 'ArrowLeft') this.step(-1);
      else if (event.key === 'ArrowRight') this.step(1);
      else if (event.key === 'f' && !this.actions.inTrash()) this.favorite();
      else if (event.key === 'Delete' || event.key === 'Backspace') this.leave(this.actions.inTrash() ? 'delete' : 'trash');
      else return;
      event.preventDefault();
    });
    dialog.addEventListener('close', () => {
      this.token++;
      this.image.removeAttribute('src');
      this.player.stop();
      this.edit.close();
      // Back to where the user was in the grid.
      if (this.index >= 0) this.timeline.focus(this.index);
    });
    this.swipe();
  }

  get isOpen() {
    return this.dialog.open;
  }

  open(index) {
    if (!this.dialog.open) this.dialog.showModal();
    this.show(index);
  }

  step(delta) {
    const next = this.index + delta;
    if (next < 0 || next >= this.timeline.count) return;
    this.show(next);
  }

  async show(index) {
    const token = ++this.token;
    this.index = index;
    await this.timeline.ensure(index);
    const photo = this.timeline.get(index);
    if (token !== this.token || !photo) return;
    this.dialog.dataset.photoId = photo.id;
    this.$('viewer-prev').disabled = index <= 0;
    this.$('viewer-next').disabled = index >= this.timeline.count - 1;
    this.$('viewer-title').textContent = photo.filename;
    this.$('viewer-position').textContent = `${index + 1} of ${this.timeline.count}`;
    this.details(photo);
    this.people(photo, token);
    this.buttons(photo);

    const placeholder = thumbHashDataURL(photo.thumbhash);
    this.stage.style.backgroundImage = placeholder ? `url("${placeholder}")` : '';
    const damage = this.$('viewer-damage');
    damage.hidden = !(photo.status === 'ready' && photo.damaged);
    damage.textContent = damage.hidden ? '' : `Damaged: ${describeDamage(photo.damaged)} The original is kept as it was.`;
    const status = this.$('viewer-status');
    status.hidden = photo.status === 'ready';
    this.image.hidden = photo.status !== 'ready';
    this.image.alt = photoLabel(photo);
    this.image.dataset.variant = '';
    this.image.removeAttribute('src');
    this.player.stop();
    this.player.offerMotion(photo);
    if (photo.status === 'processing') {
      status.textContent = 'Still processing: the preview appears when it is ready.';
      return;
    }
    if (photo.status === 'failed') {
      status.textContent =
        `This photo could not be processed: ${describeFailure(photo.error)} ` +
        'The original is kept safe, and you can still download it.';
      return;
    }
    if (photo.media_type === 'video') {
      await this.player.play(photo, token);
      return;
    }
    // The small thumbnail (probably cached) at once, the preview as soon as it has loaded.
    if (photo.thumb_url) {
      this.image.src = photo.thumb_url;
      this.image.dataset.variant = 'thumb';
    }
    try {
      const url = await this.previewWhenReady(photo, token);
      if (url === null) return;
      await decodeImage(url);
      if (token !== this.token) return;
      this.image.src = url;
      this.image.dataset.variant = 'preview';
    } catch (error) {
      if (token === this.token && !photo.thumb_url) {
        status.hidden = false;
        status.textContent = `The preview could not be loaded. ${describe(error)}`;
      }
    }
    if (token === this.token) this.prefetch(index);
  }

  // The actions this view allows, and the photo's state on them.
  buttons(photo) {
    const trash = this.actions.inTrash();
    const favorite = this.$('viewer-favorite');
    favorite.hidden = trash;
    favorite.setAttribute('aria-pressed', String(Boolean(photo.favorite)));
    favorite.textContent = photo.favorite ? '♥ Favorite' : '♡ Favorite';
    favorite.title = photo.favorite ? 'Remove from favorites (f)' : 'Add to favorites (f)';
    const archive = this.$('viewer-archive');
    archive.hidden = trash;
    archive.textContent = this.actions.view.key === 'archive' ? 'Unarchive' : 'Archive';
    this.$('viewer-trash').hidden = trash;
    this.$('viewer-edit').hidden = trash;
    this.$('viewer-restore').hidden = !trash;
    this.$('viewer-delete').hidden = !trash;
  }

  async favorite() {
    const photo = this.timeline.get(this.index);
    if (!photo) return;
    try {
      const fresh = await api.editPhoto(photo.id, { favorite: !photo.favorite });
      this.timeline.updateLocal({ id: photo.id, favorite: Boolean(fresh && fresh.favorite) });
      const now = this.timeline.get(this.index);
      if (now && now.id === photo.id) this.buttons(now);
      if (!fresh.favorite && this.actions.view.key === 'favorites') this.afterLeaving(photo.id);
    } catch (error) {
      this.toast(`Favorites could not be changed. ${describe(error)}`);
    }
  }

  // Archive, trash, restore or delete the photo shown: it leaves this view, the next one shows.
  async leave(what) {
    const photo = this.timeline.get(this.index);
    if (!photo) return;
    const { actions } = this;
    if (what === 'archive') await actions.archive([photo.id], actions.view.key !== 'archive');
    else if (what === 'trash') await actions.trash([photo.id]);
    else if (what === 'restore') await actions.restore([photo.id]);
    else await actions.deleteForever([photo.id]);
    this.afterLeaving(photo.id);
  }

  afterLeaving(id) {
    const now = this.timeline.get(this.index);
    if (now && now.id === id) return; // still here: it did not leave
    if (!this.timeline.count) {
      this.index = -1;
      this.dialog.close();
      return;
    }
    this.show(Math.min(this.index, this.timeline.count - 1));
  }

  details(photo) {
    const rows = [];
    if (photo.description) rows.push(['Description', photo.description]);
    const when = formatDate(photo.taken_at);
    if (when) rows.push([photo.taken_at_source === 'upload' ? 'Uploaded' : 'Taken', when]);
    const camera = formatCamera(photo.camera);
    if (camera) rows.push(['Camera', camera]);
    const exposure = formatExposure(photo.exposure);
    if (exposure) rows.push(['Exposure', exposure]);
    const place = formatPlace(photo.place, photo.location);
    if (place) rows.push(['Place', place, photo.location]);
    const size = [photo.width && photo.height ? `${photo.width} × ${photo.height}` : '', formatBytes(photo.size)];
    rows.push(['Size', size.filter(Boolean).join(' · ')]);
    if (photo.status === 'failed') rows.push(['Problem', describeFailure(photo.error)]);
    if (photo.damaged) rows.push(['Damaged', describeDamage(photo.damaged)]);

    const list = this.$('viewer-meta');
    list.replaceChildren();
    for (const [name, value, location] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.dataset.field = name.toLowerCase();
      if (location) {
        const link = document.createElement('a');
        link.href = `https://www.openstreetmap.org/?mlat=${location.lat}&mlon=${location.lon}#map=14/${location.lat}/${location.lon}`;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.textContent = value;
        link.title = formatCoordinates(location); // the exact spot, beside the name
        dd.append(link);
      } else {
        dd.textContent = value;
      }
      list.append(dt, dd);
    }
  }

  // Who is in the photo (its faces, named by its owner), added to the info once known.
  async people(photo, token) {
    let links;
    try {
      links = await photoPeople(photo.id);
    } catch {
      return; // people off, or the photo gone: the info says nothing of faces
    }
    if (token !== this.token || !links.length) return;
    const dt = document.createElement('dt');
    dt.textContent = 'People';
    const dd = document.createElement('dd');
    dd.dataset.field = 'people';
    for (const [n, link] of links.entries()) {
      link.addEventListener('click', () => this.dialog.close()); // also when already on their photos
      dd.append(...(n ? [', ', link] : [link]));
    }
    this.$('viewer-meta').append(dt, dd);
  }

  // Thumbnails first: a photo is shown with its thumb before its preview exists. While the
  // server answers variant_not_ready, ask again, less often each time, for as long as this
  // photo stays open (null once the viewer moved on).
  async previewWhenReady(photo, token) {
    for (let wait = 1000; ; wait = Math.min(wait * 2, 8000)) {
      try {
        return await this.previewUrl(photo);
      } catch (error) {
        if (error.code !== 'variant_not_ready' || token !== this.token) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (token !== this.token) return null;
    }
  }

  async previewUrl(photo) {
    const known = this.urls.get(photo.id);
    if (known && known.expires - Date.now() > 60000) return known.url;
    const { url, expires_at: expiresAt } = await api.variant(photo.id, 'preview', { trashed: Boolean(photo.trashed_at) });
    this.urls.set(photo.id, { url, expires: Date.parse(expiresAt) || Date.now() + 300000 });
    if (this.urls.size > 200) this.urls.delete(this.urls.keys().next().value);
    return url;
  }

  // The next and previous previews start loading now, so stepping feels instant.
  prefetch(index) {
    for (const i of [index + 1, index - 1]) {
      const photo = this.timeline.get(i);
      if (photo && photo.status === 'ready') {
        this.previewUrl(photo)
          .then((url) => {
            new Image().src = url;
          })
          .catch(() => {});
      }
    }
  }

  async download() {
    const photo = this.timeline.get(this.index);
    if (!photo) return;
    try {
      const { url } = await api.variant(photo.id, 'original', { trashed: Boolean(photo.trashed_at) });
      const link = document.createElement('a');
      link.href = url;
      link.download = photo.filename; // same origin; other storages name it in the signed URL
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      this.toast(`The original could not be downloaded. ${describe(error)}`);
    }
  }

  swipe() {
    let start = null;
    this.stage.addEventListener('pointerdown', (event) => {
      if (event.pointerType !== 'mouse') start = { x: event.clientX, y: event.clientY };
    });
    this.stage.addEventListener('pointercancel', () => {
      start = null;
    });
    this.stage.addEventListener('pointerup', (event) => {
      if (!start) return;
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      start = null;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(dy) * 1.5) this.step(dx < 0 ? 1 : -1);
    });
  }
}

function decodeImage(url) {
  const img = new Image();
  img.src = url;
  return img.decode();
}
