// The page a share link opens (#/s/<key>), for a visitor with no account: the album's title and
// owner, the password form while the link is locked, the grid, a viewer, download and upload
// where the link allows them (docs/links.md). It speaks only /api/v1/public/<key>/..., never
// with the session of whoever is logged in on this browser: a link shows what it covers, to
// anyone, and nothing more.

import { formatCamera, formatDate, formatExposure, formatPlace } from './format.js';
import { describe } from './messages.js';
import { sha256File } from './sha256.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'auroravault.link.'; // + key: the X-Link-Token of an unlocked link (this tab only)
const PAGE = 100;

class LinkError extends Error {
  constructor(status, code, detail, retryAfter = null) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

// The link's key in the address, or null when the address is not a link's.
export function linkKey(hash = window.location.hash) {
  const m = /^#\/s\/([A-Za-z0-9_-]{16,100})\/?$/.exec(hash || '');
  return m ? m[1] : null;
}

class PublicLink {
  constructor(key) {
    this.key = key;
    this.base = `/api/v1/public/${encodeURIComponent(key)}`;
  }

  get token() {
    return sessionStorage.getItem(TOKEN_KEY + this.key);
  }

  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY + this.key, value);
    else sessionStorage.removeItem(TOKEN_KEY + this.key);
  }

  async call(method, path, body) {
    const headers = { Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers['X-Link-Token'] = this.token;
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new LinkError(0, 'network_error', 'The server could not be reached.');
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const retry = Number(response.headers.get('Retry-After')) || null;
      throw new LinkError(response.status, (data && data.code) || `http_${response.status}`, data && data.detail, retry);
    }
    return data;
  }

  info = () => this.call('GET', '');
  unlock = (password) => this.call('POST', '/unlock', { password });
  photos = (cursor) => this.call('GET', `/photos?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  variant = (photoId, variant) => this.call('GET', `/photos/${encodeURIComponent(photoId)}/${variant}?redirect=false`);
  initUploads = (files) => this.call('POST', '/uploads', { files });
  complete = (batchId) => this.call('POST', `/uploads/${encodeURIComponent(batchId)}/complete`, {});
}

// What a refused link says, in words.
function linkProblem(error) {
  if (error.code === 'link_not_found') return 'This link does not exist, or it was turned off by its owner.';
  if (error.code === 'link_expired') return 'This link has expired. Ask the person who shared it for a new one.';
  if (error.code === 'too_many_attempts') {
    const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : null;
    return `Too many tries. Wait${minutes ? ` ${minutes} minute${minutes === 1 ? '' : 's'}` : ' a while'} and try again.`;
  }
  if (error.code === 'invalid_password') return 'That is not the password of this link.';
  return describe(error);
}

export class PublicPage {
  constructor(root, key) {
    this.root = root;
    this.link = new PublicLink(key);
    this.info = null;
    this.items = [];
    this.cursor = null;
    this.index = -1;
  }

  async start() {
    this.root.replaceChildren(el('p', 'empty', 'Opening the link…'));
    try {
      this.info = await this.link.info();
    } catch (error) {
      return this.stop(linkProblem(error));
    }
    document.title = `${this.info.title} · AuroraVault`;
    this.header();
    if (this.info.locked) {
      this.link.token = null; // a token from before a password change opens nothing now
      return this.passwordForm();
    }
    return this.gallery();
  }

  stop(message) {
    const box = el('div', 'public-problem');
    box.append(el('h1', 'view-title', 'This link cannot be opened'), el('p', 'empty', message));
    this.root.replaceChildren(box);
  }

  header() {
    const head = el('header', 'public-head');
    const brand = el('span', 'brand');
    const logo = el('img');
    logo.src = '/app/icons/icon.svg';
    logo.alt = '';
    logo.width = 28;
    logo.height = 28;
    brand.append(logo, el('span', '', 'AuroraVault'));
    const titles = el('div', 'public-titles');
    const title = el('h1', 'view-title', this.info.title);
    title.id = 'public-title';
    const by = el('p', 'album-facts', `Shared by ${this.info.owner_name}`);
    by.id = 'public-owner';
    titles.append(title, by);
    if (this.info.expires_at) titles.append(el('p', 'album-facts', `Until ${formatDate(this.info.expires_at, false)}`));
    head.append(brand, titles);
    this.root.replaceChildren(head);
  }

  passwordForm() {
    const form = el('form', 'public-password auth-card');
    form.id = 'public-password';
    form.noValidate = true;
    form.append(el('h2', '', 'This link has a password'));
    const label = el('label', '', 'Password');
    const input = el('input');
    input.type = 'password';
    input.name = 'password';
    input.autocomplete = 'off';
    input.required = true;
    label.append(input);
    const error = el('p', 'form-error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    const submit = el('button', 'primary', 'Open');
    submit.type = 'submit';
    form.append(label, error, submit);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!input.value) {
        error.textContent = 'Please enter the password.';
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      try {
        this.link.token = (await this.link.unlock(input.value)).token;
        this.info = await this.link.info();
        form.remove();
        await this.gallery();
      } catch (problem) {
        error.textContent = linkProblem(problem);
        error.hidden = false;
        input.select();
      } finally {
        submit.disabled = false;
      }
    });
    this.root.append(form);
    input.focus();
  }

  async gallery() {
    const bar = el('div', 'public-actions');
    if (this.info.allow_upload) bar.append(this.uploadButton());
    this.status = el('p', 'album-facts');
    this.status.id = 'public-status';
    this.status.setAttribute('role', 'status');
    bar.append(this.status);
    this.grid = el('div', 'public-grid');
    this.grid.id = 'public-grid';
    this.more = el('button', '', 'More photos');
    this.more.type = 'button';
    this.more.hidden = true;
    this.more.addEventListener('click', () => this.load());
    this.root.append(bar, this.grid, this.more);
    this.items = [];
    this.cursor = null;
    await this.load();
  }

  async load() {
    let page;
    try {
      page = await this.link.photos(this.cursor);
    } catch (error) {
      if (error.code === 'link_locked') return this.start(); // the password changed meanwhile
      return this.stop(linkProblem(error));
    }
    for (const photo of page.items) {
      const index = this.items.push(photo) - 1;
      const tile = el('button', 'tile public-tile');
      tile.type = 'button';
      tile.dataset.id = photo.id;
      tile.dataset.filename = photo.filename;
      tile.setAttribute('aria-label', photo.filename);
      if (photo.thumb_url) tile.style.backgroundImage = `url("${photo.thumb_url}")`;
      tile.addEventListener('click', () => this.open(index));
      this.grid.append(tile);
    }
    this.cursor = page.next_cursor;
    this.more.hidden = !this.cursor;
    const n = this.items.length;
    this.status.textContent = n ? `${n}${this.cursor ? '+' : ''} ${n === 1 ? 'photo' : 'photos'}` : 'No photos here yet.';
  }

  // -- the viewer ------------------------------------------------------------------------
  viewer() {
    if (this.dialog) return this.dialog;
    const dialog = el('dialog', 'viewer public-viewer');
    dialog.id = 'public-viewer';
    dialog.setAttribute('aria-labelledby', 'public-viewer-title');
    const stage = el('div', 'viewer-stage');
    const img = el('img');
    img.id = 'public-viewer-image';
    img.alt = '';
    const prev = el('button', 'nav prev', '‹');
    prev.type = 'button';
    prev.setAttribute('aria-label', 'Previous photo');
    prev.addEventListener('click', () => this.show(this.index - 1));
    const next = el('button', 'nav next', '›');
    next.type = 'button';
    next.setAttribute('aria-label', 'Next photo');
    next.addEventListener('click', () => this.show(this.index + 1));
    stage.append(img, prev, next);
    const side = el('aside', 'viewer-info');
    const head = el('header');
    const title = el('h2');
    title.id = 'public-viewer-title';
    const close = el('button', 'quiet close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close viewer');
    close.addEventListener('click', () => dialog.close());
    head.append(title, close);
    const facts = el('dl');
    facts.id = 'public-viewer-meta';
    const download = el('button', 'primary', this.info.allow_original ? 'Download original' : 'Download');
    download.type = 'button';
    download.id = 'public-download';
    download.hidden = !this.info.allow_download;
    download.addEventListener('click', () => this.download());
    side.append(head, facts, download);
    dialog.append(stage, side);
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft') this.show(this.index - 1);
      if (event.key === 'ArrowRight') this.show(this.index + 1);
    });
    document.body.append(dialog);
    this.dialog = dialog;
    return dialog;
  }

  open(index) {
    const dialog = this.viewer();
    if (!dialog.open) dialog.showModal();
    this.show(index);
  }

  async show(index) {
    if (index < 0 || index >= this.items.length) return;
    this.index = index;
    const photo = this.items[index];
    $('public-viewer-title').textContent = photo.filename;
    const facts = $('public-viewer-meta');
    facts.replaceChildren();
    const rows = [
      ['Taken', formatDate(photo.taken_at)],
      ['Description', photo.description || ''],
      ['Place', formatPlace(photo.place, photo.location)],
      ['Camera', formatCamera(photo.camera)],
      ['Exposure', formatExposure(photo.exposure)],
    ];
    for (const [name, value] of rows) {
      if (!value) continue;
      facts.append(el('dt', '', name), el('dd', '', value));
    }
    const img = $('public-viewer-image');
    img.src = photo.thumb_url || '';
    img.dataset.variant = 'thumb';
    try {
      const preview = await this.link.variant(photo.id, 'preview');
      if (this.index === index) {
        img.src = preview.url;
        img.dataset.variant = 'preview';
      }
    } catch {
      // the thumb stays (the preview may still be being made)
    }
  }

  async download() {
    const photo = this.items[this.index];
    if (!photo) return;
    try {
      const answer = await this.link.variant(photo.id, this.info.allow_original ? 'original' : 'preview');
      const a = el('a');
      a.href = answer.url;
      a.download = photo.filename;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (error) {
      this.status.textContent = `The photo could not be downloaded. ${linkProblem(error)}`;
    }
  }

  // -- uploads into the album ------------------------------------------------------------
  uploadButton() {
    const wrap = el('span', 'public-upload');
    const label = el('label', 'button primary', 'Add photos');
    label.htmlFor = 'public-file-input';
    const input = el('input', 'visually-hidden');
    input.type = 'file';
    input.id = 'public-file-input';
    input.multiple = true;
    input.accept = 'image/*,.heic,.heif,.avif,.webp';
    input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = '';
      if (files.length) await this.upload(files);
    });
    wrap.append(label, input);
    return wrap;
  }

  async upload(files) {
    this.status.textContent = `Uploading ${files.length} ${files.length === 1 ? 'photo' : 'photos'}…`;
    try {
      const specs = await Promise.all(
        files.map(async (file) => ({
          filename: file.name,
          size: file.size,
          content_type: file.type || 'application/octet-stream',
          sha256: await sha256File(file),
          file_modified_at: file.lastModified ? new Date(file.lastModified).toISOString() : undefined,
        })),
      );
      const batch = await this.link.initUploads(specs);
      await Promise.all(
        batch.items.map(async (item) => {
          if (item.status !== 'upload') return;
          const file = files[item.index];
          const response = await fetch(item.upload.url, {
            method: item.upload.method || 'PUT',
            headers: item.upload.headers || {},
            body: file,
            credentials: 'omit',
          });
          if (!response.ok) throw new LinkError(response.status, 'upload_failed', `${file.name} could not be sent.`);
        }),
      );
      await this.link.complete(batch.batch_id);
      this.status.textContent = `${files.length} ${files.length === 1 ? 'photo' : 'photos'} added. Thank you!`;
      window.setTimeout(() => this.refresh(), 1500); // they show once their thumbnails are made
    } catch (error) {
      this.status.textContent =
        error.code === 'quota_exceeded'
          ? 'There is no room left in this album’s library.'
          : `The photos could not be added. ${linkProblem(error)}`;
    }
  }

  async refresh() {
    this.grid.replaceChildren();
    this.items = [];
    this.cursor = null;
    await this.load();
  }
}

// Show the link's page in #public-view instead of the app (main.js calls this for #/s/<key>).
export function showPublic(key) {
  for (const id of ['boot', 'auth-view', 'gallery-view']) $(id).hidden = true;
  const root = $('public-view');
  root.hidden = false;
  document.body.dataset.view = 'public';
  return new PublicPage(root, key).start();
}
