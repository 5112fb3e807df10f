// Share links of an album (docs/links.md): the album header's "Links" button (its owner only)
// opens a dialog that lists the album's links with a copy button each, makes a new one with its
// options (expiry, password, download, upload, show metadata), changes them, and revokes a
// link (at once: whoever holds it gets "link not found" on their next request).

import { confirm } from './actions.js';
import { request } from './api.js';
import { formatDate } from './format.js';
import { describe } from './messages.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);

const links = {
  list: (cursor) => request('GET', `/links?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  create: (body) => request('POST', '/links', body),
  edit: (linkId, changes) => request('PATCH', `/links/${encodeURIComponent(linkId)}`, changes),
  revoke: (linkId) => request('DELETE', `/links/${encodeURIComponent(linkId)}`),
};

function checkbox(name, label, checked) {
  const wrap = el('label');
  const input = el('input');
  input.type = 'checkbox';
  input.name = name;
  input.checked = checked;
  wrap.append(input, label);
  return wrap;
}

// The end of the chosen day, in this device's zone, as ISO 8601 with an offset; '' for none.
function endOfDay(value) {
  if (!value) return null;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d, 23, 59, 59).toISOString();
}

function dayOf(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

async function albumLinks(albumId) {
  const found = [];
  let cursor = null;
  do {
    const page = await links.list(cursor);
    found.push(...page.items.filter((link) => link.album_id === albumId));
    cursor = page.next_cursor;
  } while (cursor);
  return found;
}

// The options of a link, as a fieldset: {fieldset, read()} where read() gives the body to send.
function optionsFields(link) {
  const fieldset = el('fieldset');
  fieldset.append(el('legend', '', link ? 'Change this link' : 'New link'));
  const expiry = el('label', '', 'Expires after');
  const date = el('input');
  date.type = 'date';
  date.name = 'expires';
  date.value = link ? dayOf(link.expires_at) : '';
  expiry.append(date, el('span', 'link-facts', '(empty: never)'));
  const password = el('label', '', link && link.has_password ? 'New password' : 'Password');
  const secret = el('input');
  secret.type = 'password';
  secret.name = 'password';
  secret.autocomplete = 'new-password';
  secret.placeholder = link && link.has_password ? 'unchanged' : 'none';
  password.append(secret);
  fieldset.append(expiry, password);
  let clear = null;
  if (link && link.has_password) {
    clear = checkbox('clear_password', 'Remove the password', false);
    fieldset.append(clear);
  }
  const download = checkbox('allow_download', 'Visitors may download', link ? link.allow_download : true);
  const upload = checkbox('allow_upload', 'Visitors may add photos', link ? link.allow_upload : false);
  const metadata = checkbox('show_metadata', 'Show place, camera and EXIF', link ? link.show_metadata : true);
  fieldset.append(download, upload, metadata);
  const read = () => {
    const body = {
      allow_download: download.querySelector('input').checked,
      allow_upload: upload.querySelector('input').checked,
      show_metadata: metadata.querySelector('input').checked,
    };
    const until = endOfDay(date.value);
    if (!link || until !== (link.expires_at ? endOfDay(dayOf(link.expires_at)) : null)) body.expires_at = until;
    if (link && !date.value && link.expires_at) body.expires_at = null;
    if (secret.value) body.password = secret.value;
    else if (clear && clear.querySelector('input').checked) body.password = null;
    return body;
  };
  return { fieldset, read };
}

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard (an http:// address is not a secure context): select it for Ctrl+C.
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

class LinksDialog {
  constructor({ toast }) {
    this.toast = toast;
    this.album = null;
    const dialog = el('dialog', 'confirm links-dialog');
    dialog.id = 'links-dialog';
    dialog.setAttribute('aria-labelledby', 'links-title');
    const title = el('h2', '', 'Links');
    title.id = 'links-title';
    const intro = el('p', '', 'Anyone with a link sees this album’s photos, without an account.');
    this.list = el('ul', 'links-list');
    this.list.id = 'links-list';
    this.form = el('form');
    this.form.id = 'links-form';
    this.error = el('p', 'form-error');
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    const actions = el('div', 'confirm-actions');
    const close = el('button', 'quiet', 'Close');
    close.type = 'button';
    close.id = 'links-close';
    close.addEventListener('click', () => dialog.close());
    const create = el('button', 'primary', 'Create link');
    create.type = 'submit';
    create.id = 'links-create';
    actions.append(close, create);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
    dialog.append(title, intro, this.list, this.form, this.error, actions);
    create.setAttribute('form', 'links-form');
    document.body.append(dialog);
    this.dialog = dialog;
  }

  async open(album) {
    this.album = album;
    $('links-title').textContent = `Links to “${album.name}”`;
    this.newOptions = optionsFields(null);
    this.form.replaceChildren(this.newOptions.fieldset);
    this.say('');
    if (!this.dialog.open) this.dialog.showModal();
    await this.refresh();
  }

  say(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  async refresh() {
    this.list.replaceChildren(el('li', 'link-facts', 'Loading…'));
    let found;
    try {
      found = await albumLinks(this.album.id);
    } catch (error) {
      this.list.replaceChildren(el('li', 'link-facts', `Links could not be loaded. ${describe(error)}`));
      return;
    }
    this.list.replaceChildren();
    if (!found.length) this.list.append(el('li', 'link-facts', 'No links yet.'));
    for (const link of found) this.list.append(this.row(link));
  }

  row(link) {
    const item = el('li');
    item.dataset.linkId = link.id;
    const line = el('div', 'link-url');
    const url = el('input');
    url.type = 'text';
    url.readOnly = true;
    url.value = link.url;
    url.setAttribute('aria-label', 'Link address');
    const copyButton = el('button', 'primary', 'Copy');
    copyButton.type = 'button';
    copyButton.className = 'primary link-copy';
    copyButton.addEventListener('click', async () => {
      this.toast((await copy(link.url, url)) ? 'Link copied.' : 'Select the address and copy it.');
    });
    line.append(url, copyButton);
    const facts = [
      link.has_password ? 'password' : 'no password',
      link.expires_at ? `${link.expired ? 'expired' : 'until'} ${formatDate(link.expires_at, false)}` : 'no expiry',
      link.allow_download ? 'download' : 'no download',
      link.allow_upload ? 'visitors add photos' : null,
      link.show_metadata ? null : 'metadata hidden',
    ].filter(Boolean);
    const buttons = el('div', 'link-buttons');
    const edit = el('button', 'link-edit', 'Edit');
    edit.type = 'button';
    edit.addEventListener('click', () => this.edit(item, link));
    const revoke = el('button', 'danger link-revoke', 'Revoke');
    revoke.type = 'button';
    revoke.addEventListener('click', () => this.revoke(link));
    buttons.append(edit, revoke);
    item.append(line, el('span', 'link-facts', facts.join(' · ')), buttons);
    return item;
  }

  async create() {
    this.say('');
    try {
      const link = await links.create({ album_id: this.album.id, ...this.newOptions.read() });
      this.toast('Link created.');
      this.newOptions = optionsFields(null);
      this.form.replaceChildren(this.newOptions.fieldset);
      await this.refresh();
      const url = this.list.querySelector(`li[data-link-id="${link.id}"] input`);
      if (url) await copy(link.url, url);
    } catch (error) {
      this.say(`The link could not be made. ${describe(error)}`);
    }
  }

  edit(item, link) {
    if (item.querySelector('form')) return;
    const options = optionsFields(link);
    const form = el('form');
    const save = el('button', 'primary', 'Save');
    save.type = 'submit';
    const cancel = el('button', 'quiet', 'Cancel');
    cancel.type = 'button';
    cancel.addEventListener('click', () => form.remove());
    const row = el('div', 'link-buttons');
    row.append(cancel, save);
    form.append(options.fieldset, row);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await links.edit(link.id, options.read());
        this.toast('Link changed.');
        await this.refresh();
      } catch (error) {
        this.say(`The link could not be changed. ${describe(error)}`);
      }
    });
    item.append(form);
  }

  async revoke(link) {
    const ok = await confirm('Revoke this link?', 'Whoever has it can no longer open it, at once. The photos stay.', 'Revoke');
    if (!ok) return;
    try {
      await links.revoke(link.id);
      this.toast('Link revoked.');
    } catch (error) {
      this.say(`The link could not be revoked. ${describe(error)}`);
    }
    await this.refresh();
  }
}

// The album header's Links button opens the dialog for the album shown.
export function attachLinks({ header, toast }) {
  let dialog = null;
  $('album-links').addEventListener('click', () => {
    if (!header.album || header.album.role !== 'owner') return;
    dialog = dialog || new LinksDialog({ toast });
    dialog.open(header.album);
  });
}
