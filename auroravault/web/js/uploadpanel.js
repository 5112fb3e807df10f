// The upload panel: overall progress and one row per file (state, progress, reason).
// Rows are created once per file and updated in place; at most MAX_ROWS are shown, the
// unfinished and failed ones first, so choosing 5,000 files does not mean 5,000 rows.

import { formatBytes } from './format.js';

const MAX_ROWS = 200;

const STATE_TEXT = {
  queued: 'Waiting',
  hashing: 'Checking',
  ready: 'Preparing',
  initing: 'Preparing',
  send: 'Waiting to send',
  sending: 'Sending',
  sent: 'Confirming',
  completing: 'Confirming',
  done: 'Uploaded',
  duplicate: 'Already in your vault',
};

const ORDER = { failed: 0, sending: 1, completing: 2, sent: 2, send: 3, initing: 4, ready: 4, hashing: 5, queued: 6 };

export class UploadPanel {
  constructor(root) {
    this.root = root;
    this.uploader = null;
    this.rows = new Map();
    this.frame = 0;
    this.list = root.querySelector('#upload-list');
    this.more = root.querySelector('#upload-more');
    this.title = root.querySelector('#upload-title');
    this.overall = root.querySelector('#upload-overall');
    this.retry = root.querySelector('#upload-retry');
    this.clear = root.querySelector('#upload-clear');
    this.toggle = root.querySelector('#upload-toggle');
    this.retry.addEventListener('click', () => this.uploader?.retryFailed());
    this.clear.addEventListener('click', () => this.uploader?.clearFinished());
    this.toggle.addEventListener('click', () => this.fold(!root.classList.contains('collapsed')));
    this.onChange = () => {
      // Progress events come fast; one repaint per frame is enough.
      if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
    };
  }

  fold(collapsed) {
    this.root.classList.toggle('collapsed', collapsed);
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
    this.toggle.textContent = collapsed ? 'Show' : 'Hide';
  }

  // Show this uploader's files (null: nobody's).
  attach(uploader) {
    this.uploader?.removeEventListener('change', this.onChange);
    this.uploader = uploader;
    uploader?.addEventListener('change', this.onChange);
    this.render();
  }

  render() {
    this.frame = 0;
    const entries = this.uploader ? [...this.uploader.items.values()] : [];
    this.root.hidden = entries.length === 0;
    if (!entries.length) {
      this.list.replaceChildren();
      this.rows.clear();
      return;
    }
    const s = this.uploader.summary();
    const percent = s.bytesTotal ? Math.floor((100 * s.bytesDone) / s.bytesTotal) : 100;
    const parts = [];
    if (s.active) parts.push(`Uploading ${s.active} of ${s.total} · ${percent}%`);
    else parts.push(`${s.done} uploaded`);
    if (s.duplicate) parts.push(`${s.duplicate} already there`);
    if (s.failed) parts.push(`${s.failed} failed`);
    this.title.textContent = parts.join(' · ');
    this.overall.value = percent;
    this.overall.textContent = `${percent}%`;
    this.root.dataset.active = String(s.active);
    this.retry.hidden = !entries.some((e) => e.state === 'failed' && e.retryable);
    this.clear.hidden = s.active === s.total;

    const shown = entries
      .map((e, i) => [e, i])
      .sort(([a, i], [b, j]) => (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) || i - j)
      .slice(0, MAX_ROWS)
      .map(([e]) => e)
      .sort((a, b) => a.seq - b.seq);
    const keep = new Set(shown.map((e) => e.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    let previous = null;
    for (const entry of shown) {
      const row = this.rows.get(entry.id) || this.row(entry);
      this.update(row, entry);
      // Keep DOM order = choice order without re-appending rows that are in place.
      const expected = previous ? previous.nextSibling : this.list.firstChild;
      if (expected !== row.el) this.list.insertBefore(row.el, expected);
      previous = row.el;
    }
    const hidden = entries.length - shown.length;
    this.more.hidden = hidden <= 0;
    this.more.textContent = `and ${hidden} more`;
  }

  row(entry) {
    const el = document.createElement('li');
    el.className = 'upload-row';
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = entry.name;
    name.title = entry.name;
    const state = document.createElement('span');
    state.className = 'upload-state';
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', `Progress of ${entry.name}`);
    el.append(name, state, bar);
    el.dataset.name = entry.name;
    const row = { el, state, bar };
    this.rows.set(entry.id, row);
    return row;
  }

  update(row, entry) {
    row.el.dataset.state = entry.state;
    let text = STATE_TEXT[entry.state] || entry.state;
    if (entry.state === 'failed') text = entry.reason || 'Failed';
    else if (entry.state === 'sending' && entry.size) {
      text = `Sending ${Math.floor((100 * entry.loaded) / entry.size)}% of ${formatBytes(entry.size)}`;
    } else if (entry.waiting === 'offline') text = 'Waiting for the network';
    else if (entry.waiting === 'retry' && entry.nextAt > Date.now()) {
      text = `Retrying in ${Math.ceil((entry.nextAt - Date.now()) / 1000)} s`;
    } else if (entry.state === 'duplicate' && entry.reason) text = `Already there (${entry.reason})`;
    if (row.state.textContent !== text) row.state.textContent = text;
    let value = 0;
    if (entry.state === 'sending') value = entry.size ? (100 * entry.loaded) / entry.size : 0;
    else if (['sent', 'completing', 'done', 'duplicate'].includes(entry.state)) value = 100;
    row.bar.value = value;
    row.bar.hidden = entry.state === 'failed';
  }
}
