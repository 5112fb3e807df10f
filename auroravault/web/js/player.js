// The viewer's player: a video's original with the browser's own controls, and a Live
// Photo's motion, muted and without controls, while LIVE is hovered or held (or once after a
// press of Enter/Space), after which the still shows again (docs/videos.md). Seeking asks
// storage for byte ranges (206), whichever storage it is.

import { api } from './api.js';
import { describe } from './messages.js';

export class Player {
  // `current()`: the photo the viewer shows; `token()`: bumps on every navigation, so a late
  // answer never starts a video the viewer has left.
  constructor(video, live, { image, close, status, current, token, previewUrl, toast }) {
    Object.assign(this, { video, live, image, close, status, current, token, previewUrl, toast });
    live.addEventListener('pointerenter', () => this.playMotion());
    live.addEventListener('pointerdown', () => this.playMotion());
    live.addEventListener('pointerleave', () => this.stopMotion());
    live.addEventListener('click', (event) => {
      if (event.detail === 0) this.playMotion(); // a keyboard press: play it through once
    });
    video.addEventListener('ended', () => this.stopMotion());
  }

  // The poster frame shows until the original starts.
  async play(photo, token) {
    const { video } = this;
    this.image.hidden = true;
    video.hidden = false;
    video.controls = true;
    video.muted = false;
    delete video.dataset.motion;
    if (photo.thumb_url) video.poster = photo.thumb_url;
    try {
      const { url } = await api.variant(photo.id, 'original', { trashed: Boolean(photo.trashed_at) });
      if (token !== this.token()) return;
      video.src = url;
      video.dataset.photoId = photo.id;
      this.previewUrl(photo)
        .then((poster) => {
          if (token === this.token()) video.poster = poster;
        })
        .catch(() => {});
    } catch (error) {
      if (token !== this.token()) return;
      this.status.hidden = false;
      this.status.textContent = `The video could not be loaded. ${describe(error)}`;
    }
  }

  stop() {
    const { video } = this;
    this.hide(video, true);
    video.controls = false; // a hidden <video controls> would still take the dialog's first focus
    video.pause();
    if (video.hasAttribute('src')) {
      video.removeAttribute('src');
      video.load(); // lets go of the connection to storage
    }
    video.removeAttribute('poster');
    delete video.dataset.photoId;
    delete video.dataset.motion;
    this.live.setAttribute('aria-pressed', 'false');
  }

  // LIVE shows on a ready Live Photo's still only.
  offerMotion(photo) {
    this.hide(this.live, !(photo.status === 'ready' && photo.motion_photo_id));
  }

  // Hide (or show) an element; if it had the keyboard's focus, the focus stays in the viewer.
  hide(element, hidden) {
    const focused = document.activeElement === element;
    element.hidden = hidden;
    if (hidden && focused) this.close.focus();
  }

  async playMotion() {
    const photo = this.current();
    const { video } = this;
    if (!photo || !photo.motion_photo_id || video.dataset.motion) return;
    const token = this.token();
    this.live.setAttribute('aria-pressed', 'true');
    video.dataset.motion = 'loading';
    try {
      const { url } = await api.variant(photo.id, 'motion', { trashed: Boolean(photo.trashed_at) });
      if (token !== this.token() || !video.dataset.motion) return;
      video.controls = false;
      video.muted = true;
      video.src = url;
      video.hidden = false;
      this.image.hidden = true;
      video.dataset.motion = 'playing';
      video.dataset.photoId = photo.motion_photo_id;
      await video.play();
    } catch (error) {
      if (token === this.token() && error.name !== 'AbortError') {
        this.toast(`The motion could not be played. ${describe(error)}`);
      }
      if (token === this.token()) this.stopMotion();
    }
  }

  stopMotion() {
    const { video } = this;
    if (!video.dataset.motion) return;
    delete video.dataset.motion;
    this.live.setAttribute('aria-pressed', 'false');
    video.pause();
    video.controls = false;
    this.hide(video, true);
    const photo = this.current();
    this.image.hidden = !photo || photo.status !== 'ready';
  }
}
