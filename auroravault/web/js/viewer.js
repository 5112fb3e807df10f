// The viewer: one photo large (its preview), its metadata, previous/next by keys, buttons
// and swipes, and a download of the original. A modal <dialog> gives focus trapping and
// Escape for free.

import { api } from './api.js';
import { formatBytes, formatCamera, formatDate, formatExposure, formatPlace, photoLabel } from './format.js';
import { describe, describeDamage, describeFailure } from './messages.js';
import { thumbHashDataURL } from './thumbhash.js';

const SWIPE_PX = 50;

export class Viewer {
  constructor(dialog, timeline, { toast }) {
    this.dialog = dialog;
    this.timeline = timeline;
    this.toast = toast;
    this.index = -1;
    this.token = 0; // bumps on every navigation, so a late preview never replaces a newer one
    this.urls = new Map(); // photo id -> {url, expires} of its preview
    this.$ = (id) => dialog.querySelector(`#${id}`);
    this.image = this.$('viewer-image');
    this.stage = this.$('viewer-stage');
    this.$('viewer-prev').addEventListener('click', () => this.step(-1));
    this.$('viewer-next').addEventListener('click', () => this.step(1));
    this.$('viewer-close').addEventListener('click', () => dialog.close());
    this.$('viewer-download').addEventListener('click', () => this.download());
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft') this.step(-1);
      else if (event.key === 'ArrowRight') this.step(1);
      else return;
      event.preventDefault();
    });
    dialog.addEventListener('close', () => {
      this.token++;
      this.image.removeAttribute('src');
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

  details(photo) {
    const rows = [];
    const when = formatDate(photo.taken_at);
    if (when) rows.push([photo.taken_at_source === 'upload' ? 'Uploaded' : 'Taken', when]);
    const camera = formatCamera(photo.camera);
    if (camera) rows.push(['Camera', camera]);
    const exposure = formatExposure(photo.exposure);
    if (exposure) rows.push(['Exposure', exposure]);
    const place = formatPlace(photo.location);
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
        dd.append(link);
      } else {
        dd.textContent = value;
      }
      list.append(dt, dd);
    }
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
    const { url, expires_at: expiresAt } = await api.variant(photo.id, 'preview');
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
      const { url } = await api.variant(photo.id, 'original');
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
